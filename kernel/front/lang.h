/* lang.h - the only door from the protocol server to the language (docs/architecture.md).
 * A pure front end: text plus an arena in, IR bytes or an error out; no sockets, no MPI,
 * no globals. proto_ and magic_ include this header, never lex.h, parse.h or comp.h.
 * All memory comes from the caller's arena except the IR bytes (a wbuf_t the caller owns).
 * Cursor positions and ranges are in Unicode code points, as Jupyter protocol 5.2+ says. */
#ifndef PARC_LANG_H
#define PARC_LANG_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "vartab.h"
#include "wire.h"

/* Compiles one cell (exec count `cell`, used in every span) into encoded IR appended to
 * out. `names` (may be NULL) says which variables exist on the engines, so that a user's
 * `sum = 3` shadows the builtin. local = 1 compiles for local view (%px): `rank` and
 * `nranks` are names there. The last statement, if an expression, becomes DISPLAY.
 * Returns 0 or a PARC_E* code (PARC_ESYNTAX, PARC_EINDENT, PARC_ENOMEM ...) with err set. */
int lang_compile(arena_t *a, const char *src, size_t len, uint32_t cell, const vartab_t *names,
                 int local, wbuf_t *out, err_t *err);

/* As lang_compile in local view, with each engine's result stored under `name` (%px -o):
 * a last expression statement E becomes `name = E` and then shows name; a cell ending
 * otherwise gets `name = None` appended. name must be an identifier. */
int lang_compile_store(arena_t *a, const char *src, size_t len, uint32_t cell,
                       const vartab_t *names, const char *name, wbuf_t *out, err_t *err);

typedef enum { LANG_COMPLETE, LANG_INCOMPLETE, LANG_INVALID } lang_status_t;

/* As Jupyter's is_complete: a cell that opens a block stays incomplete until an empty
 * line, as in IPython. *indent (from the arena) is the indent for the next line. */
lang_status_t lang_is_complete(arena_t *a, const char *src, size_t len, const char **indent);

/* Completion at code point `cursor`: matches (arena strings, sorted, unique) for the word
 * being typed: variables, builtins, `random.` members, array methods and attributes after
 * `x.`, magics after `%`. [*start, *end) is the code point range they replace. */
int lang_complete(arena_t *a, const char *src, size_t len, size_t cursor, const vartab_t *names,
                  const char ***matches, size_t *nmatches, size_t *start, size_t *end);

/* Inspection at code point `cursor` (the name under or just before it, `x?` included):
 * appends plain text to out (a builtin's signature and doc, a variable's kind, dtype,
 * shape, distribution and bytes per engine). Returns 1 when found, 0 when not. */
int lang_inspect(arena_t *a, const char *src, size_t len, size_t cursor, const vartab_t *names,
                 wbuf_t *out);

/* A call-chain frame of an error raised in the engines: where, and in which function. */
typedef struct {
    span_t at;
    const char *fn; /* "" at cell level */
} lang_frame_t;

/* Source text of a cell by exec count (NULL when unknown), for lang_format_error. */
typedef const char *(*lang_source_fn)(void *ud, uint32_t cell, size_t *len);

/* Formats an error as docs/language.md ("Errors") shows it, appending to out:
 *     File "<cell 7>", line 1, column 9      (one block per frame, outermost first)
 *       y = (x +* 2)
 *               ^
 *   [2:execute] SyntaxError: expected an expression after '+'
 * `who` is the engine prefix ("" for none, else "[2:execute] " style text given by caller).
 * The caret line underlines the span (at least one ^) within its source line. */
void lang_format_error(const err_t *e, const lang_frame_t *frames, size_t nframes, const char *who,
                       lang_source_fn src, void *ud, wbuf_t *out);

#endif
