/* ir.c - the IR's opcode table, node construction, encoding, validated decoding and the
 * S-expression printer (see ir.h).
 *
 * Encoding: u32 IR_MAGIC, u16 IR_VERSION, u16 0, u32 node count, then the nodes in
 * preorder, each: u16 op, u16 flags, u32 cell, i32 line, i32 col, i32 len, i64 imm,
 * str s (u32 length + bytes), u32 nkid. Uniform records keep encoder and decoder trivially
 * in step; the IR of a cell is a few KB, so the spare bytes do not matter. */
#include "ir.h"
#include "builtins.h"

#include <inttypes.h>
#include <string.h>

static const struct {
    const char *name;
    int kids;
    ir_cls_t cls;
} ops[] = {
#define X(name, kids, cls, doc) {#name, kids, IR_CLS_##cls},
    IR_OPS(X)
#undef X
};

const char *ir_op_name(int op)
{
    return op >= 0 && op < IR_NOPS ? ops[op].name : "?";
}

int ir_op_kids(int op)
{
    return op >= 0 && op < IR_NOPS ? ops[op].kids : 0;
}

ir_cls_t ir_op_class(int op)
{
    return op >= 0 && op < IR_NOPS ? ops[op].cls : IR_CLS_AUX;
}

ir_node_t *ir_new(arena_t *a, int op, span_t at, uint32_t nkid)
{
    ir_node_t *n = arena_alloc(a, sizeof *n);
    if (!n) return NULL;
    n->op = (uint16_t)op;
    n->at = at;
    n->s = "";
    if (nkid) {
        n->kid = arena_array(a, nkid, sizeof *n->kid);
        if (!n->kid) return NULL;
    }
    n->nkid = nkid;
    return n;
}

int ir_is_elemwise(const ir_node_t *n)
{
    ir_cls_t c = ir_op_class(n->op);
    if (c == IR_CLS_BIN || c == IR_CLS_CMP || c == IR_CLS_UN) return 1;
    if (n->op != IR_CALL || n->nkid < 2 || n->kid[0]->op != IR_BUILTIN) return 0;
    int k = bi_ufunc_arity((int)n->kid[0]->imm.i);
    if (!k || n->nkid - 1 != (uint32_t)k) return 0;
    for (uint32_t i = 1; i < n->nkid; i++)
        if (n->kid[i]->op == IR_KWARG) return 0;
    return 1;
}

static uint32_t count(const ir_node_t *n)
{
    uint32_t c = 1;
    for (uint32_t i = 0; i < n->nkid; i++)
        c += count(n->kid[i]);
    return c;
}

static void enc(const ir_node_t *n, wbuf_t *o)
{
    wbuf_u16(o, n->op);
    wbuf_u16(o, n->flags);
    wbuf_u32(o, n->at.cell);
    wbuf_i32(o, n->at.line);
    wbuf_i32(o, n->at.col);
    wbuf_i32(o, n->at.len);
    wbuf_i64(o, n->imm.i);
    wbuf_str(o, n->s ? n->s : "", n->s ? n->slen : 0);
    wbuf_u32(o, n->nkid);
    for (uint32_t i = 0; i < n->nkid; i++)
        enc(n->kid[i], o);
}

void ir_encode(const ir_node_t *root, wbuf_t *out)
{
    wbuf_u32(out, IR_MAGIC);
    wbuf_u16(out, IR_VERSION);
    wbuf_u16(out, 0);
    wbuf_u32(out, count(root));
    enc(root, out);
}

typedef struct {
    arena_t *a;
    rbuf_t r;
    uint32_t left; /* nodes the header promised and not yet read */
    err_t *err;
} dec_t;

#define NODE_MIN_BYTES 36u /* fixed part of one encoded node */

