/* out.c - placeholder until the engine link lands: without an engine (rt->eng == NULL,
 * as in the engine tests) output goes to this process's own stdout/stderr, prefixed the
 * way the kernel would show it, so tests can read it. */
#include "out.h"

#include <stdio.h>

void out_write(rt_t *rt, int stream, const char *s, size_t n)
{
    FILE *f = stream == 2 ? stderr : stdout;
    (void)rt;
    fwrite(s, 1, n, f);
    fflush(f);
}

void out_result(rt_t *rt, const char *plain, size_t np, const char *html, size_t nh)
{
    (void)html;
    (void)nh;
    printf("Out[%d]: %.*s\n", rt->rank, (int)np, plain);
    fflush(stdout);
}

int out_input(rt_t *rt, const char *prompt, int password, char **line, err_t *err)
{
    (void)rt;
    (void)prompt;
    (void)password;
    (void)line;
    return err_set(err, PARC_ENOTIMPL, (span_t){0}, "input() needs a front end");
}
