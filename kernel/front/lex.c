/* lex.c - the tokenizer (see lex.h): first step of the front end, lex -> parse -> comp.
 *
 * Layout follows Python: at the start of each logical line outside brackets the indentation
 * is measured and compared with a stack, giving INDENT or DEDENTs; blank and comment-only
 * lines are skipped; a NEWLINE ends every logical line that had a token. Tabs advance to
 * the next multiple of 8, and the indentation is also measured with tabs as one column: if
 * the two measures disagree about the order of two lines, the cell mixes tabs and spaces
 * ambiguously and gets Python's TabError text (as an IndentationError).
 *
 * Brackets are matched here, not in the parser, so "'(' was never closed" and "unmatched ')'"
 * come out exactly as Python 3.10+ says them, and so lang_is_complete can tell "the cell
 * ends inside a bracket" (more lines wanted) from "the cell is wrong" (lex_hit_eof). */
#include "lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXINDENT  100 /* Python's limit on indentation levels */
#define MAXBRACKET 200 /* Python's limit on nested parentheses */

static const char *const spellings[] = {
#define LEX_SP(id, sp) sp,
    LEX_TOKENS(LEX_SP)
#undef LEX_SP
};

struct lex {
    arena_t *a;
    const char *src; /* borrowed cell text */
    size_t len, pos; /* text length and the cursor */
    uint32_t cell;   /* exec count, copied into every span */
    int line;        /* 1-based line of pos */
    size_t bol;      /* offset where pos's line starts */
    int at_bol;      /* next token starts a logical line: measure indentation first */
    int had_tok;     /* the current logical line produced a token (NEWLINE is due) */
    int ind[MAXINDENT], alt[MAXINDENT]; /* indentation stack: tabs as 8, tabs as 1 */
    int nind;
    int dedents; /* DEDENT tokens still to hand out */
    struct {
        char c;
        span_t at;
    } br[MAXBRACKET]; /* open brackets, innermost last */
    int nbr;
    int failed;  /* sticky: errtok and error are handed out again */
    int eof_hit; /* the error was running out of text (more lines could fix it) */
    tok_t errtok;
    err_t error;
};

lex_t *lex_new(arena_t *a, const char *src, size_t len, uint32_t cell)
{
    lex_t *lx = arena_alloc(a, sizeof *lx);
    if (!lx) return NULL;
    lx->a = a;
    lx->src = src ? src : "";
    lx->len = src ? len : 0;
    lx->cell = cell;
    lx->line = 1;
    lx->at_bol = 1;
    lx->nind = 1;
    return lx;
}

int lex_hit_eof(const lex_t *lx)
{
    return lx->failed && lx->eof_hit;
}

const char *lex_spelling(int kind)
{
    return kind >= 0 && kind < LEX_NTOKENS ? spellings[kind] : "?";
}

static span_t here(const lex_t *lx, size_t start, size_t n)
{
    span_t s = {lx->cell, lx->line, (int32_t)(start - lx->bol + 1), (int32_t)n};
    return s;
}

static int peekc(const lex_t *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char)lx->src[lx->pos + off] : -1;
}

static void newline(lex_t *lx)
{
    lx->line++;
    lx->bol = lx->pos;
}

/* Records the first error with its span, makes the lexer sticky and fills out. */
static int fail(lex_t *lx, tok_t *out, err_t *err, int code, span_t at, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int fail(lex_t *lx, tok_t *out, err_t *err, int code, span_t at, const char *fmt, ...)
{
    if (!lx->failed) {
        lx->failed = 1;
        err_clear(&lx->error);
        lx->error.code = code;
        lx->error.at = at;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(lx->error.msg, sizeof lx->error.msg, fmt, ap);
        va_end(ap);
        memset(&lx->errtok, 0, sizeof lx->errtok);
        lx->errtok.kind = LEX_ERROR;
        lx->errtok.at = at;
        lx->errtok.p = lx->src + (lx->pos < lx->len ? lx->pos : lx->len);
        lx->errtok.s = "";
    }
    *out = lx->errtok;
    return err_set(err, lx->error.code, lx->error.at, "%s", lx->error.msg);
}

static int oom(lex_t *lx, tok_t *out, err_t *err)
{
    return fail(lx, out, err, PARC_ENOMEM, here(lx, lx->pos, 0), "out of memory");
}

static void simple(lex_t *lx, tok_t *out, int kind, size_t start, size_t n)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->at = here(lx, start, n);
    out->p = lx->src + start;
    out->s = "";
}

