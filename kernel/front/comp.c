/* comp.c - the compiler from AST to IR (see comp.h); last step of lex -> parse -> comp.
 *
 * Names: a NAME that spells a builtin (builtins.h) becomes a BUILTIN node, so the engines
 * dispatch on an id and never look a builtin up by text. A user's binding shadows it: a
 * variable the engines already hold (`names`), or a name the cell binds in the scope that
 * reads it (assignment, for target, def, parameter, global declaration). Scopes are found by
 * a prescan of each body before it is compiled, because Python's rule is "bound anywhere in
 * the scope", not "bound before this line". `random.rand` and `linalg.inv` resolve the same
 * way through their module's name; an unknown `random.x` is an AttributeError here, before
 * any engine runs.
 *
 * Fusion: after the tree is built, each maximal subtree whose root ir_is_elemwise() holds
 * is wrapped in a FUSE node, for kern_ to run as one blocked loop; the subtrees hanging off
 * it (calls, names, subscripts) are compiled on their own and may hold FUSE nodes of their
 * own. A negated numeric literal is folded first (`x[-1]` indexes with INT -1, not a loop). */
#include "comp.h"
#include "builtins.h"

#include <string.h>

typedef struct scope scope_t;
struct scope {
    scope_t *up;      /* enclosing scope; NULL above module scope */
    const char **tab; /* names bound here: open addressing, cap a power of two */
    size_t n, cap;
};

typedef struct {
    arena_t *a;
    const vartab_t *names; /* engines' variables; may be NULL */
    int local;             /* compiling for local view */
    err_t *err;
    scope_t *sc;     /* innermost scope */
    scope_t *module; /* the cell's module scope */
} comp_t;

static ir_node_t *expr(comp_t *c, const ast_t *e);
static ir_node_t *stmt(comp_t *c, const ast_t *s, int display);

static void oom(comp_t *c, span_t at)
{
    err_set(c->err, PARC_ENOMEM, at, "out of memory");
}

static ir_node_t *mk(comp_t *c, int op, span_t at, uint32_t nkid)
{
    if (c->err->code) return NULL;
    ir_node_t *n = ir_new(c->a, op, at, nkid);
    if (!n) oom(c, at);
    return n;
}

static size_t hash(const char *s)
{
    size_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int bound_in(const scope_t *s, const char *name)
{
    if (!s->cap) return 0;
    for (size_t i = hash(name) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->tab[i]) return 0;
        if (strcmp(s->tab[i], name) == 0) return 1;
    }
}

static void put(scope_t *s, const char *name)
{
    size_t i = hash(name) & (s->cap - 1);
    while (s->tab[i])
        i = (i + 1) & (s->cap - 1);
    s->tab[i] = name;
    s->n++;
}

/* Binds name in s; s == NULL (a def's body seen from the enclosing scope's prescan, where
 * only its global declarations matter) binds nothing. */
static void bind(comp_t *c, scope_t *s, const char *name)
{
    if (!s || c->err->code || bound_in(s, name)) return;
    if (2 * (s->n + 1) > s->cap) { /* keep the table at most half full */
        size_t cap = s->cap ? s->cap * 2 : 16;
        const char **old = s->tab;
        size_t oldcap = s->cap;
        s->tab = arena_array(c->a, cap, sizeof *s->tab);
        if (!s->tab) {
            s->tab = old;
            oom(c, (span_t){0});
            return;
        }
        s->cap = cap;
        s->n = 0;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i]) put(s, old[i]);
    }
    put(s, name);
}

static void bind_target(comp_t *c, scope_t *s, const ast_t *t)
{
    if (t->kind == AST_NAME) bind(c, s, t->s);
    if (t->kind == AST_TUPLE || t->kind == AST_LIST)
        for (uint32_t i = 0; i < t->n; i++)
            bind_target(c, s, t->kid[i]);
}

/* Prescan: the names statement s binds in scope sc. Function bodies are their own scopes,
 * except that a `global` declaration anywhere binds the name at module scope. */
