/* figs.h - the figures of the running cell: the FIGURE records (figure.h) that plot calls
 * send while the cell runs are gathered per engine into figures (figure() starts a new one,
 * savefig() writes the current one at once), and shown as display_data when the cell's
 * segment ends, after its streams, in rank order: image/svg+xml or image/png (base64), with
 * the alt text as text/plain for front ends that show no pictures (jupyter console). */
#ifndef PARC_FIGS_H
#define PARC_FIGS_H

#include <stddef.h>

#include "chan.h"
#include "msg.h"
#include "wire.h"

typedef struct figs figs_t;

figs_t *figs_new(void); /* NULL when out of memory */
void figs_destroy(figs_t **fp);

/* One record from rank. What the user must hear of it (a malformed record, savefig's
 * outcome when it failed) is appended to note, as stderr text. */
void figs_record(figs_t *f, int rank, const void *body, size_t n, wbuf_t *note);
/* Publishes every figure as display_data for request req and forgets them. local: the
 * figures are per engine (a %px cell): the alt text names the engine. */
void figs_publish(figs_t *f, chan_t *chan, const msg_t *req, int local);

#endif