static int is_id_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_id(int c)
{
    return is_id_start(c) || (c >= '0' && c <= '9');
}

static int digit_val(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

/* Decodes one UTF-8 sequence at s (up to n bytes) into *cp; returns its length, 0 if bad. */
static int utf8_dec(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0) return 0;
    unsigned c = s[0];
    int k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!k || (size_t)k > n) return 0;
    uint32_t v = k == 1 ? c : c & (0x7Fu >> k);
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    *cp = v;
    return k;
}

/* Measures the indentation of the next non-blank line; emits INDENT, DEDENT or nothing.
 * Returns 1 when out holds a token, 0 to go on scanning, <0 on error. */
static int indentation(lex_t *lx, tok_t *out, err_t *err)
{
    for (;;) {
        int col = 0, alt = 0;
        while (lx->pos < lx->len) {
            char c = lx->src[lx->pos];
            if (c == ' ')
                col++, alt++;
            else if (c == '\t')
                col = (col / 8 + 1) * 8, alt++;
            else if (c == '\f')
                col = alt = 0;
            else
                break;
            lx->pos++;
        }
        int c = peekc(lx, 0);
        if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
            c = peekc(lx, 0);
        }
        if (c == '\r' && peekc(lx, 1) == '\n') lx->pos++, c = '\n';
        if (c == '\n') {
            lx->pos++;
            newline(lx);
            continue;
        }
        if (c < 0) { /* trailing blank lines: EOF handling takes over */
            lx->at_bol = 0;
            return 0;
        }
        lx->at_bol = 0;
        int top = lx->nind - 1;
        span_t at = here(lx, lx->pos, 1);
        if (col > lx->ind[top]) {
            if (alt <= lx->alt[top]) goto tab;
            if (lx->nind == MAXINDENT)
                return fail(lx, out, err, PARC_EINDENT, at, "too many levels of indentation");
            lx->ind[lx->nind] = col;
            lx->alt[lx->nind++] = alt;
            simple(lx, out, LEX_INDENT, lx->pos, 1);
            return 1;
        }
        if (col == lx->ind[top]) {
            if (alt != lx->alt[top]) goto tab;
            return 0;
        }
        int n = 0;
        while (lx->nind > 1 && lx->ind[lx->nind - 1] > col) {
            lx->nind--;
            n++;
        }
        if (lx->ind[lx->nind - 1] != col)
            return fail(lx, out, err, PARC_EINDENT, at,
                        "unindent does not match any outer indentation level");
        if (lx->alt[lx->nind - 1] != alt) goto tab;
        lx->dedents = n - 1;
        simple(lx, out, LEX_DEDENT, lx->pos, 0);
        return 1;
    tab:
        return fail(lx, out, err, PARC_EINDENT, at,
                    "inconsistent use of tabs and spaces in indentation");
    }
}

/* Scans digits of `base` with single underscores between them; returns the count, or -1
 * when an underscore is misplaced. */
static int digits(lex_t *lx, int base)
{
    int n = 0;
    for (;;) {
        int c = peekc(lx, 0);
        if (c == '_') {
            if (n == 0 || digit_val(peekc(lx, 1)) >= base) return -1;
            lx->pos++;
            continue;
        }
        if (c < 0 || digit_val(c) >= base) return n;
        lx->pos++;
        n++;
    }
}

