/* plotfn.h - the builtins that reduce arrays for pictures, starting with histogram: argument
 * parsing with NumPy's messages, then the array layer (arrhist.h) does the work. call_
 * dispatches here. */
#ifndef PARC_PLOTFN_H
#define PARC_PLOTFN_H

#include "call.h"
#include "err.h"
#include "value.h"

/* histogram(x, bins=10, range=None) -> (counts, edges) as NumPy's. *out is owned by the
 * caller. Collective for a distributed x in global view. */
int plotfn_histogram(call_t *c, val_t *out, err_t *err);

/* plot, scatter, hist, imshow, figure, savefig: the data reduced where it lives (arrplot.h)
 * and sent to the kernel as a figure record (figure.h) for it to draw; *out is None. */
int plotfn_picture(call_t *c, int bi, val_t *out, err_t *err);

#endif
