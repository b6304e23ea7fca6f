/* proto.c - the Jupyter message handlers (see proto.h); between loop_ (which receives and
 * decodes) and exec_ (which queues and runs execute_requests). One table maps msg_type to
 * its handler, the channels it may arrive on, and whether busy/idle go around it.
 *
 * Shell requests are answered in the order each client sent them: kernel_info, is_complete,
 * complete, inspect (through lang_), history (from hist_) and comm (refused) are answered at
 * once unless an execute_request from the same client is queued or running, and then in
 * their turn after it (exec_defer). Control's requests, interrupt, shutdown and stdin's
 * input_reply never wait. Replies and iopub go through chan_. */
#include "proto.h"
#include "arena.h"
#include "chan.h"
#include "exec.h"
#include "hist.h"
#include "lang.h"
#include "mem.h"
#include "wire.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARC_VERSION "0.1.0"

struct proto {
    proto_cfg_t cfg;
    chan_t chan;
    hist_t *hist;
    exec_t *exec; /* the execute queue and the running cell */
    int exit;     /* shutdown answered: the loop should stop */
};

/* ---------------------------------------------------------------- helpers */

/* "foo_request" -> "foo_reply" into buf. */
static void reply_type(const char *req, char *buf, size_t n)
{
    size_t k = strlen(req);
    if (k > 8 && strcmp(req + k - 8, "_request") == 0)
        snprintf(buf, n, "%.*s_reply", (int)(k - 8), req);
    else
        snprintf(buf, n, "%s_reply", req);
}

/* ---------------------------------------------------------------- handlers */

static void h_execute(proto_t *p, int ch, msg_t **mp)
{
    exec_submit(p->exec, ch, mp);
}

static void h_kernel_info(proto_t *p, int ch, msg_t **mp)
{
    json_t *c = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:s, s:[{s:s, s:s}], s:b}",
        "status", "ok", "protocol_version", MSG_VERSION, "implementation", "parc",
        "implementation_version", PARC_VERSION, "language_info", "name", "parc", "version",
        PARC_VERSION, "mimetype", "text/x-parc", "file_extension", ".parc", "pygments_lexer",
        "python", "codemirror_mode", "python", "banner",
        "parc " PARC_VERSION " - interactive parallel arrays on MPI engines\n"
        "Plain cells run in global view; %px / %%px run per engine. %magic explains the rest.",
        "help_links", "text", "parc magics", "url", "https://github.com/", "debugger", 0);
    chan_reply(&p->chan, ch, *mp, "kernel_info_reply", c);
}

static void h_is_complete(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", NULL);
    if (!code) {
        chan_reply(&p->chan, ch, *mp, "is_complete_reply", json_pack("{s:s}", "status", "invalid"));
        return;
    }
    size_t n = strlen(code);
    arena_t *a = arena_new();
    const char *st = "unknown", *indent = "";
    if (code[0] == '%' && code[1] == '%') {
        /* a cell magic takes lines until an empty one, as in IPython */
        st = (n >= 1 && code[n - 1] == '\n' && (n < 2 || code[n - 2] == '\n')) ? "complete"
                                                                               : "incomplete";
    } else if (code[0] == '%' && !strchr(code, '\n')) {
        st = "complete";
    } else if (a) {
        lang_status_t s = lang_is_complete(a, code, n, &indent);
        st = s == LANG_COMPLETE ? "complete" : s == LANG_INCOMPLETE ? "incomplete" : "invalid";
        if (!indent) indent = "";
    }
    json_t *c = json_pack("{s:s}", "status", st);
    if (c && strcmp(st, "incomplete") == 0) json_object_set_new(c, "indent", json_string(indent));
    chan_reply(&p->chan, ch, *mp, "is_complete_reply", c);
    arena_destroy(&a);
}

static size_t cursor_of(json_t *c, const char *code)
{
    json_t *v = json_object_get(c, "cursor_pos");
    size_t n = strlen(code);
    size_t cps = 0;
    for (size_t i = 0; i < n; i++)
        cps += ((unsigned char)code[i] & 0xc0) != 0x80;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) > cps)
        return cps;
    return (size_t)json_integer_value(v);
}

