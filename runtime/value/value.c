/* value.c - constructors, reference counting and truth values of val_t (value.h), and the
 * objects of obj.h. Scalars live inline in the val_t; strings, sequences and the objects of
 * obj.h are obj_t-headed heap blocks freed when their count drops to zero; arrays are
 * counted by arr_ (arr_ref/arr_unref). Python scalars are "weak" (NEP 50, see value.h). */
#include "value.h"

#include <string.h>

#include "arr.h"
#include "lazy.h"
#include "mem.h"
#include "obj.h"

val_t val_int(int64_t i)
{
    val_t v = {.kind = V_INT, .dtype = DT_INT64, .weak = 1};
    v.u.i = i;
    return v;
}

val_t val_float(double f)
{
    val_t v = {.kind = V_FLOAT, .dtype = DT_FLOAT64, .weak = 1};
    v.u.f = f;
    return v;
}

val_t val_bool(int b)
{
    val_t v = {.kind = V_BOOL, .dtype = DT_BOOL, .weak = 1};
    v.u.i = b != 0;
    return v;
}

val_t val_complex(double re, double im)
{
    val_t v = {.kind = V_COMPLEX, .dtype = DT_COMPLEX128, .weak = 1};
    v.u.c[0] = re;
    v.u.c[1] = im;
    return v;
}

static val_t oom(err_t *err)
{
    err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
    return val_none();
}

val_t val_str(const char *s, size_t n, err_t *err)
{
    size_t sz;
    if (mem_add(sizeof(str_t) + 1, n, &sz)) return oom(err);
    str_t *o = mem_alloc(sz);
    if (!o) return oom(err);
    o->h.refs = 1;
    o->h.kind = V_STR;
    o->n = n;
    if (n) memcpy(o->s, s, n);
    o->s[n] = 0;
    val_t v = {.kind = V_STR};
    v.u.o = &o->h;
    return v;
}

val_t val_seq(int kind, size_t n, err_t *err)
{
    seq_t *o = mem_calloc(1, sizeof *o);
    if (!o) return oom(err);
    size_t cap = n ? n : 4;
    o->v = mem_calloc(cap, sizeof *o->v);
    if (!o->v) {
        mem_free(o);
        return oom(err);
    }
    o->h.refs = 1;
    o->h.kind = (uint8_t)kind;
    o->n = n;
    o->cap = cap;
    val_t v = {.kind = (uint8_t)kind};
    v.u.o = &o->h;
    return v;
}

val_t val_array(struct arr **ap)
{
    val_t v = {.kind = V_ARRAY};
    v.u.a = *ap;
    *ap = NULL;
    v.dtype = (uint8_t)arr_dtype(v.u.a);
    return v;
}

static int has_obj(int kind)
{
    switch (kind) {
    case V_STR:
    case V_TUPLE:
    case V_LIST:
    case V_FUNC:
    case V_RANGE:
    case V_SLICE:
    case V_PERENG:
    case V_ASYNC:
    case V_NPZ:
    case V_LAZY:
        return 1;
    default:
        return 0;
    }
}

val_t val_ref(val_t v)
{
    if (v.kind == V_ARRAY)
        arr_ref(v.u.a);
    else if (has_obj(v.kind))
        v.u.o->refs++;
    return v;
}

void val_drop(val_t *v)
{
    if (v->kind == V_ARRAY) {
        arr_unref(&v->u.a);
    } else if (has_obj(v->kind) && --v->u.o->refs == 0) {
        obj_t *o = v->u.o;
        if (v->kind == V_STR) {
            mem_free(o);
        } else if (v->kind == V_TUPLE || v->kind == V_LIST) {
            seq_t *s = (seq_t *)o;
            for (size_t i = 0; i < s->n; i++)
                val_drop(&s->v[i]);
            mem_free(s->v);
            mem_free(s);
        } else {
            obj_free(o);
        }
    }
    *v = val_none();
}