static void prescan(comp_t *c, scope_t *sc, const ast_t *s)
{
    switch (s->kind) {
    case AST_ASSIGN:
        for (uint32_t i = 0; i + 1 < s->n; i++)
            bind_target(c, sc, s->kid[i]);
        break;
    case AST_AUGASSIGN:
        bind_target(c, sc, s->kid[0]);
        break;
    case AST_FOR:
        bind_target(c, sc, s->kid[0]);
        for (uint32_t i = 2; i < s->n; i++)
            prescan(c, sc, s->kid[i]);
        break;
    case AST_DEF:
        bind(c, sc, s->s);
        prescan(c, NULL, s->kid[s->n - 1]); /* only its global declarations matter here */
        break;
    case AST_GLOBAL:
        for (uint32_t i = 0; i < s->n; i++)
            bind(c, c->module, s->kid[i]->s);
        break;
    case AST_IF:
    case AST_WHILE:
        for (uint32_t i = 1; i < s->n; i++)
            prescan(c, sc, s->kid[i]);
        break;
    case AST_BLOCK:
        for (uint32_t i = 0; i < s->n; i++)
            prescan(c, sc, s->kid[i]);
        break;
    default:
        break;
    }
}

static int shadowed(const comp_t *c, const char *name)
{
    for (const scope_t *s = c->sc; s; s = s->up)
        if (bound_in(s, name)) return 1;
    return c->names && vartab_get(c->names, name) != NULL;
}

static ir_node_t *builtin(comp_t *c, const ast_t *e, int id)
{
    ir_node_t *n = mk(c, IR_BUILTIN, e->at, 0);
    if (n) n->imm.i = id;
    return n;
}

static ir_node_t *named(comp_t *c, int op, const ast_t *e)
{
    ir_node_t *n = mk(c, op, e->at, op == IR_ATTR || op == IR_KWARG ? 1 : 0);
    if (n) {
        n->s = e->s;
        n->slen = e->slen;
    }
    return n;
}

/* `random.rand` (or `linalg.inv`) when the module's name is not a user's: the builtin's id, -1 when
 * e is not of that shape, -2 (error set) when the member does not exist. */
static int dotted(comp_t *c, const ast_t *e)
{
    if (e->kind != AST_ATTR || e->kid[0]->kind != AST_NAME) return -1;
    const char *mod = e->kid[0]->s;
    if ((strcmp(mod, "random") != 0 && strcmp(mod, "linalg") != 0) || shadowed(c, mod)) return -1;
    char buf[128];
    size_t ml = strlen(mod), al = e->slen;
    if (ml + 1 + al >= sizeof buf) al = sizeof buf - ml - 2;
    memcpy(buf, mod, ml);
    buf[ml] = '.';
    memcpy(buf + ml + 1, e->s, al);
    int id = bi_lookup(buf, ml + 1 + al);
    if (id < 0) {
        err_set(c->err, PARC_EATTR, e->at, "module '%s' has no attribute '%s'", mod, e->s);
        return -2;
    }
    return id;
}

/* A target of =, del or for: names stay names even when they spell a builtin. */
static ir_node_t *store(comp_t *c, const ast_t *t)
{
    if (t->kind == AST_NAME) return named(c, IR_NAME, t);
    if (t->kind == AST_TUPLE || t->kind == AST_LIST) {
        ir_node_t *n = mk(c, t->kind == AST_TUPLE ? IR_TUPLE : IR_LIST, t->at, t->n);
        for (uint32_t i = 0; n && i < t->n; i++)
            n->kid[i] = store(c, t->kid[i]);
        return c->err->code ? NULL : n;
    }
    return expr(c, t);
}

static void kids(comp_t *c, ir_node_t *n, const ast_t *e, uint32_t from)
{
    for (uint32_t i = 0; n && i < e->n; i++)
        n->kid[from + i] = expr(c, e->kid[i]);
}

/* A node of kind op with nkid kids, the first e->n of them e's kids compiled. */
static ir_node_t *with_kids(comp_t *c, int op, const ast_t *e, uint32_t nkid)
{
    ir_node_t *n = mk(c, op, e->at, nkid);
    kids(c, n, e, 0);
    return n;
}