static void h_complete(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", "");
    size_t cur = cursor_of((*mp)->content, code);
    arena_t *a = arena_new();
    const char **matches = NULL;
    size_t nm = 0, start = cur, end = cur;
    const vartab_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    if (a) lang_complete(a, code, strlen(code), cur, names, &matches, &nm, &start, &end);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nm; i++)
        json_array_append_new(arr, json_string(matches[i]));
    json_t *c = arr ? json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", arr,
                                "cursor_start", (json_int_t)start, "cursor_end", (json_int_t)end,
                                "metadata")
                    : NULL;
    chan_reply(&p->chan, ch, *mp, "complete_reply", c);
    arena_destroy(&a);
}

static void h_inspect(proto_t *p, int ch, msg_t **mp)
{
    const char *code = msg_str((*mp)->content, "code", "");
    size_t cur = cursor_of((*mp)->content, code);
    arena_t *a = arena_new();
    wbuf_t t;
    wbuf_init(&t);
    const vartab_t *names = p->cfg.pool ? pool_names(p->cfg.pool) : NULL;
    int found = a ? lang_inspect(a, code, strlen(code), cur, names, &t) == 1 : 0;
    json_t *c;
    if (found && !t.oom)
        c = json_pack("{s:s, s:b, s:{s:s}, s:{}}", "status", "ok", "found", 1, "data", "text/plain",
                      wbuf_cstring(&t), "metadata");
    else
        c = json_pack("{s:s, s:b, s:{}, s:{}}", "status", "ok", "found", 0, "data", "metadata");
    chan_reply(&p->chan, ch, *mp, "inspect_reply", c);
    wbuf_free(&t);
    arena_destroy(&a);
}

static json_t *hist_item(const hist_entry_t *e, int output)
{
    if (output) return json_pack("[i, I, [s, n]]", 1, (json_int_t)e->cell, e->src);
    return json_pack("[i, I, s]", 1, (json_int_t)e->cell, e->src);
}

static void h_history(proto_t *p, int ch, msg_t **mp)
{
    json_t *c = (*mp)->content;
    const char *how = msg_str(c, "hist_access_type", "tail");
    int output = chan_bool(c, "output", 0);
    json_t *jn = json_object_get(c, "n");
    long want = json_is_integer(jn) ? (long)json_integer_value(jn) : 10;
    json_t *js = json_object_get(c, "start"), *je = json_object_get(c, "stop");
    long start = json_is_integer(js) ? (long)json_integer_value(js) : 0;
    long stop = json_is_integer(je) ? (long)json_integer_value(je) : 0x7fffffffL;
    const char *pat = msg_str(c, "pattern", "*");
    int unique = chan_bool(c, "unique", 0);
    size_t n = hist_count(p->hist);
    json_t *arr = json_array();
    if (!arr) {
        chan_reply(&p->chan, ch, *mp, "history_reply", NULL);
        return;
    }
    if (strcmp(how, "range") == 0) {
        for (size_t i = 0; i < n; i++) {
            const hist_entry_t *e = hist_at(p->hist, i);
            if (e->stored && (long)e->cell >= start && (long)e->cell < stop)
                json_array_append_new(arr, hist_item(e, output));
        }
    } else {
        int search = strcmp(how, "search") == 0;
        /* newest first, then reversed: the reply lists them oldest first */
        json_t *tmp = json_array();
        for (size_t i = n; tmp && i-- > 0 && (want <= 0 || (long)json_array_size(tmp) < want);) {
            const hist_entry_t *e = hist_at(p->hist, i);
            if (!e->stored) continue;
            if (search && fnmatch(pat, e->src, 0) != 0) continue;
            if (unique) {
                int dup = 0;
                for (size_t j = i + 1; j < n && !dup; j++) {
                    const hist_entry_t *f = hist_at(p->hist, j);
                    dup = f->stored && strcmp(f->src, e->src) == 0 &&
                          (!search || fnmatch(pat, f->src, 0) == 0);
                }
                if (dup) continue;
            }
            json_array_append_new(tmp, hist_item(e, output));
        }
        for (size_t i = tmp ? json_array_size(tmp) : 0; i-- > 0;)
            json_array_append(arr, json_array_get(tmp, i));
        json_decref(tmp);
    }
    chan_reply(&p->chan, ch, *mp, "history_reply",
               json_pack("{s:s, s:o}", "status", "ok", "history", arr));
}

