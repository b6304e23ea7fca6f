/* err.c - the error table and the sticky err_set (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *kind;
} kinds[] = {
#define X(name, val, kind) {val, kind},
    PARC_ERRORS(X)
#undef X
};

int err_set(err_t *e, int code, span_t at, const char *fmt, ...)
{
    if (!e) return code;
    if (e->code) return e->code;
    e->code = code;
    e->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void err_clear(err_t *e)
{
    memset(e, 0, sizeof *e);
    e->rank = -1;
}

const char *err_kind(int code)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].code == code) return kinds[i].kind;
    return "Error";
}

int err_code(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0) return kinds[i].code;
    return 0;
}

span_t span_join(span_t a, span_t b)
{
    span_t r = a;
    if (b.line == a.line && b.col + b.len > a.col) r.len = b.col + b.len - a.col;
    return r;
}
