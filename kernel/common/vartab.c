/* vartab.c - a sorted array of name records (see vartab.h). Tables hold tens to a few
 * thousand names; binary search and memmove are plenty. */
#include "vartab.h"
#include "err.h"
#include "mem.h"

#include <string.h>

struct vartab {
    vartab_rec_t *v;
    size_t n, cap;
};

vartab_t *vartab_new(void)
{
    return mem_calloc(1, sizeof(vartab_t));
}

void vartab_rec_free(vartab_rec_t *i)
{
    mem_free(i->name);
    mem_free(i->kind);
    mem_free(i->dtype);
    mem_free(i->shape);
    mem_free(i->dist);
    mem_free(i->summary);
    memset(i, 0, sizeof *i);
}

void vartab_clear(vartab_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        vartab_rec_free(&t->v[i]);
    t->n = 0;
}

void vartab_destroy(vartab_t **np)
{
    if (!np || !*np) return;
    vartab_clear(*np);
    mem_free((*np)->v);
    mem_free(*np);
    *np = NULL;
}

/* Index of name, or of where it would go (*found = 0). */
static size_t find(const vartab_t *t, const char *name, int *found)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t->v[mid].name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static char *dup(const char *s)
{
    s = s ? s : "";
    return mem_strndup(s, strlen(s));
}

int vartab_put(vartab_t *t, const vartab_rec_t *in)
{
    vartab_rec_t c = *in;
    c.name = dup(in->name);
    c.kind = dup(in->kind);
    c.dtype = dup(in->dtype);
    c.shape = dup(in->shape);
    c.dist = dup(in->dist);
    c.summary = dup(in->summary);
    if (!c.name || !c.kind || !c.dtype || !c.shape || !c.dist || !c.summary) goto oom;
    int found;
    size_t at = find(t, c.name, &found);
    if (found) {
        vartab_rec_free(&t->v[at]);
        t->v[at] = c;
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        vartab_rec_t *v = mem_realloc(t->v, cap * sizeof *v);
        if (!v) goto oom;
        t->v = v;
        t->cap = cap;
    }
    memmove(&t->v[at + 1], &t->v[at], (t->n - at) * sizeof *t->v);
    t->v[at] = c;
    t->n++;
    return 0;
oom:
    vartab_rec_free(&c);
    return PARC_ENOMEM;
}

void vartab_remove(vartab_t *t, const char *name)
{
    int found;
    size_t at = find(t, name, &found);
    if (!found) return;
    vartab_rec_free(&t->v[at]);
    memmove(&t->v[at], &t->v[at + 1], (t->n - at - 1) * sizeof *t->v);
    t->n--;
}

const vartab_rec_t *vartab_get(const vartab_t *t, const char *name)
{
    int found;
    size_t at = find(t, name, &found);
    return found ? &t->v[at] : NULL;
}

size_t vartab_count(const vartab_t *t)
{
    return t->n;
}

const vartab_rec_t *vartab_at(const vartab_t *t, size_t i)
{
    return i < t->n ? &t->v[i] : NULL;
}