int val_is_num(const val_t *v)
{
    return v->kind == V_BOOL || v->kind == V_INT || v->kind == V_FLOAT || v->kind == V_COMPLEX;
}

const char *val_kind_name(const val_t *v)
{
    static const char *const names[V_NKINDS] = {
        "NoneType",    "bool",    "int",      "float",   "complex",
        "str",         "tuple",   "list",     "ndarray", "function",
        "builtin",     "dtype",   "range",    "slice",   "per-engine value",
        "AsyncResult", "NpzFile", "ellipsis", "ndarray"};
    if (v->kind >= V_NKINDS) return "?";
    /* NumPy scalars name their dtype, as type(np.float32(1)) does. */
    if (val_is_num(v) && !v->weak) return dt_name(v->dtype);
    return names[v->kind];
}

int val_len(const val_t *v, span_t at, int64_t *n, err_t *err)
{
    switch (v->kind) {
    case V_STR:
        *n = (int64_t)((const str_t *)v->u.o)->n;
        return 0;
    case V_TUPLE:
    case V_LIST:
        *n = (int64_t)((const seq_t *)v->u.o)->n;
        return 0;
    case V_RANGE:
        *n = obj_range_len((const obj_range_t *)v->u.o);
        return 0;
    case V_NPZ:
        *n = (int64_t)((const seq_t *)((const obj_npz_t *)v->u.o)->files.u.o)->n;
        return 0;
    case V_ARRAY:
        if (arr_ndim(v->u.a) == 0) return err_set(err, PARC_ETYPE, at, "len() of unsized object");
        *n = arr_shape(v->u.a)[0];
        return 0;
    default:
        return err_set(err, PARC_ETYPE, at, "object of type '%s' has no len()", val_kind_name(v));
    }
}

int val_truth(const val_t *v, int *out, err_t *err)
{
    switch (v->kind) {
    case V_NONE:
        *out = 0;
        return 0;
    case V_BOOL:
    case V_INT:
        *out = v->u.i != 0;
        return 0;
    case V_FLOAT:
        *out = v->u.f != 0;
        return 0;
    case V_COMPLEX:
        *out = v->u.c[0] != 0 || v->u.c[1] != 0;
        return 0;
    case V_STR:
    case V_TUPLE:
    case V_LIST:
    case V_RANGE:
    case V_NPZ: {
        int64_t n = 0;
        val_len(v, (span_t){0}, &n, NULL);
        *out = n != 0;
        return 0;
    }
    case V_ARRAY:
        if (arr_size(v->u.a) != 1)
            return err_set(err, PARC_EVALUE, (span_t){0},
                           arr_size(v->u.a) == 0
                               ? "The truth value of an empty array is ambiguous. Use "
                                 "a.size > 0 to check that an array is not empty."
                               : "The truth value of an array with more than one element is "
                                 "ambiguous. Use a.any() or a.all()");
        return err_set(err, PARC_ENOTIMPL, (span_t){0},
                       "truth value of a one-element array: use a.any()");
    case V_PERENG:
        return err_set(err, PARC_ETYPE, (span_t){0},
                       "a per-engine value has no single truth value; use from_local() or %%px");
    default:
        *out = 1;
        return 0;
    }
}

/* ---- obj.h ---- */

static void *obj_alloc(size_t sz, int kind)
{
    obj_t *o = mem_calloc(1, sz);
    if (!o) return NULL;
    o->refs = 1;
    o->kind = (uint8_t)kind;
    return o;
}

val_t obj_range(int64_t start, int64_t stop, int64_t step, err_t *err)
{
    obj_range_t *r = obj_alloc(sizeof *r, V_RANGE);
    if (!r) return oom(err);
    r->start = start;
    r->stop = stop;
    r->step = step;
    val_t v = {.kind = V_RANGE};
    v.u.o = &r->h;
    return v;
}

