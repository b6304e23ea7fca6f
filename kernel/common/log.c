/* log.c - see log.h. One line per call, written with a single fprintf so lines from
 * threads do not interleave mid-line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((format(printf, 1, 0))) static void vlog(const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

void log_info(const char *fmt, ...)
{
    const char *d = getenv("PARC_DEBUG");
    if (!d || !*d || (d[0] == '0' && !d[1])) return;
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}
