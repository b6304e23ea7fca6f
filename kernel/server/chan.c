/* chan.c - replies and iopub messages (see chan.h); proto_ and exec_ send everything
 * through here, so the session (signing, message ids) lives in one place.
 *
 * Engines print bytes; a chunk may end inside a character or hold invalid UTF-8, which JSON
 * cannot carry, so chan_stream repairs such chunks instead of losing them. */
#include "chan.h"
#include "conn.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

void chan_init(chan_t *c, void *shell, void *control, void *stdin_sock, void *iopub,
               const sign_t *sign)
{
    c->shell = shell;
    c->control = control;
    c->stdin_sock = stdin_sock;
    c->iopub = iopub;
    c->ss.sign = sign;
    msg_session_init(&c->ss);
}

static void *chan_sock(chan_t *c, int ch)
{
    switch (ch) {
    case CONN_CONTROL:
        return c->control;
    case CONN_STDIN:
        return c->stdin_sock;
    default:
        return c->shell;
    }
}

void chan_reply(chan_t *c, int ch, const msg_t *m, const char *type, json_t *content)
{
    if (!content) fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
    msg_send(chan_sock(c, ch), &c->ss, m, type, content, NULL, NULL);
    json_decref(content);
}

void chan_publish(chan_t *c, const msg_t *m, const char *type, json_t *content)
{
    if (!content) {
        fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
        return;
    }
    msg_send(c->iopub, &c->ss, m, type, content, NULL, type);
    json_decref(content);
}

void chan_status(chan_t *c, const msg_t *m, const char *state)
{
    chan_publish(c, m, "status", json_pack("{s:s}", "execution_state", state));
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes are not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] < 0x80         ? 1
               : (s[0] >> 5) == 6  ? 2
               : (s[0] >> 4) == 14 ? 3
               : (s[0] >> 3) == 30 ? 4
                                   : 0;
    if (k == 0 || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return k;
}

/* Engines print bytes; a chunk may end inside a character or hold invalid UTF-8, which
 * JSON cannot carry: such bytes are shown as '?' rather than losing the whole chunk. */
void chan_stream(chan_t *c, const msg_t *m, const char *name, const char *text, size_t n)
{
    if (n == 0) return;
    json_t *t = json_stringn(text, n);
    if (!t) {
        char *fixed = mem_alloc(n);
        if (!fixed) return;
        for (size_t i = 0; i < n;) {
            size_t k = utf8_len((const unsigned char *)text + i, n - i);
            if (k == 0) {
                fixed[i++] = '?';
            } else {
                memcpy(fixed + i, text + i, k);
                i += k;
            }
        }
        t = json_stringn(fixed, n);
        mem_free(fixed);
    }
    if (t) chan_publish(c, m, "stream", json_pack("{s:s, s:o}", "name", name, "text", t));
}

json_t *chan_error_content(const char *ename, const char *evalue)
{
    return json_pack("{s:s, s:s, s:s, s:[]}", "status", "error", "ename", ename, "evalue", evalue,
                     "traceback");
}

int chan_bool(json_t *o, const char *k, int def)
{
    json_t *v = json_object_get(o, k);
    return json_is_boolean(v) ? json_is_true(v) : def;
}
