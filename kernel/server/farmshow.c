/* farmshow.c - a farm's failures and progress line in the notebook (see farmshow.h).
 *
 * The progress line is display_data with a transient display_id, then update_display_data
 * with the same id: the notebook and JupyterLab replace it in place, and a console shows
 * each update as a new line (so updates are rate-limited). The id (kernel pid and when the
 * cell began to wait, in ms) is unique, so two farms, or two cells waiting for one
 * pmap_async farm, never update each other's line. */
#include "farmshow.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void farmshow_fail(chan_t *chan, const msg_t *req, const farm_fail_t *fail, lang_source_fn src,
                   void *ud)
{
    char who[64];
    snprintf(who, sizeof who, "[item %u on engine %d] ", fail->item, fail->rank);
    lang_frame_t fr = {fail->err.at, fail->fn};
    wbuf_t t;
    wbuf_init(&t);
    lang_format_error(&fail->err, &fr, fail->err.at.line > 0 ? 1 : 0, who, src, ud, &t);
    wbuf_printf(&t, "\n");
    if (!t.oom) chan_stream(chan, req, "stderr", wbuf_cstring(&t), t.len);
    wbuf_free(&t);
}

void farmshow_output(chan_t *chan, const msg_t *req, int rank, int stream, const char *text,
                     size_t n)
{
    const char *name = stream == 2 ? "stderr" : "stdout";
    wbuf_t t;
    wbuf_init(&t);
    for (size_t b = 0; b < n;) {
        size_t e = b;
        while (e < n && text[e] != '\n')
            e++;
        wbuf_printf(&t, "[%s:%d] ", name, rank);
        wbuf_bytes(&t, text + b, e - b + (e < n));
        b = e + 1;
    }
    if (!t.oom && t.len) chan_stream(chan, req, name, wbuf_cstring(&t), t.len);
    wbuf_free(&t);
}

static void publish(farmshow_t *s, chan_t *chan, const msg_t *req, const char *type)
{
    json_t *c = json_pack("{s:{s:s}, s:{}, s:{s:s}}", "data", "text/plain", s->text, "metadata",
                          "transient", "display_id", s->id);
    chan_publish(chan, req, type, c);
}

void farmshow_progress(farmshow_t *s, chan_t *chan, const msg_t *req, const farm_t *f, double now,
                       int final)
{
    if (!farm_active(f)) return;
    if (!s->since) s->since = now;
    if (!s->shown && now - s->since < FARMSHOW_AFTER_S) return;
    if (s->shown && !final && now - s->last < FARMSHOW_EVERY_S) return;
    wbuf_t t;
    wbuf_init(&t);
    farm_progress(f, now, &t);
    if (t.oom) {
        wbuf_free(&t);
        return;
    }
    const char *line = wbuf_cstring(&t);
    if (s->shown && strcmp(line, s->text) == 0) {
        wbuf_free(&t);
        return;
    }
    snprintf(s->text, sizeof s->text, "%s", line);
    wbuf_free(&t);
    s->last = now;
    if (!s->shown) {
        snprintf(s->id, sizeof s->id, "parc-farm-%ld-%.0f", (long)getpid(), s->since * 1e3);
        s->shown = 1;
        publish(s, chan, req, "display_data");
    } else {
        publish(s, chan, req, "update_display_data");
    }
}
