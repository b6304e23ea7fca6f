/* hist.h - the cells this kernel ran, by execution count: source text for error tracebacks
 * (lang_format_error looks lines up here) and the answers to history_request. Owns copies
 * of the sources. Cells run with store_history false are kept for tracebacks only. */
#ifndef PARC_HIST_H
#define PARC_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct hist hist_t;

typedef struct {
    uint32_t cell;   /* execution count the cell ran under */
    int stored;      /* 1: store_history was true (history_request shows it) */
    const char *src; /* NUL-terminated, owned by the table */
    size_t len;
} hist_entry_t;

hist_t *hist_new(void); /* caller owns; NULL on failure */
void hist_destroy(hist_t **hp);
/* Records a cell's source (copied). 0 or PARC_ENOMEM. Keeps at most HIST_MAX entries of
 * unstored cells (the oldest unstored ones are forgotten first). */
int hist_add(hist_t *h, uint32_t cell, int stored, const char *src, size_t len);
/* The latest source recorded for `cell`, or NULL. Borrowed until the next hist_add. */
const char *hist_source(const hist_t *h, uint32_t cell, size_t *len);
size_t hist_count(const hist_t *h);
const hist_entry_t *hist_at(const hist_t *h, size_t i); /* in the order they ran */

#endif
