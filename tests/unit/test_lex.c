/* test_lex.c - the tokenizer: kinds, spans, values, layout tokens and errors (lex.h). */
#include "check.h"

#include "arena.h"
#include "lex.h"

#include <string.h>

/* Tokenizes src and writes the kinds' spellings, space separated, into buf. */
static int kinds(const char *src, char *buf, size_t cap)
{
    arena_t *a = arena_new();
    lex_t *lx = lex_new(a, src, strlen(src), 1);
    err_t e;
    err_clear(&e);
    buf[0] = 0;
    size_t k = 0;
    int rc = 0;
    for (int i = 0; i < 1000; i++) {
        tok_t t;
        rc = lex_next(lx, &t, &e);
        const char *sp = t.kind == LEX_NAME      ? "NAME"
                         : t.kind == LEX_NEWLINE ? "NL"
                         : t.kind == LEX_INDENT  ? "IN"
                         : t.kind == LEX_DEDENT  ? "DE"
                         : t.kind == LEX_INT     ? "INT"
                         : t.kind == LEX_FLOAT   ? "FLOAT"
                         : t.kind == LEX_IMAG    ? "IMAG"
                         : t.kind == LEX_STR     ? "STR"
                         : t.kind == LEX_EOF     ? "EOF"
                         : t.kind == LEX_ERROR   ? "ERR"
                                                 : lex_spelling(t.kind);
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", k ? " " : "", sp);
        if (t.kind == LEX_EOF || t.kind == LEX_ERROR || k >= cap) break;
    }
    arena_destroy(&a);
    return rc;
}

static void test_kinds(void)
{
    static const struct {
        const char *src, *kinds;
    } cases[] = {
        {"x = 1 + 2.5", "NAME = INT + FLOAT NL EOF"},
        {"a**=b//c<<=d->e...f", "NAME **= NAME // NAME <<= NAME -> NAME ... NAME NL EOF"},
        {"if x:\n    y\n  # c\n\nz", "if NAME : NL IN NAME NL DE NAME NL EOF"},
        {"if a:\n if b:\n  c\n", "if NAME : NL IN if NAME : NL IN NAME NL DE DE EOF"},
        {"f(1,\n  2)\n", "NAME ( INT , INT ) NL EOF"},
        {"x = 1 + \\\n 2", "NAME = INT + INT NL EOF"},
        {"not in is and or lambda True None", "not in is and or lambda True None NL EOF"},
        {"", "EOF"},
        {"\n\n  \n# only\n", "EOF"},
        {"2j .5 1. 0xff r'a' u'b'", "IMAG FLOAT FLOAT INT STR STR NL EOF"},
    };
    char b[1024];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kinds(cases[i].src, b, sizeof b);
        CHECK_STR(b, cases[i].kinds);
    }
}

static void test_values_spans(void)
{
    arena_t *a = arena_new();
    const char *src = "ab = 0x1_F + 1_000\n  \"q\\x41\\u00e9\\0\" 1.5e3";
    lex_t *lx = lex_new(a, src, strlen(src), 9);
    err_t e;
    err_clear(&e);
    tok_t t;
    CHECK(lex_next(lx, &t, &e) == 0 && t.kind == LEX_NAME);
    CHECK(t.at.cell == 9 && t.at.line == 1 && t.at.col == 1 && t.at.len == 2);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_EQ && t.at.col == 4);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_INT && t.v.i == 31 && t.at.col == 6 && t.at.len == 5);
    lex_next(lx, &t, &e);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_INT && t.v.i == 1000);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_NEWLINE);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_INDENT);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_STR && t.at.line == 2 && t.at.col == 3);
    CHECK(t.slen == 5 && memcmp(t.s, "qA\xc3\xa9\0", 5) == 0);
    lex_next(lx, &t, &e);
    CHECK(t.kind == LEX_FLOAT && t.v.f == 1500.0);
    CHECK(e.code == 0);
    arena_destroy(&a);
}

