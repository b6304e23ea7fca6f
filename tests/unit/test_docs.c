/* test_docs.c - docs/language.md cannot drift from the builtin table (builtins.h).
 * The reference's builtin section is generated from PARC_BUILTINS, PARC_ARRAY_METHODS and
 * PARC_ARRAY_ATTRS and sits between two marker lines; this test regenerates it and fails
 * when the file's copy differs (and checks each signature is listed).
 *   test_docs            check (ctest runs it in tests/, so the file is ../docs/language.md)
 *   test_docs --doc      print the generated section
 *   test_docs --update   rewrite the section in ../docs/language.md */
#include "check.h"

#include "builtins.h"
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN                                                                                      \
    "<!-- builtins:begin (generated from kernel/common/builtins.h by tests/test_docs --update) "   \
    "-->"
#define END "<!-- builtins:end -->"
#define DOC "../docs/language.md"

static const struct {
    bi_kind_t kind;
    const char *title;
} sections[] = {
    {BI_K_FUNC, "Functions"},
    {BI_K_CREATE, "Array creation"},
    {BI_K_SHAPE, "Shape and layout"},
    {BI_K_RANDOM, "Random numbers"},
    {BI_K_UFUNC1, "Elementwise functions of one operand (fused)"},
    {BI_K_UFUNC2, "Elementwise functions of two operands (fused)"},
    {BI_K_UFUNC3, "Elementwise functions of three operands (fused)"},
    {BI_K_REDUCE, "Reductions"},
    {BI_K_CONST, "Constants"},
    {BI_K_DTYPE, "Dtypes"},
    {BI_K_COMM, "Communication (local view)"},
};

static const struct {
    const char *sig, *doc;
} methods[] =
    {
#define AM_ROW(n, sig, doc) {sig, doc},
        PARC_ARRAY_METHODS(AM_ROW)
#undef AM_ROW
},
  attrs[] = {
#define AA_ROW(n, sig, doc) {sig, doc},
      PARC_ARRAY_ATTRS(AA_ROW)
#undef AA_ROW
};

static void generate(wbuf_t *o)
{
    wbuf_printf(o, "%s\n", BEGIN);
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        wbuf_printf(o, "\n### %s\n\n", sections[s].title);
        for (int i = 0; i < BI_COUNT; i++) {
            const bi_info_t *b = bi_info(i);
            if (b->kind == sections[s].kind) wbuf_printf(o, "- `%s`: %s\n", b->sig, b->doc);
        }
    }
    wbuf_printf(o, "\n### Array methods\n\n");
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        wbuf_printf(o, "- `%s`: %s\n", methods[i].sig, methods[i].doc);
    wbuf_printf(o, "\n### Array attributes\n\n");
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        wbuf_printf(o, "- `%s`: %s\n", attrs[i].sig, attrs[i].doc);
    wbuf_printf(o, "\n%s", END);
}

int main(int argc, char **argv)
{
    wbuf_t g;
    wbuf_init(&g);
    generate(&g);
    const char *gen = wbuf_cstring(&g);
    if (argc > 1 && strcmp(argv[1], "--doc") == 0) {
        puts(gen);
        wbuf_free(&g);
        return 0;
    }
    size_t len = 0;
    char *doc = check_slurp(DOC, &len);
    CHECK(doc != NULL);
    char *b = doc ? strstr(doc, BEGIN) : NULL;
    char *e = b ? strstr(b, END) : NULL;
    CHECK(b && e);
    if (argc > 1 && strcmp(argv[1], "--update") == 0 && b && e) {
        FILE *f = fopen(DOC, "wb");
        if (f) {
            fwrite(doc, 1, (size_t)(b - doc), f);
            fputs(gen, f);
            fputs(e + strlen(END), f);
            fclose(f);
        }
        printf("updated %s\n", DOC);
    } else if (b && e) {
        size_t n = (size_t)(e + strlen(END) - b);
        if (n != g.len || memcmp(b, gen, n) != 0) {
            fprintf(stderr,
                    "%s: the builtin section differs from builtins.h; run "
                    "`tests/test_docs --update` in tests/ and commit\n",
                    DOC);
            check_fail++;
        } else {
            check_pass++;
        }
        /* and, plainly: every builtin's signature is in the reference */
        for (int i = 0; i < BI_COUNT; i++) {
            char want[512];
            snprintf(want, sizeof want, "`%s`", bi_info(i)->sig);
            if (!strstr(doc, want)) fprintf(stderr, "%s: missing %s\n", DOC, want);
            CHECK(strstr(doc, want) != NULL);
        }
    }
    free(doc);
    wbuf_free(&g);
    return check_done();
}
