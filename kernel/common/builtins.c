/* builtins.c - lookups in the builtin table (see builtins.h). */
#include "builtins.h"

#include <string.h>

static const bi_info_t table[] = {
#define BI_ROW(id, name, kind, sig, doc) {name, sig, doc, BI_K_##kind},
    PARC_BUILTINS(BI_ROW)
#undef BI_ROW
};

const bi_info_t *bi_info(int id)
{
    return id >= 0 && id < BI_COUNT ? &table[id] : NULL;
}

int bi_ufunc_arity(int id)
{
    const bi_info_t *bi = bi_info(id);
    if (!bi) return 0;
    return bi->kind == BI_K_UFUNC1   ? 1
           : bi->kind == BI_K_UFUNC2 ? 2
           : bi->kind == BI_K_UFUNC3 ? 3
                                     : 0;
}

int bi_lookup(const char *name, size_t len)
{
    for (int i = 0; i < BI_COUNT; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0) return i;
    return -1;
}
