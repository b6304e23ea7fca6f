/* magic.h - peels IPython-style %magics off a cell before the language sees it (docs/magics.md).
 * magic_split cuts a cell into segments that run in order: global code, %px lines, a
 * %%px cell, kernel-side line magics (%engines, %who, %time ...) and `x?` inspections.
 * Code segments keep the cell's line numbers: their text is the cell with every other line
 * emptied (so `File "<cell 7>", line 3` points at the cell's line 3); a %px statement sits
 * at column `col` of its line in the cell. Pure: no sockets, no pool; memory from the arena. */
#ifndef PARC_MAGIC_H
#define PARC_MAGIC_H

#include <stddef.h>

#include "arena.h"
#include "err.h"

typedef enum {
    MAGIC_CODE,    /* src: global-view code */
    MAGIC_PX,      /* src: local-view code; targets, noblock from the options */
    MAGIC_LINE,    /* kernel-side magic `name` with `args` (src: its statement, if any) */
    MAGIC_INSPECT, /* `x?` / `x??`: src is the expression, detail 0 or 1 */
} magic_kind_t;

typedef struct {
    magic_kind_t kind;
    const char *name;     /* MAGIC_LINE: "engines", "time", "timeit", "who" ... (no %) */
    const char *args;     /* MAGIC_LINE: the rest of the line, trimmed ("" if none) */
    const char *src;      /* NUL-terminated code (CODE, PX, INSPECT, time/timeit statement) */
    size_t len;           /* strlen(src) */
    int line;             /* 1-based line of the segment's first line in the cell */
    int col;              /* columns that precede the code on that line (%px prefix) */
    const char *targets;  /* PX: --targets spec; NULL = every engine */
    int noblock;          /* PX: --noblock given */
    const char *out_name; /* PX: -o/--out NAME: each engine's result is stored as NAME */
    int collapse;         /* PX: 1 --collapse, 0 --no-collapse, -1 not given (%pxconfig's) */
    double timeout;       /* PX: --timeout seconds (0: none), -1 not given (%pxconfig's) */
    int detail;           /* INSPECT: 1 for `x??` */
} magic_seg_t;

typedef struct {
    magic_seg_t *segs;
    size_t n;
    int cell_time;     /* %%time: report the wall time of the whole cell at the end */
    int toggle_autopx; /* the cell was %autopx: flip autopx */
} magic_cell_t;

/* Splits src (len bytes) into segments. autopx: the cell runs as %%px unless it is
 * `%autopx`. Returns 0, PARC_ENOMEM, or PARC_EVALUE with err set to a UsageError message
 * ("Line magic function `%foo` not found."); err->at.line names the line. */
int magic_split(arena_t *a, const char *src, size_t len, int autopx, magic_cell_t *out, err_t *err);

/* Parses a --targets spec ("0,2", "::2", "1-3", "0:3", "-1", "all") against nranks engines
 * into a sorted list without duplicates (arena). 0, PARC_ENOMEM, or PARC_EVALUE (bad
 * syntax, out of range, empty) with err set. */
int magic_targets(arena_t *a, const char *spec, int nranks, int **out, size_t *n, err_t *err);

/* Parses a number of seconds ("2", "0.5"; 0 means no limit) into *out: 0, or -1 if bad. */
int magic_seconds(const char *text, double *out);

/* The kernel-side magics, for %lsmagic and completion: NULL-terminated, without '%'. */
extern const char *const magic_line_names[];

/* One line of help for a magic name (without %), or NULL if unknown. */
const char *magic_help(const char *name);

#endif
