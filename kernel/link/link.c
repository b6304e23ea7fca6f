/* link.c - signed three-frame messages between the kernel's pool_ and the engines' eng_
 * (link.h has the frame layout and every body). Both executables link it.
 *
 * The header is a fixed 16 bytes, so a receiver checks sizes before anything else, then the
 * HMAC over the raw header and body frames, and only then looks inside the header. A bad
 * message is logged on stderr and dropped: there is no trusted peer to answer. The frames of
 * a good message stay open until link_msg_close, so the body is read in place. */
#include "link.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define HDR_SIZE   16
#define MAX_FRAMES 4 /* identity (ROUTER only), signature, header, body */

typedef struct {
    zmq_msg_t f[MAX_FRAMES];
    int n; /* frames initialised in f */
} frames_t;

static void put_hdr(uint8_t *b, const link_hdr_t *h)
{
    wbuf_t w;
    wbuf_init(&w);
    wbuf_u32(&w, LINK_MAGIC);
    wbuf_u16(&w, LINK_VERSION);
    wbuf_u8(&w, h->type);
    wbuf_u8(&w, 0);
    wbuf_u32(&w, h->seq);
    wbuf_i32(&w, h->rank);
    if (!w.oom && w.len == HDR_SIZE)
        memcpy(b, w.p, HDR_SIZE);
    else
        memset(b, 0, HDR_SIZE);
    wbuf_free(&w);
}

int link_send(void *sock, const void *id, size_t idlen, const sign_t *s, const link_hdr_t *h,
              const void *body, size_t n)
{
    uint8_t hdr[HDR_SIZE];
    char sig[65];
    put_hdr(hdr, h);
    sign_part_t parts[2] = {{hdr, HDR_SIZE}, {body ? body : "", n}};
    if (sign_hex(s, parts, 2, sig) != 0) {
        errno = EINVAL;
        return -1;
    }
    /* zmq sends a multipart message atomically: either every frame goes or none does. */
    if (id && zmq_send(sock, id, idlen, ZMQ_SNDMORE) < 0) return -1;
    if (zmq_send(sock, sig, strlen(sig), ZMQ_SNDMORE) < 0) return -1;
    if (zmq_send(sock, hdr, HDR_SIZE, ZMQ_SNDMORE) < 0) return -1;
    if (zmq_send(sock, body ? body : "", n, 0) < 0) return -1;
    return 0;
}

static void close_frames(frames_t *fr)
{
    for (int i = 0; i < fr->n; i++)
        zmq_msg_close(&fr->f[i]);
    fr->n = 0;
}

/* Reads the rest of a multipart message after a failure so the next read starts clean. */
static void skip_rest(void *sock)
{
    int more = 1;
    size_t sz = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        int rc = zmq_msg_recv(&m, sock, 0);
        zmq_msg_close(&m);
        if (rc < 0) break;
        sz = sizeof more;
    }
}

static int drop(frames_t *fr, const char *id, const char *why)
{
    fprintf(stderr, "parc link: dropped a message%s%s: %s\n", id && *id ? " from " : "",
            id ? id : "", why);
    close_frames(fr);
    return 0;
}

int link_recv(void *sock, int is_router, const sign_t *s, int dontwait, link_msg_t *m)
{
    memset(m, 0, sizeof *m);
    frames_t *fr = mem_calloc(1, sizeof *fr);
    if (!fr) return -1;
    int more = 1, too_many = 0;
    while (more) {
        zmq_msg_t tmp, *f = fr->n < MAX_FRAMES ? &fr->f[fr->n] : &tmp;
        zmq_msg_init(f);
        int flags = fr->n == 0 && dontwait ? ZMQ_DONTWAIT : 0;
        if (zmq_msg_recv(f, sock, flags) < 0) {
            int e = errno;
            zmq_msg_close(f);
            if (fr->n) skip_rest(sock);
            close_frames(fr);
            mem_free(fr);
            if (e == EAGAIN) return 0;
            errno = e;
            return -1;
        }
        more = zmq_msg_more(f);
        if (f == &tmp) {
            zmq_msg_close(f);
            too_many = 1;
        } else {
            fr->n++;
        }
    }
    int base = is_router ? 1 : 0;
    if (is_router && fr->n >= 1) {
        size_t il = zmq_msg_size(&fr->f[0]);
        if (il >= sizeof m->id) il = sizeof m->id - 1;
        memcpy(m->id, zmq_msg_data(&fr->f[0]), il);
        m->id[il] = 0;
        m->idlen = il;
    }
    int rc = 1;
    if (too_many || fr->n != base + 3) {
        rc = drop(fr, m->id, "wrong number of frames");
    } else {
        zmq_msg_t *sig = &fr->f[base], *hdr = &fr->f[base + 1], *body = &fr->f[base + 2];
        sign_part_t parts[2] = {{zmq_msg_data(hdr), zmq_msg_size(hdr)},
                                {zmq_msg_data(body), zmq_msg_size(body)}};
        if (zmq_msg_size(hdr) != HDR_SIZE) {
            rc = drop(fr, m->id, "bad header size");
        } else if (zmq_msg_size(body) > LINK_MAXMSG) {
            rc = drop(fr, m->id, "body too large");
        } else if (!sign_check_hex(s, parts, 2, zmq_msg_data(sig), zmq_msg_size(sig))) {
            rc = drop(fr, m->id, "bad signature");
        } else {
            rbuf_t r;
            rbuf_init(&r, zmq_msg_data(hdr), HDR_SIZE);
            uint32_t magic = rbuf_u32(&r);
            uint16_t ver = rbuf_u16(&r);
            m->h.type = rbuf_u8(&r);
            (void)rbuf_u8(&r);
            m->h.seq = rbuf_u32(&r);
            m->h.rank = rbuf_i32(&r);
            if (r.bad || magic != LINK_MAGIC)
                rc = drop(fr, m->id, "bad magic");
            else if (ver != LINK_VERSION)
                rc = drop(fr, m->id, "unsupported version");
            else if (m->h.type < LINK_HELLO || m->h.type >= LINK_NTYPES)
                rc = drop(fr, m->id, "unknown message type");
            else {
                m->body = zmq_msg_data(body);
                m->n = zmq_msg_size(body);
            }
        }
    }
    if (rc != 1) {
        mem_free(fr);
        memset(m, 0, sizeof *m);
        return 0;
    }
    m->frames_ = fr;
    return 1;
}

void link_msg_close(link_msg_t *m)
{
    if (!m || !m->frames_) return;
    frames_t *fr = m->frames_;
    close_frames(fr);
    mem_free(fr);
    m->frames_ = NULL;
    m->body = NULL;
    m->n = 0;
}