static void h_comm_info(proto_t *p, int ch, msg_t **mp)
{
    chan_reply(&p->chan, ch, *mp, "comm_info_reply",
               json_pack("{s:s, s:{}}", "status", "ok", "comms"));
}

static void h_comm_open(proto_t *p, int ch, msg_t **mp)
{
    (void)ch;
    const char *id = msg_str((*mp)->content, "comm_id", "");
    const char *target = msg_str((*mp)->content, "target_name", "");
    fprintf(stderr, "parc-kernel: comm_open for target '%s' refused (no comm targets)\n", target);
    chan_publish(&p->chan, *mp, "comm_close", json_pack("{s:s, s:{}}", "comm_id", id, "data"));
}

static void h_ignore(proto_t *p, int ch, msg_t **mp)
{
    (void)p;
    (void)ch;
    (void)mp;
}

static void h_shutdown(proto_t *p, int ch, msg_t **mp)
{
    int restart = chan_bool((*mp)->content, "restart", 0);
    exec_close(p->exec);
    if (p->cfg.pool) pool_stop(p->cfg.pool);
    json_t *c = json_pack("{s:s, s:b}", "status", "ok", "restart", restart);
    chan_reply(&p->chan, ch, *mp, "shutdown_reply", json_incref(c));
    chan_publish(&p->chan, *mp, "shutdown_reply", c);
    p->exit = 1;
}

static void h_interrupt(proto_t *p, int ch, msg_t **mp)
{
    proto_interrupt(p);
    chan_reply(&p->chan, ch, *mp, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
}

static void h_input_reply(proto_t *p, int ch, msg_t **mp)
{
    (void)ch;
    exec_input_reply(p->exec, *mp);
}

/* IN_ORDER: on shell, waits behind the same client's queued or running executes. */
enum { ON_SHELL = 1, ON_CONTROL = 2, ON_STDIN = 4, BUSY = 8, IN_ORDER = 16 };

static const struct {
    const char *type;
    void (*fn)(proto_t *p, int ch, msg_t **mp);
    unsigned flags;
} handlers[] = {
    {"execute_request", h_execute, ON_SHELL},
    {"kernel_info_request", h_kernel_info, ON_SHELL | ON_CONTROL | BUSY | IN_ORDER},
    {"is_complete_request", h_is_complete, ON_SHELL | BUSY | IN_ORDER},
    {"complete_request", h_complete, ON_SHELL | BUSY | IN_ORDER},
    {"inspect_request", h_inspect, ON_SHELL | BUSY | IN_ORDER},
    {"history_request", h_history, ON_SHELL | BUSY | IN_ORDER},
    {"comm_info_request", h_comm_info, ON_SHELL | BUSY | IN_ORDER},
    {"comm_open", h_comm_open, ON_SHELL | BUSY | IN_ORDER},
    {"comm_msg", h_ignore, ON_SHELL | BUSY | IN_ORDER},
    {"comm_close", h_ignore, ON_SHELL | BUSY | IN_ORDER},
    {"shutdown_request", h_shutdown, ON_SHELL | ON_CONTROL | BUSY},
    {"interrupt_request", h_interrupt, ON_CONTROL | ON_SHELL | BUSY},
    {"input_reply", h_input_reply, ON_STDIN},
};

/* Runs handler i on *mp with busy/idle around it when its row says so; frees *mp. */
static void dispatch(proto_t *p, size_t i, int ch, msg_t **mp)
{
    if (handlers[i].flags & BUSY) chan_status(&p->chan, *mp, "busy");
    handlers[i].fn(p, ch, mp);
    if (*mp && (handlers[i].flags & BUSY)) chan_status(&p->chan, *mp, "idle");
    msg_destroy(mp);
}

/* A shell request that waited behind its client's execute_requests (exec_defer). */
static void deferred(void *ud, int ch, msg_t **mp)
{
    proto_t *p = ud;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(handlers[i].type, (*mp)->type) == 0) {
            dispatch(p, i, ch, mp);
            return;
        }
    msg_destroy(mp);
}