static void test_errors(void)
{
    char b[1024];
    struct {
        const char *src;
        int code, eof;
        const char *msg;
    } cases[] = {
        {"'abc", PARC_ESYNTAX, 0, "unterminated string literal (detected at line 1)"},
        {"'''abc\n", PARC_ESYNTAX, 1,
         "unterminated triple-quoted string literal (detected at line 2)"},
        {"(1,\n2", PARC_ESYNTAX, 1, "'(' was never closed"},
        {"1 + \\", PARC_ESYNTAX, 1, "unexpected EOF while parsing"},
        {"x)", PARC_ESYNTAX, 0, "unmatched ')'"},
        {"a $", PARC_ESYNTAX, 0, "invalid character '$' (U+0024)"},
        {"a \x01", PARC_ESYNTAX, 0, "invalid non-printable character U+0001"},
        {"a \xff", PARC_ESYNTAX, 0, "invalid UTF-8 byte 0xff in the cell"},
        {"if a:\n    b\n  c", PARC_EINDENT, 0,
         "unindent does not match any outer indentation level"},
        {"if a:\n        b\n\tc", PARC_EINDENT, 0,
         "inconsistent use of tabs and spaces in indentation"},
        {"1__0", PARC_ESYNTAX, 0, "invalid decimal literal"},
        {"1_", PARC_ESYNTAX, 0, "invalid decimal literal"},
        {"1e", PARC_ESYNTAX, 0, "invalid decimal literal"},
        {"0b2", PARC_ESYNTAX, 0, "invalid binary literal"},
        {"0o", PARC_ESYNTAX, 0, "invalid octal literal"},
        {"2jx", PARC_ESYNTAX, 0, "invalid imaginary literal"},
        {"'\\u12'", PARC_ESYNTAX, 0,
         "(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\uXXXX escape"},
        {"'\\U00110000'", PARC_ESYNTAX, 0,
         "(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character"},
        {"b'x'", PARC_ESYNTAX, 0, "bytes literals are not supported in parc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        arena_t *a = arena_new();
        lex_t *lx = lex_new(a, cases[i].src, strlen(cases[i].src), 1);
        err_t e;
        err_clear(&e);
        tok_t t;
        int rc = 0;
        for (int k = 0; k < 50 && !rc; k++)
            rc = lex_next(lx, &t, &e);
        CHECK(rc == cases[i].code);
        CHECK(t.kind == LEX_ERROR);
        CHECK_STR(e.msg, cases[i].msg);
        CHECK(lex_hit_eof(lx) == cases[i].eof);
        /* sticky: the same error again */
        err_t e2;
        err_clear(&e2);
        CHECK(lex_next(lx, &t, &e2) == cases[i].code && t.kind == LEX_ERROR);
        CHECK_STR(e2.msg, cases[i].msg);
        arena_destroy(&a);
    }
    CHECK(kinds("x = (1]", b, sizeof b) == PARC_ESYNTAX);
    CHECK_STR(b, "NAME = ( INT ERR");
}

/* Deep nesting and long input never overflow anything. */
static void test_limits(void)
{
    char src[1200];
    memset(src, '(', 300);
    src[300] = 0;
    char b[4096];
    CHECK(kinds(src, b, sizeof b) == PARC_ESYNTAX);
    size_t k = check_staircase(src, sizeof src - 1, 120, "if a:\n");
    src[k] = 0;
    arena_t *a = arena_new();
    lex_t *lx = lex_new(a, src, k, 1);
    err_t e;
    err_clear(&e);
    tok_t t;
    for (int i = 0; i < 2000; i++) {
        if (lex_next(lx, &t, &e) || t.kind == LEX_EOF) break;
    }
    CHECK(t.kind == LEX_EOF || t.kind == LEX_ERROR);
    arena_destroy(&a);
    CHECK_STR(lex_spelling(LEX_DSLASHEQ), "//=");
    CHECK_STR(lex_spelling(-1), "?");
}

int main(void)
{
    test_kinds();
    test_values_spans();
    test_errors();
    test_limits();
    return check_done();
}
