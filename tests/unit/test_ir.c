/* test_ir.c - the encoded IR: round trips, and refusal of every truncation and of random
 * corruption without crashing (an engine decodes whatever arrives). */
#include "check.h"

#include "arena.h"
#include "builtins.h"
#include "ir.h"
#include "lang.h"

#include <stdlib.h>
#include <string.h>

static const char cell[] = "x = random.rand(10**6)\n"
                           "def f(a, b=2):\n"
                           "    for i in range(a):\n"
                           "        b += i\n"
                           "    return b if b > 0 else -b\n"
                           "s = 'nul\\0byte'\n"
                           "y = x[1:-1:2] * sqrt(x[:, 0]) @ x.T\n"
                           "0 < x.sum(axis=0) <= 1\n";

static void compile(const char *src, wbuf_t *out)
{
    arena_t *a = arena_new();
    err_t e;
    err_clear(&e);
    CHECK(lang_compile(a, src, strlen(src), 5, NULL, 0, out, &e) == 0);
    arena_destroy(&a);
}

static void test_roundtrip(void)
{
    wbuf_t w;
    wbuf_init(&w);
    compile(cell, &w);
    arena_t *a = arena_new();
    ir_node_t *root = NULL;
    err_t e;
    err_clear(&e);
    CHECK(ir_decode(a, w.p, w.len, &root, &e) == 0);
    wbuf_t w2;
    wbuf_init(&w2);
    ir_encode(root, &w2);
    CHECK(w2.len == w.len && memcmp(w.p, w2.p, w.len) == 0);
    /* spans survive */
    CHECK(root->op == IR_BLOCK && root->nkid == 5);
    CHECK(root->kid[1]->op == IR_DEF && root->kid[1]->at.cell == 5 && root->kid[1]->at.line == 2);
    CHECK(root->kid[2]->kid[1]->slen == 8 && memcmp(root->kid[2]->kid[1]->s, "nul\0byte", 8) == 0);
    CHECK(root->kid[4]->op == IR_DISPLAY && root->kid[4]->kid[0]->op == IR_CHAIN);
    wbuf_free(&w2);
    arena_destroy(&a);
    wbuf_free(&w);
}

static void test_hand_built(void)
{
    arena_t *a = arena_new();
    span_t at = {1, 1, 1, 3};
    ir_node_t *call = ir_new(a, IR_CALL, at, 3);
    call->kid[0] = ir_new(a, IR_BUILTIN, at, 0);
    call->kid[0]->imm.i = BI_HYPOT;
    call->kid[1] = ir_new(a, IR_NAME, at, 0);
    call->kid[1]->s = "x";
    call->kid[1]->slen = 1;
    call->kid[2] = ir_new(a, IR_FLOAT, at, 0);
    call->kid[2]->imm.f = 0.5;
    CHECK(ir_is_elemwise(call));
    wbuf_t w, p;
    wbuf_init(&w);
    wbuf_init(&p);
    ir_encode(call, &w);
    ir_node_t *root = NULL;
    err_t e;
    err_clear(&e);
    CHECK(ir_decode(a, w.p, w.len, &root, &e) == 0);
    ir_print(root, &p);
    CHECK_STR(wbuf_cstring(&p), "(CALL (BUILTIN hypot) (NAME x) (FLOAT 0.5))\n");
    wbuf_free(&w);
    wbuf_free(&p);
    arena_destroy(&a);
}

static void test_truncation(void)
{
    wbuf_t w;
    wbuf_init(&w);
    compile(cell, &w);
    for (size_t n = 0; n < w.len; n++) {
        arena_t *a = arena_new();
        ir_node_t *root = NULL;
        err_t e;
        err_clear(&e);
        /* a copy of exactly n bytes, so ASan sees any read past the end */
        unsigned char *cp = malloc(n ? n : 1);
        memcpy(cp, w.p, n);
        int rc = ir_decode(a, cp, n, &root, &e);
        if (rc != PARC_EPROTO) fprintf(stderr, "truncated at %zu: rc %d\n", n, rc);
        CHECK(rc == PARC_EPROTO);
        free(cp);
        arena_destroy(&a);
    }
    wbuf_free(&w);
}

static void test_corruption(void)
{
    wbuf_t w;
    wbuf_init(&w);
    compile(cell, &w);
    unsigned char *cp = malloc(w.len);
    uint64_t seed = 0x9E3779B97F4A7C15u;
    int refused = 0, accepted = 0;
    for (int trial = 0; trial < 3000; trial++) {
        memcpy(cp, w.p, w.len);
        int flips = 1 + trial % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(seed >> 33) % w.len;
            cp[at] = (unsigned char)(seed >> 17);
        }
        arena_t *a = arena_new();
        ir_node_t *root = NULL;
        err_t e;
        err_clear(&e);
        int rc = ir_decode(a, cp, w.len, &root, &e);
        if (rc == 0) {
            accepted++;
            wbuf_t p;
            wbuf_init(&p);
            ir_print(root, &p); /* a decoded tree is always printable */
            wbuf_free(&p);
        } else {
            refused++;
            CHECK(rc == PARC_EPROTO);
        }
        arena_destroy(&a);
    }
    CHECK(refused > 0);
    printf("corruption: %d refused, %d accepted (bytes in spans or values)\n", refused, accepted);
    free(cp);
    wbuf_free(&w);
}

int main(void)
{
    test_roundtrip();
    test_hand_built();
    test_truncation();
    test_corruption();
    return check_done();
}