static int number(lex_t *lx, tok_t *out, err_t *err)
{
    size_t start = lx->pos;
    span_t at0 = here(lx, start, 1);
    int c1 = peekc(lx, 1);
    if (peekc(lx, 0) == '0' && c1 >= 0 && strchr("xXoObB", c1)) {
        int base = (c1 == 'x' || c1 == 'X') ? 16 : (c1 == 'o' || c1 == 'O') ? 8 : 2;
        const char *what = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        lx->pos += 2;
        if (peekc(lx, 0) == '_') lx->pos++;
        size_t ds = lx->pos;
        int n = digits(lx, base);
        if (n <= 0 || is_id(peekc(lx, 0)))
            return fail(lx, out, err, PARC_ESYNTAX, at0, "invalid %s literal", what);
        uint64_t v = 0;
        for (size_t i = ds; i < lx->pos; i++) {
            int d = digit_val((unsigned char)lx->src[i]);
            if (d >= base) continue;
            if (v > (UINT64_C(0x7FFFFFFFFFFFFFFF) - (uint64_t)d) / (uint64_t)base)
                return fail(lx, out, err, PARC_ESYNTAX, here(lx, start, lx->pos - start),
                            "integer literal too large (parc integers are 64-bit)");
            v = v * (uint64_t)base + (uint64_t)d;
        }
        simple(lx, out, LEX_INT, start, lx->pos - start);
        out->v.i = (int64_t)v;
        return 0;
    }
    int isfloat = 0, n = 0;
    if (peekc(lx, 0) != '.') n = digits(lx, 10);
    if (n < 0) return fail(lx, out, err, PARC_ESYNTAX, at0, "invalid decimal literal");
    if (peekc(lx, 0) == '.') {
        isfloat = 1;
        lx->pos++;
        if (digit_val(peekc(lx, 0)) < 10 && digits(lx, 10) < 0)
            return fail(lx, out, err, PARC_ESYNTAX, at0, "invalid decimal literal");
    }
    int c = peekc(lx, 0);
    if (c == 'e' || c == 'E') {
        int s = peekc(lx, 1) == '+' || peekc(lx, 1) == '-';
        if (digit_val(peekc(lx, 1 + s)) >= 10)
            return fail(lx, out, err, PARC_ESYNTAX, at0, "invalid decimal literal");
        lx->pos += 1 + s;
        if (digits(lx, 10) < 0)
            return fail(lx, out, err, PARC_ESYNTAX, at0, "invalid decimal literal");
        isfloat = 1;
    }
    size_t end = lx->pos;
    int imag = 0;
    c = peekc(lx, 0);
    if (c == 'j' || c == 'J') {
        imag = 1;
        lx->pos++;
    }
    if (is_id(peekc(lx, 0)))
        return fail(lx, out, err, PARC_ESYNTAX, at0,
                    imag ? "invalid imaginary literal" : "invalid decimal literal");
    /* The digits without underscores, for strtod and the integer check. */
    char *buf = arena_alloc(lx->a, end - start + 1);
    if (!buf) return oom(lx, out, err);
    size_t k = 0;
    for (size_t i = start; i < end; i++)
        if (lx->src[i] != '_') buf[k++] = lx->src[i];
    buf[k] = 0;
    simple(lx, out, imag ? LEX_IMAG : isfloat ? LEX_FLOAT : LEX_INT, start, lx->pos - start);
    if (imag || isfloat) {
        out->v.f = strtod(buf, NULL);
        return 0;
    }
    int nonzero = 0;
    for (size_t i = 0; i < k; i++)
        nonzero |= buf[i] != '0';
    if (buf[0] == '0' && nonzero)
        return fail(lx, out, err, PARC_ESYNTAX, at0,
                    "leading zeros in decimal integer literals are not permitted; "
                    "use an 0o prefix for octal integers");
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t d = (uint64_t)(buf[i] - '0');
        if (v > (UINT64_C(0x7FFFFFFFFFFFFFFF) - d) / 10)
            return fail(lx, out, err, PARC_ESYNTAX, out->at,
                        "integer literal too large (parc integers are 64-bit)");
        v = v * 10 + d;
    }
    out->v.i = (int64_t)v;
    return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escapes of body[0, n) into o (which has room for n bytes: no escape grows).
 * Returns the decoded length, or -1 with *bad naming the broken escape. */
