/* out.c - an engine rank's output path to the kernel (STREAM, RESULT, INPUT_REQ; link.h).
 *
 * Text is sent the moment it is written, so a long cell's prints reach the front end while
 * it runs. In global view every rank runs the same statement, so rank 0 speaks for all and
 * the other ranks' copies of the same output are dropped here; in local view each rank
 * sends its own, and the kernel prefixes it with the rank.
 *
 * Without an engine (rt->eng == NULL, as in the engine tests) output goes to this process's
 * own stdout/stderr, and input() has nobody to ask. */
#include "out.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "link.h"
#include "log.h"
#include "mem.h"
#include "wire.h"

static int speaks(const rt_t *rt)
{
    return rt->local || rt->rank == 0;
}

void out_write(rt_t *rt, int stream, const char *s, size_t n)
{
    if (!rt->eng) {
        FILE *f = stream == 2 ? stderr : stdout;
        fwrite(s, 1, n, f);
        fflush(f);
        return;
    }
    if (!speaks(rt) || n == 0) return;
    wbuf_t b;
    wbuf_init(&b);
    /* 3 and 4: an item of a global-view farm printed it; the kernel shows it prefixed. */
    wbuf_u8(&b, (uint8_t)((stream == 2 ? 2 : 1) + (rt->in_farm ? 2 : 0)));
    wbuf_str(&b, s, n);
    if (b.oom)
        log_warn("parc-engine %d: out of memory sending output", rt->rank);
    else {
        int was = rt_wait_begin(rt, RT_OUTPUT);
        eng_send(rt->eng, LINK_STREAM, b.p, b.len);
        rt_wait_end(rt, was);
    }
    wbuf_free(&b);
}

void out_result(rt_t *rt, const char *plain, size_t np, const char *html, size_t nh)
{
    if (!rt->eng) {
        printf("Out[%d]: %.*s\n", rt->rank, (int)np, plain);
        fflush(stdout);
        return;
    }
    if (!speaks(rt)) return;
    wbuf_t b;
    wbuf_init(&b);
    wbuf_str(&b, plain, np);
    wbuf_str(&b, html ? html : "", html ? nh : 0);
    if (b.oom)
        log_warn("parc-engine %d: out of memory sending a result", rt->rank);
    else
        eng_result(rt->eng, b.p, b.len);
    wbuf_free(&b);
}

void out_figure(rt_t *rt, const void *rec, size_t n)
{
    if (!rt->eng) {
        printf("Figure[%d]: %zu bytes\n", rt->rank, n);
        fflush(stdout);
        return;
    }
    if (speaks(rt)) eng_send(rt->eng, LINK_FIGURE, rec, n);
}

/* This rank asks the kernel and waits for the answer. */
static int ask(rt_t *rt, const char *prompt, int password, char **line, size_t *n, err_t *err)
{
    wbuf_t b;
    wbuf_init(&b);
    wbuf_cstr(&b, prompt ? prompt : "");
    wbuf_u8(&b, password ? 1 : 0);
    int rc = 0;
    if (b.oom)
        rc = err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory for input()");
    else if (eng_send(rt->eng, LINK_INPUT_REQ, b.p, b.len) != 0)
        rc = err_set(err, PARC_EIO, (span_t){0}, "input(): cannot reach the kernel");
    wbuf_free(&b);
    if (rc) return rc;
    return eng_input(rt->eng, line, n, err);
}

static int input_run(rt_t *rt, const char *prompt, int password, char **line, err_t *err)
{
    *line = NULL;
    if (!rt->eng)
        return err_set(err, PARC_EIO, (span_t){0}, "input() needs a front end that allows stdin");
    size_t n = 0;
    if (rt->local) return ask(rt, prompt, password, line, &n, err);

    /* Global view, Collective: rank 0 asks, then everyone learns the outcome and the line. */
    struct {
        int64_t code, len;
        char msg[sizeof err->msg];
    } st;
    memset(&st, 0, sizeof st);
    if (rt->rank == 0) {
        err_t e0;
        err_clear(&e0);
        st.code = ask(rt, prompt, password, line, &n, &e0);
        st.len = (int64_t)n;
        memcpy(st.msg, e0.msg, sizeof st.msg);
    }
    if (MPI_Bcast(&st, (int)sizeof st, MPI_BYTE, 0, rt->comm) != MPI_SUCCESS) {
        mem_free(*line);
        *line = NULL;
        return err_set(err, PARC_EMPI, (span_t){0}, "input(): broadcast failed");
    }
    st.msg[sizeof st.msg - 1] = 0;
    if (st.code) {
        mem_free(*line);
        *line = NULL;
        return err_set(err, (int)st.code, (span_t){0}, "%s", st.msg);
    }
    /* Every rank allocates, then all agree, so the broadcast stays matched on every rank
     * even when one of them is out of memory. */
    int len = (int)st.len, ok = 1, all = 0;
    if (rt->rank != 0) ok = (*line = mem_alloc((size_t)len + 1)) != NULL;
    int rc = MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, rt->comm);
    if (rc == MPI_SUCCESS && all && len > 0) rc = MPI_Bcast(*line, len, MPI_CHAR, 0, rt->comm);
    if (rc != MPI_SUCCESS || !all) {
        mem_free(*line);
        *line = NULL;
        if (rc != MPI_SUCCESS)
            return err_set(err, PARC_EMPI, (span_t){0}, "input(): broadcast failed");
        return err_set(err, PARC_ENOMEM, (span_t){0}, "out of memory for input()");
    }
    (*line)[len] = 0;
    return 0;
}

int out_input(rt_t *rt, const char *prompt, int password, char **line, err_t *err)
{
    int was = rt_wait_begin(rt, RT_INPUT);
    int rc = input_run(rt, prompt, password, line, err);
    rt_wait_end(rt, was);
    return rc;
}
