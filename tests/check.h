/* check.h - the smallest test harness: CHECK records a failure with file:line and goes on;
 * check_done prints "N passed, N failed" and returns the exit code. */
#ifndef PARC_CHECK_H
#define PARC_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_pass++;                                                                          \
        } else {                                                                                   \
            check_fail++;                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                                     \
            check_pass++;                                                                          \
        } else {                                                                                   \
            check_fail++;                                                                          \
            fprintf(stderr, "%s:%d: got  \"%s\"\n%*s want \"%s\"\n", __FILE__, __LINE__,           \
                    g_ ? g_ : "(null)", (int)strlen(__FILE__) + 6, "", w_ ? w_ : "(null)");        \
        }                                                                                          \
    } while (0)

/* A staircase of `if` headers (`line` on each step, indented one more space each time) into
 * dst, up to n steps or until cap bytes would be passed; returns the bytes written. */
static inline size_t check_staircase(char *dst, size_t cap, int n, const char *line)
{
    size_t k = 0, len = strlen(line);
    for (int i = 0; i < n && k + (size_t)i + len <= cap; i++) {
        memset(dst + k, ' ', (size_t)i);
        memcpy(dst + k + (size_t)i, line, len);
        k += (size_t)i + len;
    }
    return k;
}

/* The whole file at path, NUL-terminated (malloc'ed; *len its length), or NULL. */
static inline char *check_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
    char *s = n >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        *len = fread(s, 1, (size_t)n, f);
        s[*len] = 0;
    }
    fclose(f);
    return s;
}

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_pass, check_fail);
    return check_fail ? 1 : 0;
}

#endif
