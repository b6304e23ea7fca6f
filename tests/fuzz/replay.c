/* replay.c - runs every file of a corpus directory (the first argument) through the
 * LLVMFuzzerTestOneInput of the fuzz target it is linked with (fuzz_parse.c or fuzz_msg.c),
 * so each committed corpus, crash inputs included, is a ctest test in every build, with or
 * without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open %s\n", argv[0], dir);
        return 1;
    }
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t cap = 1 << 16, len = 0;
        uint8_t *buf = malloc(cap);
        size_t got;
        while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
            len += got;
            if (len == cap) {
                uint8_t *nb = realloc(buf, cap * 2);
                if (!nb) break;
                buf = nb;
                cap *= 2;
            }
        }
        fclose(f);
        if (!buf) continue;
        /* an exact-size copy, so ASan catches a read one past the end */
        uint8_t *exact = malloc(len ? len : 1);
        if (exact) {
            memcpy(exact, buf, len);
            LLVMFuzzerTestOneInput(exact, len);
            free(exact);
        }
        free(buf);
        n++;
    }
    closedir(d);
    printf("replayed %d inputs from %s\n", n, dir);
    return n > 0 ? 0 : 1;
}