int64_t obj_range_len(const obj_range_t *r)
{
    if (r->step > 0 && r->start < r->stop)
        return (int64_t)(((uint64_t)r->stop - (uint64_t)r->start - 1) / (uint64_t)r->step + 1);
    if (r->step < 0 && r->start > r->stop)
        return (int64_t)(((uint64_t)r->start - (uint64_t)r->stop - 1) / (uint64_t)(-r->step) + 1);
    return 0;
}

val_t obj_slice(val_t *start, val_t *stop, val_t *step, err_t *err)
{
    obj_slice_t *s = obj_alloc(sizeof *s, V_SLICE);
    if (!s) {
        val_drop(start);
        val_drop(stop);
        val_drop(step);
        return oom(err);
    }
    s->start = *start;
    s->stop = *stop;
    s->step = *step;
    *start = *stop = *step = val_none();
    val_t v = {.kind = V_SLICE};
    v.u.o = &s->h;
    return v;
}

val_t obj_pereng(val_t *in, err_t *err)
{
    obj_pereng_t *p = obj_alloc(sizeof *p, V_PERENG);
    if (!p) {
        val_drop(in);
        return oom(err);
    }
    p->v = *in;
    *in = val_none();
    val_t v = {.kind = V_PERENG};
    v.u.o = &p->h;
    return v;
}

val_t obj_npz(val_t *files, val_t *arrays, val_t *path, err_t *err)
{
    obj_npz_t *p = obj_alloc(sizeof *p, V_NPZ);
    if (!p) {
        val_drop(files);
        val_drop(arrays);
        val_drop(path);
        return oom(err);
    }
    p->files = *files;
    p->arrays = *arrays;
    p->path = *path;
    *files = *arrays = *path = val_none();
    val_t v = {.kind = V_NPZ};
    v.u.o = &p->h;
    return v;
}

obj_prog_t *obj_prog_new(arena_t **ap)
{
    obj_prog_t *p = obj_alloc(sizeof *p, V_NONE);
    if (!p) return NULL;
    p->arena = *ap;
    *ap = NULL;
    return p;
}

void obj_prog_unref(obj_prog_t **pp)
{
    if (!*pp) return;
    if (--(*pp)->h.refs == 0) {
        arena_destroy(&(*pp)->arena);
        mem_free(*pp);
    }
    *pp = NULL;
}

void obj_free(obj_t *o)
{
    switch (o->kind) {
    case V_SLICE: {
        obj_slice_t *s = (obj_slice_t *)o;
        val_drop(&s->start);
        val_drop(&s->stop);
        val_drop(&s->step);
        break;
    }
    case V_PERENG:
        val_drop(&((obj_pereng_t *)o)->v);
        break;
    case V_ASYNC:
        ((obj_async_t *)o)->fini((obj_async_t *)o);
        break;
    case V_LAZY:
        lazy_fini(o);
        break;
    case V_NPZ: {
        obj_npz_t *z = (obj_npz_t *)o;
        val_drop(&z->files);
        val_drop(&z->arrays);
        val_drop(&z->path);
        break;
    }
    case V_FUNC: {
        obj_func_t *f = (obj_func_t *)o;
        for (uint32_t i = 0; f->defaults && i < f->nparams; i++)
            val_drop(&f->defaults[i]);
        for (size_t i = 0; f->capvals && i < f->ncap; i++)
            val_drop(&f->capvals[i]);
        mem_free(f->defaults);
        mem_free(f->has_default);
        mem_free(f->locals);
        mem_free(f->globals);
        mem_free(f->capnames);
        mem_free(f->capvals);
        obj_prog_unref(&f->prog);
        break;
    }
    default:
        break;
    }
    mem_free(o);
}

void val_drop_n(val_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        val_drop(&v[i]);
}

int val_is_int(const val_t *v)
{
    return v->kind == V_INT || v->kind == V_BOOL;
}
