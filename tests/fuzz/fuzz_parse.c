/* fuzz_parse.c - libFuzzer target for the whole front end: text -> lang_compile -> IR bytes
 * -> ir_decode -> ir_print (as jq's jq_fuzz_compile.c), plus the interactive helpers on the
 * same text. Whatever the bytes, nothing may crash, leak or read out of bounds, and IR that
 * lang_compile produced must decode (a failure to decode our own output traps: that is a
 * front-end bug, not bad input). Built with -fsanitize=fuzzer,address when PARC_FUZZ=ON;
 * replay_parse.c runs the committed corpus through the same function in every build. */
#include "arena.h"
#include "ir.h"
#include "lang.h"
#include "vartab.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const char *p;
    size_t n;
} text_t;

static const char *source(void *ud, uint32_t cell, size_t *len)
{
    (void)cell;
    const text_t *t = ud;
    *len = t->n;
    return t->p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    arena_t *a = arena_new();
    vartab_t *names = vartab_new();
    if (!a || !names) goto out;
    vartab_rec_t x = {"x", "ndarray", "float64", "(10,)", "('b',)", "", 80, 0};
    vartab_rec_t s = {"sum", "int", "", "", "", "3", 0, 0};
    vartab_put(names, &x);
    vartab_put(names, &s);
    wbuf_t ir;
    wbuf_init(&ir);
    err_t e;
    err_clear(&e);
    text_t t = {src, size};
    if (lang_compile(a, src, size, 1, (size & 2) ? names : NULL, (int)(size & 1), &ir, &e) == 0) {
        arena_t *b = arena_new();
        ir_node_t *root = NULL;
        err_t d;
        err_clear(&d);
        if (b) {
            int rc = ir_decode(b, ir.p, ir.len, &root, &d);
            if (rc == 0) {
                wbuf_t p;
                wbuf_init(&p);
                ir_print(root, &p);
                wbuf_free(&p);
            } else if (rc != PARC_ENOMEM) {
                __builtin_trap(); /* our own IR must decode */
            }
            arena_destroy(&b);
        }
    } else {
        wbuf_t f;
        wbuf_init(&f);
        lang_frame_t fr = {e.at, "f"};
        lang_format_error(&e, &fr, 1, "[0:execute] ", source, &t, &f);
        lang_format_error(&e, NULL, 0, "", source, &t, &f);
        wbuf_free(&f);
    }
    wbuf_free(&ir);
    const char *indent;
    lang_is_complete(a, src, size, &indent);
    const char **m;
    size_t nm, st, en;
    lang_complete(a, src, size, size / 2, names, &m, &nm, &st, &en);
    lang_complete(a, src, size, size, names, &m, &nm, &st, &en);
    wbuf_t in;
    wbuf_init(&in);
    lang_inspect(a, src, size, size / 3, names, &in);
    lang_inspect(a, src, size, size, names, &in);
    wbuf_free(&in);
out:
    vartab_destroy(&names);
    arena_destroy(&a);
    return 0;
}