static long unescape(const char *b, size_t n, char *o, const char **bad)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != '\\' || i + 1 >= n) {
            o[k++] = b[i];
            continue;
        }
        char c = b[++i];
        switch (c) {
        case '\n':
            break;
        case '\r':
            if (i + 1 < n && b[i + 1] == '\n') i++;
            break;
        case 'n':
            o[k++] = '\n';
            break;
        case 't':
            o[k++] = '\t';
            break;
        case 'r':
            o[k++] = '\r';
            break;
        case 'a':
            o[k++] = '\a';
            break;
        case 'b':
            o[k++] = '\b';
            break;
        case 'f':
            o[k++] = '\f';
            break;
        case 'v':
            o[k++] = '\v';
            break;
        case '\\':
        case '\'':
        case '"':
            o[k++] = c;
            break;
        case 'x':
        case 'u':
        case 'U': {
            int want = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            uint32_t v = 0;
            for (int j = 0; j < want; j++) {
                if (i + 1 >= n || digit_val((unsigned char)b[i + 1]) > 15) {
                    *bad = c == 'x'   ? "truncated \\xXX escape"
                           : c == 'u' ? "truncated \\uXXXX escape"
                                      : "truncated \\UXXXXXXXX escape";
                    return -1;
                }
                v = v * 16 + (uint32_t)digit_val((unsigned char)b[++i]);
            }
            if (c == 'x') {
                o[k++] = (char)v; /* a byte, as in bytes literals: strings are bytes here */
            } else {
                if (v > 0x10FFFF) {
                    *bad = "illegal Unicode character";
                    return -1;
                }
                k += put_utf8(o + k, v);
            }
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = (unsigned)(c - '0');
                for (int j = 0; j < 2 && i + 1 < n && b[i + 1] >= '0' && b[i + 1] <= '7'; j++)
                    v = v * 8 + (unsigned)(b[++i] - '0');
                o[k++] = (char)(v & 0xFF);
            } else { /* unknown escapes stay as written, as Python does */
                o[k++] = '\\';
                o[k++] = c;
            }
        }
    }
    return (long)k;
}

static int string(lex_t *lx, tok_t *out, err_t *err, size_t start, int raw)
{
    int startline = lx->line;
    span_t at0 = here(lx, start, 1);
    char q = lx->src[lx->pos];
    int triple = peekc(lx, 1) == q && peekc(lx, 2) == q;
    lx->pos += triple ? 3 : 1;
    size_t body = lx->pos;
    for (;;) {
        int c = peekc(lx, 0);
        if (c < 0 || (c == '\n' && !triple)) {
            lx->eof_hit = triple && c < 0;
            return fail(lx, out, err, PARC_ESYNTAX, at0,
                        "unterminated %sstring literal (detected at line %d)",
                        triple ? "triple-quoted " : "", lx->line);
        }
        if (c == '\\' && lx->pos + 1 < lx->len) {
            lx->pos++;
            if (lx->src[lx->pos] == '\n') {
                lx->pos++;
                newline(lx);
            } else {
                lx->pos++;
            }
            continue;
        }
        if (c == q && (!triple || (peekc(lx, 1) == q && peekc(lx, 2) == q))) break;
        lx->pos++;
        if (c == '\n') newline(lx);
    }
    size_t blen = lx->pos - body;
    lx->pos += triple ? 3 : 1;
    char *o = arena_alloc(lx->a, blen + 1);
    if (!o) return oom(lx, out, err);
    long k;
    const char *bad = NULL;
    if (raw) {
        memcpy(o, lx->src + body, blen);
        k = (long)blen;
    } else {
        k = unescape(lx->src + body, blen, o, &bad);
    }
    if (k < 0)
        return fail(lx, out, err, PARC_ESYNTAX, at0,
                    "(unicode error) 'unicodeescape' codec "
                    "can't decode bytes: %s",
                    bad);
    o[k] = 0;
    memset(out, 0, sizeof *out);
    out->kind = LEX_STR;
    out->at = (span_t){lx->cell, startline, at0.col, (int32_t)(lx->pos - start)};
    out->p = lx->src + start;
    out->s = o;
    out->slen = (uint32_t)k;
    return 0;
}

