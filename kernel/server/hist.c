/* hist.c - the kernel's cell history (see hist.h): a growing array in run order. Lookups
 * scan from the newest entry, because a silent cell runs under the count the next stored
 * cell will take, and the newest source for a count is the one a fresh traceback means. */
#include "hist.h"
#include "err.h"
#include "mem.h"

#include <string.h>

#define HIST_MAX_UNSTORED 1000

struct hist {
    hist_entry_t *e;
    size_t n, cap;
    size_t unstored; /* entries with stored == 0 */
};

hist_t *hist_new(void)
{
    return mem_calloc(1, sizeof(hist_t));
}

void hist_destroy(hist_t **hp)
{
    if (!hp || !*hp) return;
    hist_t *h = *hp;
    for (size_t i = 0; i < h->n; i++)
        mem_free((void *)h->e[i].src);
    mem_free(h->e);
    mem_free(h);
    *hp = NULL;
}

static void drop_oldest_unstored(hist_t *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (!h->e[i].stored) {
            mem_free((void *)h->e[i].src);
            memmove(&h->e[i], &h->e[i + 1], (h->n - i - 1) * sizeof *h->e);
            h->n--;
            h->unstored--;
            return;
        }
    }
}

int hist_add(hist_t *h, uint32_t cell, int stored, const char *src, size_t len)
{
    if (!stored && h->unstored >= HIST_MAX_UNSTORED) drop_oldest_unstored(h);
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        hist_entry_t *ne = mem_realloc(h->e, cap * sizeof *ne);
        if (!ne) return PARC_ENOMEM;
        h->e = ne;
        h->cap = cap;
    }
    char *copy = mem_strndup(src, len);
    if (!copy) return PARC_ENOMEM;
    h->e[h->n++] = (hist_entry_t){cell, stored, copy, len};
    if (!stored) h->unstored++;
    return 0;
}

const char *hist_source(const hist_t *h, uint32_t cell, size_t *len)
{
    for (size_t i = h->n; i-- > 0;) {
        if (h->e[i].cell == cell) {
            if (len) *len = h->e[i].len;
            return h->e[i].src;
        }
    }
    return NULL;
}

size_t hist_count(const hist_t *h)
{
    return h->n;
}

const hist_entry_t *hist_at(const hist_t *h, size_t i)
{
    return i < h->n ? &h->e[i] : NULL;
}
