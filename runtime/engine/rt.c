/* rt.c - the run-time state's one helper (see rt.h). */
#include "rt.h"

int rt_check(const rt_t *rt, err_t *err)
{
    if (rt->interrupt && atomic_load_explicit(rt->interrupt, memory_order_relaxed))
        return err_set(err, PARC_EINTR, (span_t){0}, "interrupted");
    return 0;
}