/* PARAM kids of a def or lambda into n (defaults compiled in the enclosing scope), binding
 * the parameter names in the new scope fs. */
static void params(comp_t *c, ir_node_t *n, const ast_t *fn, uint32_t np, scope_t *fs)
{
    for (uint32_t i = 0; n && i < np; i++) {
        const ast_t *pm = fn->kid[i];
        ir_node_t *k = mk(c, IR_PARAM, pm->at, pm->n);
        if (!k) return;
        k->s = pm->s;
        k->slen = pm->slen;
        if (pm->n) k->kid[0] = expr(c, pm->kid[0]);
        n->kid[i] = k;
        bind(c, fs, pm->s);
    }
}

static ir_node_t *call(comp_t *c, const ast_t *e)
{
    const ast_t *fn = e->kid[0];
    int id = dotted(c, fn);
    if (id == -2) return NULL;
    ir_node_t *n;
    if (fn->kind == AST_ATTR && id < 0) {
        n = mk(c, IR_METHOD, e->at, e->n);
        if (!n) return NULL;
        n->s = fn->s;
        n->slen = fn->slen;
        n->kid[0] = expr(c, fn->kid[0]);
    } else {
        n = mk(c, IR_CALL, e->at, e->n);
        if (!n) return NULL;
        n->kid[0] = id >= 0 ? builtin(c, fn, id) : expr(c, fn);
    }
    for (uint32_t i = 1; i < e->n; i++) {
        const ast_t *a = e->kid[i];
        if (a->kind == AST_KWARG) {
            ir_node_t *k = named(c, IR_KWARG, a);
            if (k) k->kid[0] = expr(c, a->kid[0]);
            n->kid[i] = k;
        } else {
            n->kid[i] = expr(c, a);
        }
    }
    return c->err->code ? NULL : n;
}

static ir_node_t *lambda(comp_t *c, const ast_t *e)
{
    uint32_t np = (uint32_t)e->v.i;
    ir_node_t *n = mk(c, IR_LAMBDA, e->at, np + 1);
    scope_t fs = {.up = c->sc};
    params(c, n, e, np, &fs);
    if (!n || c->err->code) return NULL;
    n->imm.i = np;
    scope_t *saved = c->sc;
    c->sc = &fs;
    n->kid[np] = expr(c, e->kid[np]);
    c->sc = saved;
    return c->err->code ? NULL : n;
}

/* The IR constant for each AST literal kind. */
static const unsigned char literal_ir[] = {
    [AST_BOOL] = IR_BOOL, [AST_INT] = IR_INT, [AST_FLOAT] = IR_FLOAT, [AST_IMAG] = IR_IMAG};

static ir_node_t *expr(comp_t *c, const ast_t *e)
{
    if (c->err->code) return NULL;
    ir_node_t *n = NULL;
    switch (e->kind) {
    case AST_NONE:
        return mk(c, IR_NONE, e->at, 0);
    case AST_ELLIPSIS:
        return mk(c, IR_ELLIPSIS, e->at, 0);
    case AST_BOOL:
    case AST_INT:
    case AST_FLOAT:
    case AST_IMAG:
        n = mk(c, literal_ir[e->kind], e->at, 0);
        if (n) n->imm.i = e->v.i; /* the union's bits: i or f alike */
        return n;
    case AST_STR:
        return named(c, IR_STR, e);
    case AST_NAME: {
        int id = bi_lookup(e->s, e->slen);
        if (id >= 0 && !shadowed(c, e->s)) return builtin(c, e, id);
        return named(c, IR_NAME, e);
    }
    case AST_ATTR: {
        int id = dotted(c, e);
        if (id >= 0) return builtin(c, e, id);
        if (id == -2) return NULL;
        n = named(c, IR_ATTR, e);
        if (n) n->kid[0] = expr(c, e->kid[0]);
        return n;
    }
    case AST_TUPLE:
    case AST_LIST:
        return with_kids(c, e->kind == AST_TUPLE ? IR_TUPLE : IR_LIST, e, e->n);
    case AST_SUBSCR:
        return with_kids(c, IR_SUBSCR, e, 2);
    case AST_SLICE:
        return with_kids(c, IR_SLICE, e, 3);
    case AST_CALL:
        return call(c, e);
    case AST_BINOP:
    case AST_BOOLOP:
        return with_kids(c, e->op, e, 2);
    case AST_UNARY: {
        const ast_t *k = e->kid[0];
        /* -1j stays a negation: Python's -1j is complex(-0.0, -1.0), which an imaginary
         * constant cannot hold. */
        if (e->op == IR_NEG && (k->kind == AST_INT || k->kind == AST_FLOAT)) {
            n = expr(c, k);
            if (!n) return NULL;
            if (k->kind == AST_INT)
                n->imm.i = -n->imm.i;
            else
                n->imm.f = -n->imm.f;
            n->at = e->at;
            return n;
        }
        return with_kids(c, e->op, e, 1);
    }
    case AST_COMPARE:
        if (e->n == 2) {
            n = mk(c, (unsigned char)e->s[0], e->at, 2);
        } else {
            n = mk(c, IR_CHAIN, e->at, e->n);
            if (n) {
                n->s = e->s;
                n->slen = e->slen;
            }
        }
        kids(c, n, e, 0);
        return n;
    case AST_IFEXP:
        return with_kids(c, IR_IFEXP, e, 3);
    case AST_LAMBDA:
        return lambda(c, e);
    default:
        err_set(c->err, PARC_ESYNTAX, e->at, "invalid syntax");
        return NULL;
    }
}

