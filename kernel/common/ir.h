/* ir.h - the program the kernel sends and the engines run: a tree of typed nodes.
 *
 * The encoded IR (magic "PIR1", version IR_VERSION) is the only contract between parc-kernel
 * and parc-engine: engines never see source text. comp_ builds the tree from the AST,
 * ir_encode turns it into bytes, the engine's ir_decode validates every byte (an engine
 * trusts the signature, not the sender's competence) and eval_ walks the tree.
 *
 * Why a tree and not a register bytecode: the work is in array kernels, not in dispatch;
 * a tree keeps a span on every node for free, and FUSE subtrees are handed whole to kern_,
 * which turns them into a blocked loop program at run time, once the dtypes are known.
 *
 * Node layout conventions (per opcode below): `kids` are ordered children; `s` is a name,
 * string literal or other bytes; `imm` an integer or float immediate. A missing optional
 * child is a NONE node, never NULL. */
#ifndef PARC_IR_H
#define PARC_IR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "wire.h"

#define IR_MAGIC    0x31524950u /* "PIR1" little-endian */
#define IR_VERSION  1
#define IR_MAXDEPTH 400 /* deeper trees are refused by comp_ and ir_decode */

/* IR_OP(name, kids, class, meaning). kids: fixed child count, or -1 for variable.
 * Classes: LIT literal, EXPR expression, BIN/CMP elementwise binary (fusible), UN
 * elementwise unary (fusible), STMT statement, AUX a node that only appears inside another. */
#define IR_OPS(X)                                                                                  \
    X(NONE, 0, LIT, "None; also an omitted optional child")                                        \
    X(BOOL, 0, LIT, "True/False in imm.i")                                                         \
    X(INT, 0, LIT, "int64 literal in imm.i")                                                       \
    X(FLOAT, 0, LIT, "float64 literal in imm.f")                                                   \
    X(IMAG, 0, LIT, "imaginary literal (imm.f)j: complex(0, imm.f)")                               \
    X(STR, 0, LIT, "string literal in s (escapes already decoded)")                                \
    X(ELLIPSIS, 0, LIT, "... (Ellipsis): as a subscript item, as many ':' as the axes left")       \
    X(BUILTIN, 0, LIT, "the builtin whose id (BI_*) is imm.i, as a value (callable/dtype/const)")  \
    X(NAME, 0, EXPR, "load the variable named s (local scope, then global)")                       \
    X(TUPLE, -1, EXPR, "tuple of the kids' values")                                                \
    X(LIST, -1, EXPR, "list of the kids' values")                                                  \
    X(ATTR, 1, EXPR, "attribute s of kid0 (x.shape, x.T)")                                         \
    X(SUBSCR, 2, EXPR, "kid0[kid1]; kid1 is one index or a TUPLE of indices and SLICEs")           \
    X(SLICE, 3, AUX, "start:stop:step inside SUBSCR; NONE kids for omitted parts")                 \
    X(CALL, -1, EXPR, "call kid0 with args kid1..; keyword args are KWARG kids after positional")  \
    X(METHOD, -1, EXPR, "call method s of kid0 with args kid1.. (x.sum(axis=0))")                  \
    X(KWARG, 1, AUX, "keyword argument s=kid0 inside CALL/METHOD")                                 \
    X(ADD, 2, BIN, "kid0 + kid1")                                                                  \
    X(SUB, 2, BIN, "kid0 - kid1")                                                                  \
    X(MUL, 2, BIN, "kid0 * kid1")                                                                  \
    X(DIV, 2, BIN, "kid0 / kid1 (true division)")                                                  \
    X(FLOORDIV, 2, BIN, "kid0 // kid1")                                                            \
    X(MOD, 2, BIN, "kid0 % kid1 (sign of divisor, as Python/NumPy)")                               \
    X(POW, 2, BIN, "kid0 ** kid1")                                                                 \
    X(LSHIFT, 2, BIN, "kid0 << kid1")                                                              \
    X(RSHIFT, 2, BIN, "kid0 >> kid1")                                                              \
    X(BITAND, 2, BIN, "kid0 & kid1")                                                               \
    X(BITOR, 2, BIN, "kid0 | kid1")                                                                \
    X(BITXOR, 2, BIN, "kid0 ^ kid1")                                                               \
    X(MATMUL, 2, EXPR, "kid0 @ kid1 (not elementwise)")                                            \
    X(LT, 2, CMP, "kid0 < kid1")                                                                   \
    X(LE, 2, CMP, "kid0 <= kid1")                                                                  \
    X(GT, 2, CMP, "kid0 > kid1")                                                                   \
    X(GE, 2, CMP, "kid0 >= kid1")                                                                  \
    X(EQ, 2, CMP, "kid0 == kid1")                                                                  \
    X(NE, 2, CMP, "kid0 != kid1")                                                                  \
    X(IS, 2, EXPR, "kid0 is kid1")                                                                 \
    X(ISNOT, 2, EXPR, "kid0 is not kid1")                                                          \
    X(IN, 2, EXPR, "kid0 in kid1")                                                                 \
    X(NOTIN, 2, EXPR, "kid0 not in kid1")                                                          \
    X(CHAIN, -1, EXPR, "chained comparison k0 op0 k1 op1 k2..; s holds the n-1 opcodes as bytes")  \
    X(NEG, 1, UN, "-kid0")                                                                         \
    X(POS, 1, UN, "+kid0")                                                                         \
    X(INVERT, 1, UN, "~kid0")                                                                      \
    X(NOT, 1, EXPR, "not kid0 (truth value)")                                                      \
    X(AND, 2, EXPR, "kid0 and kid1, short-circuit, yields an operand")                             \
    X(OR, 2, EXPR, "kid0 or kid1, short-circuit, yields an operand")                               \
    X(IFEXP, 3, EXPR, "kid1 if kid0 else kid2")                                                    \
    X(LAMBDA, -1, EXPR, "lambda: PARAM kids (imm.i of them), then the body expression")            \
    X(PARAM, -1, AUX, "parameter s; 0 kids, or 1 kid: its default value")                          \
    X(FUSE, 1, EXPR,                                                                               \
      "kid0 is an elementwise tree (BIN/CMP/UN/ufunc CALL inner nodes) to run as "                 \
      "one blocked loop; its other nodes are leaves evaluated first, left to right")               \
    X(BLOCK, -1, STMT, "statements in order")                                                      \
    X(EXPR, 1, STMT, "evaluate kid0, discard it")                                                  \
    X(DISPLAY, 1, STMT, "evaluate kid0 and show it as the cell's result (None shows nothing)")     \
    X(ASSIGN, -1, STMT, "kids 0..n-2 are targets (NAME/TUPLE/LIST/SUBSCR), kid n-1 the value")     \
    X(AUGASSIGN, 2, STMT, "kid0 op= kid1; imm.i is the IR_* opcode of the binary op")              \
    X(DEL, -1, STMT, "delete each target kid (NAME or SUBSCR)")                                    \
    X(IF, 3, STMT, "if kid0: kid1 (BLOCK) else: kid2 (BLOCK, IF for elif, or NONE)")               \
    X(WHILE, 3, STMT, "while kid0: kid1 else: kid2 (BLOCK or NONE)")                               \
    X(FOR, 4, STMT, "for kid0 (target) in kid1: kid2 else: kid3 (BLOCK or NONE)")                  \
    X(BREAK, 0, STMT, "break")                                                                     \
    X(CONTINUE, 0, STMT, "continue")                                                               \
    X(PASS, 0, STMT, "pass")                                                                       \
    X(RETURN, 1, STMT, "return kid0 (NONE for a bare return)")                                     \
    X(DEF, -1, STMT, "def s(PARAM kids (imm.i of them)): last kid (BLOCK)")                        \
    X(GLOBAL, 0, STMT, "global s: names in s, separated by ','")

