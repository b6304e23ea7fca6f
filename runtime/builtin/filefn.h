/* filefn.h - the builtins that read and write files: save and load (.npy), with NumPy's
 * argument names and messages; the array layer (arrfile.h) does the I/O. call_ dispatches
 * here. */
#ifndef PARC_FILEFN_H
#define PARC_FILEFN_H

#include "call.h"
#include "err.h"
#include "value.h"

/* save, load. *out is the caller's (None for save). Collective in global view. */
int filefn_call(call_t *c, int bi, val_t *out, err_t *err);

#endif
