/* show.h - the value of a DISPLAY statement (a cell's last bare expression), sent as the
 * cell's result through out_: NumPy's text (and HTML) for arrays, repr for the rest. */
#ifndef PARC_SHOW_H
#define PARC_SHOW_H

#include "err.h"
#include "ir.h"
#include "rt.h"
#include "value.h"

/* Shows v (borrowed); None shows nothing, silent shows nothing but still takes part in
 * the collectives. Collective in global view when v is or holds a distributed array, or
 * is per-engine (then rank 0 shows every rank's value as a list). n is the DISPLAY node. */
int show_value(rt_t *rt, int silent, const ir_node_t *n, const val_t *v, err_t *err);

#endif