static int word(lex_t *lx, tok_t *out, err_t *err)
{
    size_t start = lx->pos;
    while (is_id(peekc(lx, 0)))
        lx->pos++;
    size_t n = lx->pos - start;
    int q = peekc(lx, 0);
    if (q == '\'' || q == '"') {
        const char *w = lx->src + start;
        int raw = 0, ok = 1;
        for (size_t i = 0; i < n; i++) {
            if (w[i] == 'r' || w[i] == 'R')
                raw++;
            else if (!((w[i] == 'u' || w[i] == 'U') && n == 1))
                ok = 0;
        }
        if (ok && raw <= 1 && n <= 1) return string(lx, out, err, start, raw);
        if (n <= 2) {
            int f = memchr(w, 'f', n) || memchr(w, 'F', n);
            return fail(lx, out, err, PARC_ESYNTAX, here(lx, start, n),
                        f ? "f-strings are not supported in parc"
                          : "bytes literals are not supported in parc");
        }
    }
    simple(lx, out, LEX_NAME, start, n);
    for (int k = LEX_FIRST_KW; k < LEX_NTOKENS; k++)
        if (spellings[k][0] == lx->src[start] && strlen(spellings[k]) == n &&
            memcmp(spellings[k], lx->src + start, n) == 0) {
            out->kind = k;
            break;
        }
    return 0;
}

static int punct(lex_t *lx, tok_t *out, err_t *err)
{
    size_t start = lx->pos;
    int best = -1;
    size_t bestn = 0;
    for (int k = LEX_FIRST_PUNCT; k < LEX_FIRST_KW; k++) {
        if (spellings[k][0] != lx->src[start]) continue;
        size_t n = strlen(spellings[k]);
        if (n > bestn && lx->pos + n <= lx->len && memcmp(spellings[k], lx->src + start, n) == 0) {
            best = k;
            bestn = n;
        }
    }
    if (best < 0) {
        uint32_t cp = 0;
        int k = utf8_dec((const unsigned char *)lx->src + start, lx->len - start, &cp);
        span_t at = here(lx, start, k > 0 ? (size_t)k : 1);
        if (k == 0)
            return fail(lx, out, err, PARC_ESYNTAX, at, "invalid UTF-8 byte 0x%02x in the cell",
                        (unsigned char)lx->src[start]);
        if (cp < 32 || cp == 127)
            return fail(lx, out, err, PARC_ESYNTAX, at, "invalid non-printable character U+%04X",
                        (unsigned)cp);
        return fail(lx, out, err, PARC_ESYNTAX, at, "invalid character '%.*s' (U+%04X)", k,
                    lx->src + start, (unsigned)cp);
    }
    lx->pos += bestn;
    simple(lx, out, best, start, bestn);
    char c = lx->src[start];
    if (best == LEX_LPAR || best == LEX_LSQB || best == LEX_LBRACE) {
        if (lx->nbr == MAXBRACKET)
            return fail(lx, out, err, PARC_ESYNTAX, out->at, "too many nested parentheses");
        lx->br[lx->nbr].c = c;
        lx->br[lx->nbr++].at = out->at;
    } else if (best == LEX_RPAR || best == LEX_RSQB || best == LEX_RBRACE) {
        if (lx->nbr == 0) return fail(lx, out, err, PARC_ESYNTAX, out->at, "unmatched '%c'", c);
        char open = lx->br[lx->nbr - 1].c;
        char want = open == '(' ? ')' : open == '[' ? ']' : '}';
        if (c != want) {
            span_t o = lx->br[lx->nbr - 1].at;
            if (o.line != out->at.line)
                return fail(lx, out, err, PARC_ESYNTAX, out->at,
                            "closing parenthesis '%c' does not match opening parenthesis '%c' "
                            "on line %d",
                            c, open, (int)o.line);
            return fail(lx, out, err, PARC_ESYNTAX, out->at,
                        "closing parenthesis '%c' does not match opening parenthesis '%c'", c,
                        open);
        }
        lx->nbr--;
    }
    return 0;
}

