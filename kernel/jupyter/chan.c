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
#include <time.h>

long long chan_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void chan_init(chan_t *c, void *shell, void *control, void *stdin_sock, void *iopub,
               const sign_t *sign)
{
    c->shell = shell;
    c->control = control;
    c->stdin_sock = stdin_sock;
    c->iopub = iopub;
    c->ss.sign = sign;
    msg_session_init(&c->ss);
    wbuf_init(&c->pend);
    c->pend_parent = NULL;
    c->pend_name = NULL;
    c->nheld = 0;
}

void chan_fini(chan_t *c)
{
    chan_flush(c);
    wbuf_free(&c->pend);
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
    chan_flush(c);
    msg_send(chan_sock(c, ch), &c->ss, m, type, content, NULL, NULL);
    json_decref(content);
}

void chan_publish(chan_t *c, const msg_t *m, const char *type, json_t *content)
{
    if (!content) {
        fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
        return;
    }
    chan_flush(c);
    msg_send(c->iopub, &c->ss, m, type, content, NULL, type);
    json_decref(content);
}

void chan_status(chan_t *c, const msg_t *m, const char *state)
{
    chan_publish(c, m, "status", json_pack("{s:s}", "execution_state", state));
}

void chan_hold(chan_t *c, const msg_t *m, const char *type, json_t *content)
{
    if (!content) {
        fprintf(stderr, "parc-kernel: out of memory building %s\n", type);
        return;
    }
    if (c->nheld == CHAN_HELD || c->pend.len) chan_flush(c);
    c->held[c->nheld].parent = m;
    c->held[c->nheld].type = type;
    c->held[c->nheld].content = content;
    c->nheld++;
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

/* Sends the pending stream text as one message. A chunk may end inside a character or
 * hold invalid UTF-8, which JSON cannot carry: such bytes are shown as '?' rather than
 * losing the whole chunk. */
void chan_flush(chan_t *c)
{
    for (int i = 0; i < c->nheld; i++) {
        msg_send(c->iopub, &c->ss, c->held[i].parent, c->held[i].type, c->held[i].content, NULL,
                 c->held[i].type);
        json_decref(c->held[i].content);
    }
    c->nheld = 0;
    size_t n = c->pend.len;
    if (n == 0 || !c->pend_name) {
        c->pend.len = 0;
        return;
    }
    char *text = (char *)c->pend.p;
    const msg_t *m = c->pend_parent;
    const char *name = c->pend_name;
    c->pend.len = 0; /* first: chan_publish below calls chan_flush */
    c->pend_parent = NULL;
    c->pend_name = NULL;
    json_t *t = json_stringn(text, n);
    if (!t) {
        for (size_t i = 0; i < n;) {
            size_t k = utf8_len((const unsigned char *)text + i, n - i);
            if (k == 0)
                text[i++] = '?';
            else
                i += k;
        }
        t = json_stringn(text, n);
    }
    if (t) chan_publish(c, m, "stream", json_pack("{s:s, s:o}", "name", name, "text", t));
    c->last_stream_ms = chan_now_ms();
}

long chan_due_ms(const chan_t *c)
{
    if (c->nheld) return 0;
    if (!c->pend.len) return -1;
    long long wait = c->last_stream_ms + CHAN_STREAM_MS - chan_now_ms();
    return wait > 0 ? (long)wait : 0;
}

void chan_tick(chan_t *c)
{
    if (chan_due_ms(c) == 0) chan_flush(c);
}

void chan_stream(chan_t *c, const msg_t *m, const char *name, const char *text, size_t n)
{
    if (n == 0) return;
    if (c->pend.len && (c->pend_parent != m || strcmp(c->pend_name, name) != 0)) chan_flush(c);
    wbuf_bytes(&c->pend, text, n);
    if (c->pend.oom) {
        /* Out of memory: the held text is lost (logged); later text starts afresh. */
        wbuf_free(&c->pend);
        wbuf_init(&c->pend);
        c->pend_parent = NULL;
        c->pend_name = NULL;
        fprintf(stderr, "parc-kernel: out of memory holding stream text\n");
        return;
    }
    c->pend_parent = m;
    c->pend_name = name;
    if (c->pend.len >= CHAN_STREAM_MAX) chan_flush(c);
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
