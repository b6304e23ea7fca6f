/* verify.h - %verify --engines 1,2,3 STMT (docs/magics.md): runs one global-view statement
 * on fresh pools of those sizes, one after the other, beside the user's engines (which keep
 * running and keep their variables; pool_side_start), and says whether the results have
 * the same bits. Each fresh pool first runs a setup (exact float text, a fixed seed), so
 * equal text means equal bits. exec_ drives it from its loop turns; never blocks except
 * for pool_stop's short wait when a fresh pool is let go. */
#ifndef PARC_VERIFY_H
#define PARC_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"
#include "wire.h"

#define VERIFY_MAX_POOLS   8  /* sizes in one %verify */
#define VERIFY_MAX_ENGINES 64 /* engines in one fresh pool */

/* The IR run first on each fresh pool: exact float text and random.seed(0). */
#define VERIFY_SETUP "set_printoptions(floatmode='unique', threshold=100000)\nrandom.seed(0)\n"

typedef struct verify verify_t;

/* pool is borrowed; sizes (n of them), setup and stmt IR are copied; cell is the exec
 * count. Caller owns; NULL when out of memory. */
verify_t *verify_new(pool_t *pool, const int *sizes, size_t n, const wbuf_t *setup,
                     const wbuf_t *stmt, uint32_t cell);
void verify_destroy(verify_t **vp); /* lets a fresh pool still running go; NULL-safe */

/* Moves on (starts the next pool, sends the statement, lets a finished pool go). Returns 1
 * while it waits for engines (call again on a later loop turn), 0 once every pool ran. */
int verify_step(verify_t *v);

/* Appends the report to out: each size's result (or error), then whether the bits agree.
 * Returns 1 when they agree, 0 when they differ or a pool failed. */
int verify_report(const verify_t *v, wbuf_t *out);

#endif