void proto_handle(proto_t *p, int ch, msg_t **mp, const err_t *decode_err)
{
    msg_t *m = *mp;
    char rt[160];
    if (!m) return;
    reply_type(m->type, rt, sizeof rt);
    int is_req = strcmp(rt + strlen(rt) - 6, "_reply") == 0 && strstr(m->type, "_request");
    if (decode_err && decode_err->code) {
        fprintf(stderr, "parc-kernel: bad %s: %s\n", m->type, decode_err->msg);
        if (is_req) {
            chan_status(&p->chan, m, "busy");
            chan_reply(&p->chan, ch, m, rt, chan_error_content("ProtocolError", decode_err->msg));
            chan_status(&p->chan, m, "idle");
        }
        msg_destroy(mp);
        return;
    }
    unsigned on = ch == CONN_CONTROL ? ON_CONTROL : ch == CONN_STDIN ? ON_STDIN : ON_SHELL;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        if (strcmp(handlers[i].type, m->type) != 0) continue;
        if (!(handlers[i].flags & on)) break;
        /* Shell answers in arrival order: a request behind its own client's executes waits
         * for them; interrupt and shutdown never wait. */
        if (on == ON_SHELL && (handlers[i].flags & IN_ORDER) && exec_pending_from(p->exec, m)) {
            exec_defer(p->exec, ch, mp);
            return;
        }
        dispatch(p, i, ch, mp);
        return;
    }
    fprintf(stderr, "parc-kernel: unknown message type '%s' on %s\n", m->type,
            conn_channel_name(ch));
    if (is_req && ch != CONN_STDIN) {
        char why[200];
        snprintf(why, sizeof why, "unknown message type '%.150s'", m->type);
        chan_status(&p->chan, m, "busy");
        chan_reply(&p->chan, ch, m, rt, chan_error_content("UnknownMessageType", why));
        chan_status(&p->chan, m, "idle");
    }
    msg_destroy(mp);
}

/* ---------------------------------------------------------------- lifecycle */

proto_t *proto_new(const proto_cfg_t *cfg)
{
    proto_t *p = mem_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->cfg = *cfg;
    chan_init(&p->chan, cfg->shell, cfg->control, cfg->stdin_sock, cfg->iopub, cfg->sign);
    p->hist = hist_new();
    if (p->hist) p->exec = exec_new(&p->chan, cfg->pool, p->hist);
    if (!p->exec) {
        hist_destroy(&p->hist);
        mem_free(p);
        return NULL;
    }
    exec_set_other(p->exec, deferred, p);
    return p;
}

void proto_destroy(proto_t **pp)
{
    if (!pp || !*pp) return;
    proto_t *p = *pp;
    chan_flush(&p->chan); /* while the running cell's request, its parent, still exists */
    exec_destroy(&p->exec);
    chan_fini(&p->chan);
    hist_destroy(&p->hist);
    mem_free(p);
    *pp = NULL;
}

void proto_interrupt(proto_t *p)
{
    if (p->cfg.pool) pool_interrupt(p->cfg.pool);
}

void proto_starting(proto_t *p)
{
    chan_publish(&p->chan, NULL, "status", json_pack("{s:s}", "execution_state", "starting"));
}

int proto_should_exit(const proto_t *p)
{
    return p->exit;
}

void proto_shutting_down(proto_t *p)
{
    exec_close(p->exec);
}

void proto_tick(proto_t *p)
{
    exec_tick(p->exec);
    chan_tick(&p->chan); /* stream text, coalesced */
}

long proto_timeout_ms(const proto_t *p)
{
    long e = exec_timeout_ms(p->exec), c = chan_due_ms(&p->chan);
    return e < 0 ? c : c < 0 || e < c ? e : c;
}
