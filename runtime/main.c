/* main.c - parc-engine's entry point: `parc-engine --attach FILE`, started by mpirun (from
 * the kernel, or from a cluster launcher). Everything else happens in eng_main.
 * Engines run one per core, so each engine's OpenBLAS runs on one thread, unless
 * OPENBLAS_NUM_THREADS asks for more. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"

int main(int argc, char **argv)
{
    const char *attach = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--attach") == 0 && i + 1 < argc)
            attach = argv[++i];
        else if (strncmp(argv[i], "--attach=", 9) == 0)
            attach = argv[i] + 9;
        else {
            log_warn("usage: parc-engine --attach FILE");
            return 2;
        }
    }
    if (!attach) {
        log_warn("usage: parc-engine --attach FILE");
        return 2;
    }
    if (!getenv("OPENBLAS_NUM_THREADS")) openblas_set_num_threads(1);
    return eng_main(attach);
}
