/* kmagic.h - the line magics the kernel answers itself (%lsmagic, %magic, %engines, %who,
 * %whos, %pxresult, %autopx, %time, %timeit, %history, %pwd, %cd, %env, exit), run by exec_
 * as segments of a cell. */
#ifndef PARC_KMAGIC_H
#define PARC_KMAGIC_H

#include "exec.h"
#include "magic.h"

/* What the magics remember between cells (zeroed at start; kept by exec_). */
typedef struct {
    int autopx;        /* %autopx on: cells run as %%px */
    int nengines_last; /* engines asked for by the last %engines start (0: default) */
    char oldpwd[4096]; /* the directory before the last %cd ("" : none), for %cd - */
    /* %pxconfig: defaults for %px cells that do not give the option */
    char px_targets[128]; /* --targets spec; "" = every engine */
    int px_collapse;      /* --collapse */
    double px_timeout;    /* --timeout seconds; 0 = none */
    double timeout;       /* %timeout: global-view statements, seconds; 0 = none */
} kmagic_t;

/* Runs line magic g->name. Returns 0, or -1 when there is no such kernel-side magic. */
int kmagic_run(kmagic_t *k, exec_t *p, const magic_seg_t *g);

#endif