static ir_node_t *dec(dec_t *d, int depth)
{
    if (depth > IR_MAXDEPTH) {
        err_set(d->err, PARC_EPROTO, (span_t){0}, "IR nested deeper than %d", IR_MAXDEPTH);
        return NULL;
    }
    if (d->left == 0) {
        err_set(d->err, PARC_EPROTO, (span_t){0}, "IR has more nodes than its header says");
        return NULL;
    }
    d->left--;
    rbuf_t *r = &d->r;
    uint16_t op = rbuf_u16(r);
    uint16_t flags = rbuf_u16(r);
    span_t at;
    at.cell = rbuf_u32(r);
    at.line = rbuf_i32(r);
    at.col = rbuf_i32(r);
    at.len = rbuf_i32(r);
    int64_t imm = rbuf_i64(r);
    size_t slen;
    const char *s = rbuf_str(r, &slen);
    uint32_t nkid = rbuf_u32(r);
    if (r->bad) {
        err_set(d->err, PARC_EPROTO, (span_t){0}, "IR truncated");
        return NULL;
    }
    if (op >= IR_NOPS) {
        err_set(d->err, PARC_EPROTO, at, "IR opcode %u unknown", op);
        return NULL;
    }
    int want = ops[op].kids;
    if ((want >= 0 && nkid != (uint32_t)want) || nkid > d->left ||
        (uint64_t)nkid * NODE_MIN_BYTES > rbuf_left(r)) {
        err_set(d->err, PARC_EPROTO, at, "IR node %s has a bad child count %u", ops[op].name, nkid);
        return NULL;
    }
    ir_node_t *n = ir_new(d->a, op, at, nkid);
    char *sc = n ? arena_strndup(d->a, s, slen) : NULL;
    if (!n || !sc) {
        err_set(d->err, PARC_ENOMEM, at, "out of memory decoding the IR");
        return NULL;
    }
    n->flags = flags;
    n->imm.i = imm;
    n->s = sc;
    n->slen = (uint32_t)slen;
    for (uint32_t i = 0; i < nkid; i++) {
        n->kid[i] = dec(d, depth + 1);
        if (!n->kid[i]) return NULL;
    }
    return n;
}

int ir_decode(arena_t *a, const void *p, size_t n, ir_node_t **root, err_t *err)
{
    dec_t d = {.a = a, .err = err};
    rbuf_init(&d.r, p, n);
    uint32_t magic = rbuf_u32(&d.r);
    uint16_t version = rbuf_u16(&d.r);
    rbuf_u16(&d.r);
    d.left = rbuf_u32(&d.r);
    if (d.r.bad || magic != IR_MAGIC)
        return err_set(err, PARC_EPROTO, (span_t){0}, "not parc IR (bad magic)");
    if (version != IR_VERSION)
        return err_set(err, PARC_EPROTO, (span_t){0}, "IR version %u, this engine reads %d",
                       version, IR_VERSION);
    if ((uint64_t)d.left * NODE_MIN_BYTES > rbuf_left(&d.r))
        return err_set(err, PARC_EPROTO, (span_t){0}, "IR node count does not fit its size");
    ir_node_t *r = dec(&d, 0);
    if (!r) return err ? err->code : PARC_EPROTO;
    if (d.left != 0 || rbuf_left(&d.r) != 0)
        return err_set(err, PARC_EPROTO, (span_t){0}, "IR has trailing bytes or nodes");
    *root = r;
    return 0;
}

static void print_str(const char *s, uint32_t n, wbuf_t *o)
{
    wbuf_u8(o, '"');
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            wbuf_printf(o, "\\%c", c);
        else if (c == '\n')
            wbuf_printf(o, "\\n");
        else if (c < 32 || c == 127)
            wbuf_printf(o, "\\x%02x", c);
        else
            wbuf_u8(o, c);
    }
    wbuf_u8(o, '"');
}

static void print(const ir_node_t *n, wbuf_t *o, int indent)
{
    wbuf_printf(o, "(%s", ir_op_name(n->op));
    switch (n->op) {
    case IR_BOOL:
    case IR_INT:
        wbuf_printf(o, " %" PRId64, n->imm.i);
        break;
    case IR_FLOAT:
    case IR_IMAG:
        wbuf_printf(o, " %.17g", n->imm.f);
        break;
    case IR_BUILTIN: {
        const bi_info_t *bi = bi_info((int)n->imm.i);
        wbuf_printf(o, " %s", bi ? bi->name : "?");
        break;
    }
    case IR_AUGASSIGN:
        wbuf_printf(o, " %s", ir_op_name((int)n->imm.i));
        break;
    case IR_CHAIN:
        for (uint32_t i = 0; i < n->slen; i++)
            wbuf_printf(o, " %s", ir_op_name((unsigned char)n->s[i]));
        break;
    default:
        break;
    }
    if (n->slen && n->op != IR_CHAIN) {
        wbuf_u8(o, ' ');
        if (n->op == IR_STR)
            print_str(n->s, n->slen, o);
        else
            wbuf_bytes(o, n->s, n->slen);
    }
    int stmts = n->op == IR_BLOCK;
    for (uint32_t i = 0; i < n->nkid; i++) {
        if (stmts) {
            wbuf_printf(o, "\n%*s", indent + 2, "");
            print(n->kid[i], o, indent + 2);
        } else {
            wbuf_u8(o, ' ');
            print(n->kid[i], o, indent);
        }
    }
    wbuf_u8(o, ')');
}

void ir_print(const ir_node_t *root, wbuf_t *out)
{
    print(root, out, 0);
    wbuf_u8(out, '\n');
}
