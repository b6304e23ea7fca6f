/* pxbg.h - a %px --noblock cell running behind the notebook's back (docs/magics.md): its
 * engines' output, per-engine results and errors are kept here as they arrive, instead of
 * going to iopub, until %pxresult shows them (as often as asked, for all its engines or a
 * subset) through a rankout_ of the asking cell, so they read exactly as a blocking %px
 * cell's would. exec_ owns the one of the last --noblock cell and feeds it from the pool's
 * callbacks. Kept text is bounded (PXBG_MAX_BYTES); what is beyond is counted and named.
 * Never blocks. */
#ifndef PARC_PXBG_H
#define PARC_PXBG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "chan.h"
#include "lang.h"
#include "msg.h"
#include "pool.h"
#include "wire.h"

#define PXBG_MAX_BYTES (16u << 20) /* stream text kept per background cell */

typedef struct pxbg pxbg_t;

/* The background cell: execution count `cell`, its segment starting at line `line`,
 * column `col` (for error positions); targets sorted (copied; NULL, 0: every rank);
 * collapse: show it as --collapse does. Caller owns; NULL when out of memory. */
pxbg_t *pxbg_new(uint32_t cell, int line, int col, const int *targets, size_t ntargets,
                 int collapse);
void pxbg_destroy(pxbg_t **bp); /* NULL-safe, NULLs *bp */

void pxbg_stream(pxbg_t *b, int rank, int stream, const char *text, size_t n); /* 0/1 */
void pxbg_result(pxbg_t *b, int rank, const char *plain, size_t np, const char *html, size_t nh);
/* The cell ended with d (copied). timeout > 0: it was interrupted by its time limit of
 * that many seconds, and is reported as TimeoutError. 0 or PARC_ENOMEM. */
int pxbg_done(pxbg_t *b, const pool_done_t *d, double timeout);

int pxbg_finished(const pxbg_t *b); /* 1 once pxbg_done was called */
uint32_t pxbg_cell(const pxbg_t *b);
/* Appends the engine set the cell runs on ("0-3"), nranks: the job's size. */
void pxbg_describe(const pxbg_t *b, int nranks, wbuf_t *out);

/* Shows the finished cell's output and results as replies to req (borrowed; memory from a),
 * for the ranks in only[] (sorted; NULL, 0: all of its ranks): streams in rank order, then
 * "Out[rank:cell]: " results, as rankout_ shows a %px cell. When some of those ranks failed
 * the merged traceback is appended to tb and *ename and *evalue set (borrowed from b or
 * constant); otherwise *ename is NULL. src gives cells' text for the traceback. Returns 0,
 * PARC_ENOMEM, or PARC_EVALUE when only[] names a rank the cell did not run on. */
int pxbg_show(pxbg_t *b, chan_t *chan, const msg_t *req, arena_t *a, const int *only, size_t nonly,
              lang_source_fn src, void *ud, wbuf_t *tb, const char **ename, const char **evalue);

#endif