typedef enum {
#define X(name, kids, cls, doc) IR_##name,
    IR_OPS(X)
#undef X
        IR_NOPS
} ir_op_t;

typedef enum {
    IR_CLS_LIT,
    IR_CLS_EXPR,
    IR_CLS_BIN,
    IR_CLS_CMP,
    IR_CLS_UN,
    IR_CLS_STMT,
    IR_CLS_AUX
} ir_cls_t;

typedef struct ir_node ir_node_t;
struct ir_node {
    uint16_t op;    /* ir_op_t */
    uint16_t flags; /* reserved, 0 */
    span_t at;      /* where in which cell the construct came from */
    union {
        int64_t i;
        double f;
    } imm;
    const char *s; /* NUL-terminated; "" when unused; slen excludes the NUL */
    uint32_t slen; /* strings may hold NUL bytes: use slen, not strlen */
    uint32_t nkid;
    ir_node_t **kid; /* nkid children, never NULL entries */
};

const char *ir_op_name(int op); /* "ADD"; "?" for out-of-range */
int ir_op_kids(int op);         /* fixed child count or -1 */
ir_cls_t ir_op_class(int op);

/* Builds a node in arena a with nkid zeroed child slots. NULL on allocation failure. */
ir_node_t *ir_new(arena_t *a, int op, span_t at, uint32_t nkid);

/* Appends the encoding (header + preorder nodes) of root to out. Check out->oom after. */
void ir_encode(const ir_node_t *root, wbuf_t *out);

/* Decodes and validates bytes into a tree allocated from a (caller owns the arena).
 * Returns 0 or PARC_EPROTO (bad magic, version, opcode, arity, depth, truncation) with err
 * set, or PARC_ENOMEM. Never reads outside [p, p+n). */
int ir_decode(arena_t *a, const void *p, size_t n, ir_node_t **root, err_t *err);

/* 1 when n is an inner node of an elementwise (FUSE) tree: a BIN, CMP or UN op, or a CALL
 * whose kid0 is a BUILTIN of kind UFUNC1/2/3 with only positional arguments. A FUSE
 * tree's leaves are, in preorder left to right, the maximal subtrees that are not inner
 * nodes (a CALL's kid0, the BUILTIN callee, is neither: it is skipped). comp_ uses this to
 * build FUSE nodes, eval_ to evaluate the leaves, kern_ to build its loop program. */
int ir_is_elemwise(const ir_node_t *n);

/* Appends a one-line-per-statement S-expression dump: (ADD (NAME x) (INT 1)).
 * Used by the language tests and by `parc-kernel --dump-ir`. */
void ir_print(const ir_node_t *root, wbuf_t *out);

#endif
