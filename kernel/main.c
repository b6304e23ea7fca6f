/* main.c - parc-kernel's entry: `parc-kernel -f CONNECTION_FILE`, as the kernelspec says.
 * Reads the connection file, binds the Jupyter channels, starts the engines in the
 * background (kernel_info is answered at once) and runs the loop until shutdown_request,
 * SIGTERM or the death of the parent process. Logs go to stderr (Jupyter shows them in the
 * server's log). Jansson allocates through mem_ so fault injection covers JSON too. */
#include "log.h"
#include "conn.h"
#include "loop.h"
#include "mem.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "usage: parc-kernel -f CONNECTION_FILE\n");
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--connection-file") == 0) &&
            i + 1 < argc)
            file = argv[++i];
        else if (strncmp(argv[i], "--connection-file=", 18) == 0)
            file = argv[i] + 18;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        }
    }
    if (!file) {
        usage();
        return 2;
    }
    json_set_alloc_funcs(mem_alloc, mem_free);
    loop_install_signals();
    conn_t c;
    err_t err;
    err_clear(&err);
    if (conn_load(file, &c, &err) != 0) {
        fprintf(stderr, "parc-kernel: %s\n", err.msg);
        return 1;
    }
    loop_t *l = loop_new(&c, &err);
    conn_free(&c);
    if (!l) {
        fprintf(stderr, "parc-kernel: %s\n", err.msg);
        return 1;
    }
    log_info("parc-kernel: listening (connection file %s)", file);
    int rc = loop_run(l);
    loop_destroy(&l);
    log_info("parc-kernel: bye");
    return rc ? 1 : 0;
}