int lex_next(lex_t *lx, tok_t *out, err_t *err)
{
    if (lx->failed) return fail(lx, out, err, 0, lx->error.at, "%s", "");
    if (lx->dedents > 0) {
        lx->dedents--;
        simple(lx, out, LEX_DEDENT, lx->pos, 0);
        return 0;
    }
    if (lx->at_bol && lx->nbr == 0) {
        int r = indentation(lx, out, err);
        if (r < 0) return r;
        if (r > 0) return 0;
    }
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\f' || (c == '\r' && peekc(lx, 1) != '\n')) {
            lx->pos++;
            continue;
        }
        if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
            continue;
        }
        if (c == '\\') {
            size_t k = 1;
            if (peekc(lx, 1) == '\r') k = 2;
            if (peekc(lx, k) == '\n') {
                lx->pos += k + 1;
                newline(lx);
                continue;
            }
            if (peekc(lx, k) < 0) {
                lx->eof_hit = 1;
                return fail(lx, out, err, PARC_ESYNTAX, here(lx, lx->pos, 1),
                            "unexpected EOF while parsing");
            }
            return fail(lx, out, err, PARC_ESYNTAX, here(lx, lx->pos, 1),
                        "unexpected character after line continuation character");
        }
        if (c == '\r') { /* \r\n: the \n below ends the line */
            lx->pos++;
            continue;
        }
        if (c == '\n') {
            size_t at = lx->pos++;
            if (lx->nbr > 0 || !lx->had_tok) {
                newline(lx);
                continue;
            }
            simple(lx, out, LEX_NEWLINE, at, 1);
            newline(lx);
            lx->had_tok = 0;
            lx->at_bol = 1;
            return 0;
        }
        if (c < 0) {
            if (lx->nbr > 0) {
                lx->eof_hit = 1;
                return fail(lx, out, err, PARC_ESYNTAX, lx->br[lx->nbr - 1].at,
                            "'%c' was never closed", lx->br[lx->nbr - 1].c);
            }
            if (lx->had_tok) {
                lx->had_tok = 0;
                simple(lx, out, LEX_NEWLINE, lx->pos, 0);
                return 0;
            }
            if (lx->nind > 1) {
                lx->dedents = lx->nind - 2;
                lx->nind = 1;
                simple(lx, out, LEX_DEDENT, lx->pos, 0);
                return 0;
            }
            simple(lx, out, LEX_EOF, lx->pos, 0);
            return 0;
        }
        break;
    }
    lx->had_tok = 1;
    int c = peekc(lx, 0);
    if (is_id_start(c)) return word(lx, out, err);
    if ((c >= '0' && c <= '9') || (c == '.' && digit_val(peekc(lx, 1)) < 10))
        return number(lx, out, err);
    if (c == '\'' || c == '"') return string(lx, out, err, lx->pos, 0);
    return punct(lx, out, err);
}