static ir_node_t *block(comp_t *c, const ast_t *b, int display_last)
{
    ir_node_t *n = mk(c, IR_BLOCK, b->at, b->n);
    for (uint32_t i = 0; n && i < b->n; i++)
        n->kid[i] = stmt(c, b->kid[i], display_last && i + 1 == b->n);
    return c->err->code ? NULL : n;
}

static ir_node_t *else_part(comp_t *c, const ast_t *e)
{
    if (e->kind == AST_NONE) return mk(c, IR_NONE, e->at, 0);
    if (e->kind == AST_IF) return stmt(c, e, 0);
    return block(c, e, 0);
}

static ir_node_t *def(comp_t *c, const ast_t *s)
{
    uint32_t np = (uint32_t)s->v.i;
    ir_node_t *n = mk(c, IR_DEF, s->at, np + 1);
    scope_t fs = {.up = c->sc};
    params(c, n, s, np, &fs);
    if (!n || c->err->code) return NULL;
    n->s = s->s;
    n->slen = s->slen;
    n->imm.i = np;
    const ast_t *body = s->kid[np];
    prescan(c, &fs, body);
    scope_t *saved = c->sc;
    c->sc = &fs;
    n->kid[np] = block(c, body, 0);
    c->sc = saved;
    return c->err->code ? NULL : n;
}

static ir_node_t *global(comp_t *c, const ast_t *s)
{
    size_t len = 0;
    for (uint32_t i = 0; i < s->n; i++)
        len += s->kid[i]->slen + 1;
    char *buf = arena_alloc(c->a, len + 1);
    ir_node_t *n = mk(c, IR_GLOBAL, s->at, 0);
    if (!buf || !n) {
        oom(c, s->at);
        return NULL;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        if (i) buf[k++] = ',';
        memcpy(buf + k, s->kid[i]->s, s->kid[i]->slen);
        k += s->kid[i]->slen;
    }
    buf[k] = 0;
    n->s = buf;
    n->slen = (uint32_t)k;
    return n;
}

