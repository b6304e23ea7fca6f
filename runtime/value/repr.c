/* repr.c - Python's repr() and str() of engine values (see repr.h). Numbers follow Python:
 * floats via fmt_double_repr (shortest round trip), complex as `(1+2j)` with integral parts
 * printed without ".0"; containers recurse. Arrays are delegated to arr_, which gathers
 * only the elements shown. */
#include "repr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr.h"
#include "builtins.h"
#include "fmt.h"
#include "obj.h"

void repr_float(double d, int dt, wbuf_t *out)
{
    char buf[FMT_DOUBLE_MAX];
    if (dt == DT_FLOAT32)
        fmt_float_repr((float)d, buf);
    else
        fmt_double_repr(d, buf);
    wbuf_printf(out, "%s", buf);
}

/* A complex part as Python prints it: repr without a trailing ".0". */
static void complex_part(double d, char *buf)
{
    int n = fmt_double_repr(d, buf);
    if (n > 2 && strcmp(buf + n - 2, ".0") == 0) buf[n - 2] = 0;
}

static void repr_complex(double re, double im, wbuf_t *out)
{
    char a[FMT_DOUBLE_MAX], b[FMT_DOUBLE_MAX];
    complex_part(im, b);
    if (re == 0 && !signbit(re)) {
        wbuf_printf(out, "%sj", b);
        return;
    }
    complex_part(re, a);
    const char *sign = (b[0] == '-') ? "" : "+";
    wbuf_printf(out, "(%s%s%sj)", a, sign, b);
}

void repr_str(const char *s, size_t n, wbuf_t *out)
{
    int sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
    char q = (sq && !dq) ? '"' : '\'';
    wbuf_u8(out, (uint8_t)q);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)q || c == '\\')
            wbuf_printf(out, "\\%c", c);
        else if (c == '\n')
            wbuf_printf(out, "\\n");
        else if (c == '\r')
            wbuf_printf(out, "\\r");
        else if (c == '\t')
            wbuf_printf(out, "\\t");
        else if (c < 0x20 || c == 0x7f)
            wbuf_printf(out, "\\x%02x", c);
        else
            wbuf_u8(out, c);
    }
    wbuf_u8(out, (uint8_t)q);
}

static int repr_seq(rt_t *rt, const val_t *v, wbuf_t *out, err_t *err)
{
    const seq_t *s = (const seq_t *)v->u.o;
    int tuple = v->kind == V_TUPLE;
    wbuf_u8(out, tuple ? '(' : '[');
    for (size_t i = 0; i < s->n; i++) {
        if (i) wbuf_printf(out, ", ");
        int rc = repr_val(rt, &s->v[i], 0, out, err);
        if (rc) return rc;
    }
    if (tuple && s->n == 1) wbuf_u8(out, ',');
    wbuf_u8(out, tuple ? ')' : ']');
    return 0;
}

int repr_val(rt_t *rt, const val_t *v, int as_str, wbuf_t *out, err_t *err)
{
    switch (v->kind) {
    case V_NONE:
        wbuf_printf(out, "None");
        return 0;
    case V_ELLIPSIS:
        wbuf_printf(out, "Ellipsis");
        return 0;
    case V_BOOL:
        wbuf_printf(out, "%s", v->u.i ? "True" : "False");
        return 0;
    case V_INT:
        wbuf_printf(out, "%lld", (long long)v->u.i);
        return 0;
    case V_FLOAT:
        repr_float(v->u.f, v->dtype, out);
        return 0;
    case V_COMPLEX:
        repr_complex(v->u.c[0], v->u.c[1], out);
        return 0;
    case V_STR: {
        const str_t *s = (const str_t *)v->u.o;
        if (as_str)
            wbuf_bytes(out, s->s, s->n);
        else
            repr_str(s->s, s->n, out);
        return 0;
    }
    case V_TUPLE:
    case V_LIST:
        return repr_seq(rt, v, out, err);
    case V_ARRAY:
        return as_str ? arr_str(rt, v->u.a, out, err) : arr_repr(rt, v->u.a, out, NULL, err);
    case V_FUNC:
        wbuf_printf(out, "<function %s>", ((const obj_func_t *)v->u.o)->name);
        return 0;
    case V_BUILTIN: {
        const bi_info_t *bi = bi_info((int)v->u.i);
        wbuf_printf(out, "<built-in function %s>", bi ? bi->name : "?");
        return 0;
    }
    case V_DTYPE:
        if (as_str)
            wbuf_printf(out, "%s", dt_name((int)v->u.i));
        else
            wbuf_printf(out, "dtype('%s')", dt_name((int)v->u.i));
        return 0;
    case V_RANGE: {
        const obj_range_t *r = (const obj_range_t *)v->u.o;
        if (r->step == 1)
            wbuf_printf(out, "range(%lld, %lld)", (long long)r->start, (long long)r->stop);
        else
            wbuf_printf(out, "range(%lld, %lld, %lld)", (long long)r->start, (long long)r->stop,
                        (long long)r->step);
        return 0;
    }
    case V_SLICE: {
        const obj_slice_t *s = (const obj_slice_t *)v->u.o;
        int rc;
        wbuf_printf(out, "slice(");
        if ((rc = repr_val(rt, &s->start, 0, out, err))) return rc;
        wbuf_printf(out, ", ");
        if ((rc = repr_val(rt, &s->stop, 0, out, err))) return rc;
        wbuf_printf(out, ", ");
        if ((rc = repr_val(rt, &s->step, 0, out, err))) return rc;
        wbuf_printf(out, ")");
        return 0;
    }
    case V_PERENG:
        return repr_val(rt, &((const obj_pereng_t *)v->u.o)->v, as_str, out, err);
    case V_NPZ: {
        const obj_npz_t *z = (const obj_npz_t *)v->u.o;
        int rc;
        wbuf_printf(out, "NpzFile(");
        if ((rc = repr_val(rt, &z->path, 0, out, err))) return rc;
        wbuf_printf(out, ", files=");
        if ((rc = repr_val(rt, &z->files, 0, out, err))) return rc;
        wbuf_printf(out, ")");
        return 0;
    }
    case V_ASYNC:
        wbuf_printf(out, "<AsyncResult: pmap_async of %u items>", ((const obj_async_t *)v->u.o)->n);
        return 0;
    default:
        wbuf_printf(out, "<?>");
        return 0;
    }
}
