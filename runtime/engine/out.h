/* out.h - what an engine rank sends up to the kernel while a cell runs: its stdout and
 * stderr text (live, as printed), the cell's displayed value, and input() requests.
 * out_ owns the rank's work socket side of the link (link.h); eval_ and arr_ call these
 * with the rt_t they were given. */
#ifndef PARC_OUT_H
#define PARC_OUT_H

#include <stddef.h>

#include "err.h"
#include "rt.h"

/* Sends text on stream 1 (stdout) or 2 (stderr) now, so it reaches the front end while
 * the cell still runs. Never fails visibly: a send error is logged on the engine's stderr. */
void out_write(rt_t *rt, int stream, const char *s, size_t n);

/* Sends the cell's displayed value (text/plain, and text/html or NULL). */
void out_result(rt_t *rt, const char *plain, size_t np, const char *html, size_t nh);

/* Sends one figure record (figure.h) for the kernel to draw (global view: rank 0's). */
void out_figure(rt_t *rt, const void *rec, size_t n);

/* input(prompt): asks the front end for a line. Global view: Collective; rank 0 asks and
 * broadcasts the answer. Local view: this rank asks. *line is mem_alloc'ed, caller frees.
 * PARC_EINTR when interrupted while waiting. */
int out_input(rt_t *rt, const char *prompt, int password, char **line, err_t *err);

#endif