static ir_node_t *stmt(comp_t *c, const ast_t *s, int display)
{
    if (c->err->code) return NULL;
    ir_node_t *n = NULL;
    switch (s->kind) {
    case AST_EXPR:
        n = mk(c, display ? IR_DISPLAY : IR_EXPR, s->at, 1);
        kids(c, n, s, 0);
        return n;
    case AST_ASSIGN:
        n = mk(c, IR_ASSIGN, s->at, s->n);
        for (uint32_t i = 0; n && i + 1 < s->n; i++)
            n->kid[i] = store(c, s->kid[i]);
        if (n) n->kid[s->n - 1] = expr(c, s->kid[s->n - 1]);
        return n;
    case AST_AUGASSIGN:
        n = mk(c, IR_AUGASSIGN, s->at, 2);
        if (!n) return NULL;
        n->imm.i = s->op;
        n->kid[0] = store(c, s->kid[0]);
        n->kid[1] = expr(c, s->kid[1]);
        return n;
    case AST_DEL:
        n = mk(c, IR_DEL, s->at, s->n);
        for (uint32_t i = 0; n && i < s->n; i++)
            n->kid[i] = store(c, s->kid[i]);
        return n;
    case AST_IF:
    case AST_WHILE:
        n = mk(c, s->kind == AST_IF ? IR_IF : IR_WHILE, s->at, 3);
        if (!n) return NULL;
        n->kid[0] = expr(c, s->kid[0]);
        n->kid[1] = block(c, s->kid[1], 0);
        n->kid[2] = else_part(c, s->kid[2]);
        return n;
    case AST_FOR:
        n = mk(c, IR_FOR, s->at, 4);
        if (!n) return NULL;
        n->kid[0] = store(c, s->kid[0]);
        n->kid[1] = expr(c, s->kid[1]);
        n->kid[2] = block(c, s->kid[2], 0);
        n->kid[3] = else_part(c, s->kid[3]);
        return n;
    case AST_BREAK:
        return mk(c, IR_BREAK, s->at, 0);
    case AST_CONTINUE:
        return mk(c, IR_CONTINUE, s->at, 0);
    case AST_PASS:
        return mk(c, IR_PASS, s->at, 0);
    case AST_RETURN:
        n = mk(c, IR_RETURN, s->at, 1);
        kids(c, n, s, 0);
        return n;
    case AST_DEF:
        return def(c, s);
    case AST_GLOBAL:
        return global(c, s);
    case AST_BLOCK:
        return block(c, s, 0);
    default:
        err_set(c->err, PARC_ESYNTAX, s->at, "invalid syntax");
        return NULL;
    }
}

/* ---- fusion ---- */

static ir_node_t *fuse(comp_t *c, ir_node_t *n);

static void inner(comp_t *c, ir_node_t *n)
{
    for (uint32_t i = n->op == IR_CALL ? 1 : 0; i < n->nkid; i++) {
        if (ir_is_elemwise(n->kid[i]))
            inner(c, n->kid[i]);
        else
            n->kid[i] = fuse(c, n->kid[i]);
    }
}

static ir_node_t *fuse(comp_t *c, ir_node_t *n)
{
    if (c->err->code) return n;
    if (ir_is_elemwise(n)) {
        inner(c, n);
        ir_node_t *f = mk(c, IR_FUSE, n->at, 1);
        if (!f) return n;
        f->kid[0] = n;
        return f;
    }
    for (uint32_t i = 0; i < n->nkid; i++)
        n->kid[i] = fuse(c, n->kid[i]);
    return n;
}

/* The IR's depth (root 1); *deep is the deepest node, for the error's span. */
static int depth(const ir_node_t *n, const ir_node_t **deep)
{
    int d = 0;
    *deep = n;
    for (uint32_t i = 0; i < n->nkid; i++) {
        const ir_node_t *k;
        int kd = depth(n->kid[i], &k);
        if (kd > d) {
            d = kd;
            *deep = k;
        }
    }
    return d + 1;
}

int comp_cell(arena_t *a, const ast_t *cell, const vartab_t *names, int local, ir_node_t **out,
              err_t *err)
{
    err_t e;
    err_clear(&e);
    scope_t module = {0};
    comp_t c = {
        .a = a, .names = names, .local = local, .err = &e, .sc = &module, .module = &module};
    prescan(&c, &module, cell);
    ir_node_t *root = block(&c, cell, 1);
    if (root && !e.code) root = fuse(&c, root);
    if (root && !e.code) {
        const ir_node_t *deep;
        if (depth(root, &deep) > IR_MAXDEPTH)
            err_set(&e, PARC_ESYNTAX, deep->at, "expression nested too deeply");
    }
    if (e.code) return err_set(err, e.code, e.at, "%s", e.msg);
    *out = root;
    return 0;
}
