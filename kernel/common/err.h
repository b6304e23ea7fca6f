/* err.h - errors as values: a code, a place in a cell, the rank that raised it, a message.
 * Every module returns 0 or a negative PARC_E* code and fills an err_t; the first error
 * recorded wins (sticky), so a caller can run several steps and check once at the end.
 * err_kind() maps a code to the Python-style kind the user sees ("ValueError"). */
#ifndef PARC_ERR_H
#define PARC_ERR_H

#include <stdint.h>

/* Where something is: the cell (its execution count; 0 = unknown), 1-based line and column,
 * and the length of the span in bytes. All zero means "nowhere in particular". */
typedef struct {
    uint32_t cell;
    int32_t line, col, len;
} span_t;

#define PARC_ERRORS(X)                                                                             \
    X(PARC_ESYNTAX, -1, "SyntaxError")                                                             \
    X(PARC_EINDENT, -2, "IndentationError")                                                        \
    X(PARC_ENAME, -3, "NameError")                                                                 \
    X(PARC_ETYPE, -4, "TypeError")                                                                 \
    X(PARC_EVALUE, -5, "ValueError")                                                               \
    X(PARC_EINDEX, -6, "IndexError")                                                               \
    X(PARC_EZERODIV, -7, "ZeroDivisionError")                                                      \
    X(PARC_ERECURSION, -8, "RecursionError")                                                       \
    X(PARC_ENOMEM, -9, "MemoryError")                                                              \
    X(PARC_EINTR, -10, "KeyboardInterrupt")                                                        \
    X(PARC_EOVERFLOW, -11, "OverflowError")                                                        \
    X(PARC_EATTR, -12, "AttributeError")                                                           \
    X(PARC_EKEY, -13, "KeyError")                                                                  \
    X(PARC_ENOTIMPL, -14, "NotImplementedError")                                                   \
    X(PARC_EIO, -15, "OSError")                                                                    \
    X(PARC_EMPI, -16, "MPIError")                                                                  \
    X(PARC_EENGINE, -17, "EngineError")                                                            \
    X(PARC_EPROTO, -18, "ProtocolError")                                                           \
    X(PARC_ERUNTIME, -19, "RuntimeError")                                                          \
    X(PARC_EASSERT, -20, "AssertionError")                                                         \
    X(PARC_ETIMEOUT, -21, "TimeoutError")                                                          \
    X(PARC_ELINALG, -22, "LinAlgError")                                                            \
    X(PARC_ENOENT, -23, "FileNotFoundError")                                                       \
    X(PARC_EPERM, -24, "PermissionError")

enum {
    PARC_OK = 0,
#define X(name, val, kind) name = val,
    PARC_ERRORS(X)
#undef X
        PARC_ELAST = -25
};

typedef struct {
    int code;      /* 0 = no error, else PARC_E* */
    span_t at;     /* where in the cell; zero span when unknown */
    int rank;      /* engine that raised it; -1 = the kernel */
    char msg[256]; /* the message after "Kind: ", NUL-terminated, truncated if long */
} err_t;

/* Records an error unless one is already recorded (first wins). Returns the code in e
 * afterwards, so `return err_set(...)` propagates the first error. e may be NULL. */
int err_set(err_t *e, int code, span_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears e to "no error, raised by the kernel". */
void err_clear(err_t *e);

/* "ValueError" for PARC_EVALUE; "Error" for codes outside the table. Static string. */
const char *err_kind(int code);

/* The code whose kind is `kind` ("ValueError" -> PARC_EVALUE), or 0 if none. */
int err_code(const char *kind);

/* A span covering a and b (a must start first; same line not required). */
span_t span_join(span_t a, span_t b);

#endif
