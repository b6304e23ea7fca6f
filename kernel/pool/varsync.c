/* varsync.c - the engines' name reports merged into the kernel's name table (see
 * varsync.h); pool_ calls it for each DONE. In global view rank 0 speaks for every rank;
 * in local view each targeted rank reports its per-engine names, gathered until the request
 * ends and merged then. */
#include "varsync.h"
#include "mem.h"

#include <string.h>

/* Local view: per-engine names gathered from the ranks join the table; when every rank
 * took part, per-engine names that none of them reported any more are gone. */
void varsync_merge(vartab_t *names, const vartab_t *acc, int every_rank)
{
    if (!acc) return;
    if (every_rank) {
        for (size_t i = vartab_count(names); i-- > 0;) {
            const vartab_rec_t *ni = vartab_at(names, i);
            if (ni->per_engine && !vartab_get(acc, ni->name)) vartab_remove(names, ni->name);
        }
    }
    for (size_t i = 0; i < vartab_count(acc); i++)
        if (vartab_put(names, vartab_at(acc, i)) != 0) break;
}

/* Reads one name record; 0 or -1 when malformed or out of memory. */
static int read_name(rbuf_t *r, vartab_rec_t *ni)
{
    size_t n[6];
    const char *s[6];
    for (int i = 0; i < 5; i++)
        s[i] = rbuf_str(r, &n[i]);
    ni->bytes = rbuf_u64(r);
    ni->per_engine = rbuf_u8(r);
    s[5] = rbuf_str(r, &n[5]);
    if (r->bad) return -1;
    char **dst[6] = {&ni->name, &ni->kind, &ni->dtype, &ni->shape, &ni->dist, &ni->summary};
    for (int i = 0; i < 6; i++)
        *dst[i] = mem_strndup(s[i], n[i]);
    for (int i = 0; i < 6; i++)
        if (!*dst[i]) return -1;
    return 0;
}

/* Global view: rank 0's table replaces ours; per-engine names it does not list stay (they
 * may live on other engines only). */
int varsync_global(vartab_t **names, rbuf_t *r, uint32_t nn)
{
    vartab_t *t = vartab_new();
    int rc = t ? 0 : -1;
    for (uint32_t i = 0; i < nn && rc == 0; i++) {
        vartab_rec_t ni = {0};
        rc = read_name(r, &ni);
        if (rc == 0) rc = vartab_put(t, &ni) ? -1 : 0;
        vartab_rec_free(&ni);
    }
    for (size_t i = 0; i < vartab_count(*names) && rc == 0; i++) {
        const vartab_rec_t *ni = vartab_at(*names, i);
        if (ni->per_engine && !vartab_get(t, ni->name)) rc = vartab_put(t, ni) ? -1 : 0;
    }
    if (rc) {
        vartab_destroy(&t);
        return -1;
    }
    vartab_destroy(names);
    *names = t;
    return 0;
}

/* Local view: gather per-engine names (largest share of bytes) until the request ends.
 * A name the table knows as a global one is per-engine only if the engine says so. */
int varsync_local(vartab_t **acc, const vartab_t *names, rbuf_t *r, uint32_t nn)
{
    if (!*acc && !(*acc = vartab_new())) return -1;
    for (uint32_t i = 0; i < nn; i++) {
        vartab_rec_t ni = {0};
        if (read_name(r, &ni)) {
            vartab_rec_free(&ni);
            return -1;
        }
        const vartab_rec_t *old = vartab_get(names, ni.name);
        int keep = ni.per_engine || !old || old->per_engine;
        const vartab_rec_t *seen = vartab_get(*acc, ni.name);
        if (seen && seen->bytes > ni.bytes) ni.bytes = seen->bytes;
        ni.per_engine = 1;
        int rc = keep ? vartab_put(*acc, &ni) : 0;
        vartab_rec_free(&ni);
        if (rc) return -1;
    }
    return 0;
}
