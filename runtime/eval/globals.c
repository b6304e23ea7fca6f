/* globals.c - the global names (see globals.h): a chained hash table (FNV-1a, power-of-two size,
 * grown at 3/4 full), plus the name records eval_names sends up for the variable table.
 *
 * Decisions a reader could not guess:
 * - A name bound in local view, or bound to a per-engine value, is stored unwrapped and
 *   marked per_engine; eval_ wraps it again when global view reads it.
 * - A name record never triggers communication: arrays are described by their metadata,
 *   other values by a repr cut to 80 characters, and values holding arrays (a tuple of
 *   arrays) get no summary, since their repr would be Collective. */
#include "globals.h"

#include <stdio.h>
#include <string.h>

#include "arr.h"
#include "mem.h"
#include "obj.h"
#include "repr.h"

typedef struct gent {
    struct gent *next;
    char *name; /* owned */
    val_t v;
    uint8_t per_engine; /* bound in local view */
} gent_t;

struct globals {
    gent_t **tab; /* chained hash */
    size_t cap, n;
};

/* ---- the global table ---- */

static size_t hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static gent_t *gfind(const globals_t *ns, const char *name)
{
    for (gent_t *e = ns->tab[hash(name) & (ns->cap - 1)]; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

globals_t *globals_new(void)
{
    globals_t *ns = mem_calloc(1, sizeof *ns);
    if (!ns) return NULL;
    ns->cap = 64;
    ns->tab = mem_calloc(ns->cap, sizeof *ns->tab);
    if (!ns->tab) globals_destroy(&ns);
    return ns;
}

void globals_destroy(globals_t **nsp)
{
    globals_t *ns = *nsp;
    if (!ns) return;
    for (size_t i = 0; ns->tab && i < ns->cap; i++)
        for (gent_t *e = ns->tab[i], *nx; e; e = nx) {
            nx = e->next;
            val_drop(&e->v);
            mem_free(e->name);
            mem_free(e);
        }
    mem_free(ns->tab);
    mem_free(ns);
    *nsp = NULL;
}

const val_t *globals_get(const globals_t *ns, const char *name, int *per_engine)
{
    const gent_t *e = gfind(ns, name);
    if (!e) return NULL;
    *per_engine = e->per_engine;
    return &e->v;
}

static int grow(globals_t *ns)
{
    size_t cap = ns->cap * 2;
    gent_t **t = mem_calloc(cap, sizeof *t);
    if (!t) return PARC_ENOMEM;
    for (size_t i = 0; i < ns->cap; i++)
        for (gent_t *e = ns->tab[i], *nx; e; e = nx) {
            nx = e->next;
            size_t h = hash(e->name) & (cap - 1);
            e->next = t[h];
            t[h] = e;
        }
    mem_free(ns->tab);
    ns->tab = t;
    ns->cap = cap;
    return 0;
}

/* Binds a global; takes *v. A per-engine value is unwrapped and marked per_engine. */
int globals_set(globals_t *ns, const char *name, val_t *v, int local, err_t *err)
{
    int per = local;
    if (v->kind == V_PERENG) {
        val_t inner = val_ref(((obj_pereng_t *)v->u.o)->v);
        val_drop(v);
        *v = inner;
        per = 1;
    }
    gent_t *e = gfind(ns, name);
    if (!e) {
        if (ns->n * 4 >= ns->cap * 3 && grow(ns)) {
            val_drop(v);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        e = mem_calloc(1, sizeof *e);
        if (!e || !(e->name = mem_strndup(name, strlen(name)))) {
            mem_free(e);
            val_drop(v);
            return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory");
        }
        size_t h = hash(name) & (ns->cap - 1);
        e->next = ns->tab[h];
        ns->tab[h] = e;
        ns->n++;
    } else {
        val_drop(&e->v);
    }
    e->v = *v;
    e->per_engine = (uint8_t)per;
    *v = val_none();
    return 0;
}

int globals_del(globals_t *ns, const char *name)
{
    gent_t **pp = &ns->tab[hash(name) & (ns->cap - 1)];
    for (; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0) {
            gent_t *e = *pp;
            *pp = e->next;
            val_drop(&e->v);
            mem_free(e->name);
            mem_free(e);
            ns->n--;
            return 0;
        }
    return -1;
}

/* ---- name records ---- */

static void func_sig(const obj_func_t *f, rt_t *rt, wbuf_t *out)
{
    wbuf_printf(out, "%s(", f->name);
    for (uint32_t i = 0; i < f->nparams; i++) {
        wbuf_printf(out, "%s%s", i ? ", " : "", f->locals[i]);
        if (f->has_default[i] && f->defaults[i].kind != V_ARRAY) {
            err_t e;
            err_clear(&e);
            wbuf_u8(out, '=');
            repr_val(rt, &f->defaults[i], 0, out, &e);
        }
    }
    wbuf_u8(out, ')');
}

static int holds_array(const val_t *v)
{
    if (v->kind == V_ARRAY || v->kind == V_NPZ) return 1;
    if (v->kind == V_TUPLE || v->kind == V_LIST) {
        const seq_t *s = (const seq_t *)v->u.o;
        for (size_t i = 0; i < s->n; i++)
            if (holds_array(&s->v[i])) return 1;
    }
    return 0;
}

static void name_record(rt_t *rt, const gent_t *e, wbuf_t *out)
{
    static const char *const kinds[V_NKINDS] = {
        "NoneType", "bool",  "int",        "float",       "complex", "str",
        "tuple",    "list",  "ndarray",    "function",    "builtin", "dtype",
        "range",    "slice", "per-engine", "AsyncResult", "NpzFile", "ellipsis"};
    const val_t *v = &e->v;
    wbuf_t sum;
    wbuf_init(&sum);
    char dtype[24] = "", shape[200] = "";
    wbuf_t dist;
    wbuf_init(&dist);
    uint64_t bytes = 0;
    if (v->kind == V_ARRAY) {
        const arr_t *a = v->u.a;
        snprintf(dtype, sizeof dtype, "%s", dt_name(arr_dtype(a)));
        int nd = arr_ndim(a);
        size_t len = 0;
        len += (size_t)snprintf(shape, sizeof shape, "(");
        for (int i = 0; i < nd && len < sizeof shape - 24; i++)
            len += (size_t)snprintf(shape + len, sizeof shape - len, "%s%lld", i ? ", " : "",
                                    (long long)arr_shape(a)[i]);
        snprintf(shape + len, sizeof shape - len, nd == 1 ? ",)" : ")");
        if (arr_is_dist(a)) arr_dist_text(a, &dist);
        bytes = arr_local_bytes(a);
    } else if (v->kind == V_FUNC) {
        func_sig((const obj_func_t *)v->u.o, rt, &sum);
    } else if (!holds_array(v) && v->kind != V_PERENG) {
        err_t er;
        err_clear(&er);
        repr_val(rt, v, 0, &sum, &er);
        if (val_is_num(v) && !v->weak) snprintf(dtype, sizeof dtype, "%s", dt_name(v->dtype));
        if (v->kind == V_STR) bytes = ((const str_t *)v->u.o)->n;
        if (val_is_num(v)) bytes = v->kind == V_COMPLEX ? 16 : 8;
    }
    const char *s = wbuf_cstring(&sum);
    size_t slen = strlen(s);
    wbuf_cstr(out, e->name);
    wbuf_cstr(out, v->kind < V_NKINDS ? kinds[v->kind] : "?");
    wbuf_cstr(out, dtype);
    wbuf_cstr(out, shape);
    wbuf_cstr(out, wbuf_cstring(&dist));
    wbuf_u64(out, bytes);
    wbuf_u8(out, e->per_engine);
    if (slen > 80) {
        char cut[84];
        memcpy(cut, s, 77);
        memcpy(cut + 77, "...", 4);
        wbuf_cstr(out, cut);
    } else {
        wbuf_str(out, s, slen);
    }
    wbuf_free(&sum);
    wbuf_free(&dist);
}

uint32_t globals_records(const globals_t *ns, rt_t *rt, wbuf_t *out)
{
    uint32_t n = 0;
    for (size_t i = 0; i < ns->cap; i++)
        for (const gent_t *e = ns->tab[i]; e; e = e->next) {
            name_record(rt, e, out);
            n++;
        }
    return n;
}
