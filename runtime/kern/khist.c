/* khist.c - histogram bins of a block (kern.h, kern_hist), NumPy 1.24's steps for equal
 * bins (numpy/lib/histograms.py): index = ((x - first) / (last - first)) * nbins in the
 * edge type, truncated, then one down when x is below its left edge and one up when x is on
 * or past its right edge (the last bin is closed).
 *
 * Two passes per sub-block: the indices, branch-free so that gcc vectorizes them (the
 * division is the cost), then the counting, spread over `ways` interleaved counter sets so
 * that a run of values in one bin (the middle of a normal distribution) does not wait on
 * its own previous increment. */
#include <stdint.h>

#include "dtype.h"
#include "kern.h"

#define SUB 1024
#define OUT (-1) /* outside [first, last] or nan */
#define BAD (-2) /* inside, but its index falls outside [0, nbins] (float32 ranges) */

/* idx[j] for the value t (type T) whose range test is in; lo, den, nb and e are locals of
 * the loop (not read through h: the stores to idx could alias it for all gcc knows). */
#define INDEX(T, t, in)                                                                            \
    do {                                                                                           \
        T t_ = t, f_ = ((t_ - lo) / den) * (T)nb;                                                  \
        int in_ = in, ok_ = (f_ >= 0) & (f_ <= (T)nb);                                             \
        int32_t k_ = (int32_t)(in_ & ok_ ? f_ : 0);                                                \
        k_ -= k_ == nb;                                                                            \
        k_ -= (k_ > 0) & (t_ < e[k_]);                                                             \
        k_ += (k_ != nb - 1) & (t_ >= e[k_ + 1]);                                                  \
        idx[j] = in_ ? (ok_ ? k_ : BAD) : OUT;                                                     \
    } while (0)

static void idx_f64(const khist_t *h, const double *x, size_t m, int32_t *idx)
{
    const double *e = h->edges, lo = h->lod, hi = h->hid, den = h->den;
    const int32_t nb = (int32_t)h->nbins;
    for (size_t j = 0; j < m; j++) {
        double t = x[j];
        int in = (t >= lo) & (t <= hi);
        INDEX(double, t, in);
    }
}

static void idx_f32(const khist_t *h, const float *x, size_t m, int32_t *idx)
{
    const float *e = h->edges, lo = h->lo32, hi = h->hi32, den = h->den32;
    const int32_t nb = (int32_t)h->nbins;
    for (size_t j = 0; j < m; j++) {
        float t = x[j];
        int in = (t >= lo) & (t <= hi);
        INDEX(float, t, in);
    }
}

#define IDX_INT(NAME, T)                                                                           \
    static void NAME(const khist_t *h, const T *x, size_t m, int32_t *idx)                         \
    {                                                                                              \
        const double *e = h->edges, lo = h->lod, hi = h->hid, den = h->den;                        \
        const int32_t nb = (int32_t)h->nbins;                                                      \
        const int li = h->lo_int, hj = h->hi_int;                                                  \
        const int64_t loi = h->loi, hii = h->hii;                                                  \
        for (size_t j = 0; j < m; j++) {                                                           \
            int64_t v = x[j];                                                                      \
            double t = (double)v;                                                                  \
            int in = (li ? v >= loi : t >= lo) && (hj ? v <= hii : t <= hi);                       \
            INDEX(double, t, in);                                                                  \
        }                                                                                          \
    }
IDX_INT(idx_b, uint8_t)
IDX_INT(idx_i32, int32_t)
IDX_INT(idx_i64, int64_t)

int kern_hist(const khist_t *h, int dt, const void *x, size_t n, int64_t *cnt, int ways)
{
    int32_t idx[SUB];
    int bad = 0;
    size_t sz = dt == DT_FLOAT64 || dt == DT_INT64 ? 8 : dt == DT_BOOL ? 1 : 4;
    for (size_t k0 = 0; k0 < n; k0 += SUB) {
        size_t m = n - k0 < SUB ? n - k0 : SUB;
        const void *p = (const char *)x + k0 * sz;
        switch (dt) {
        case DT_FLOAT64:
            idx_f64(h, p, m, idx);
            break;
        case DT_FLOAT32:
            idx_f32(h, p, m, idx);
            break;
        case DT_BOOL:
            idx_b(h, p, m, idx);
            break;
        case DT_INT32:
            idx_i32(h, p, m, idx);
            break;
        default:
            idx_i64(h, p, m, idx);
            break;
        }
        if (ways == 4) {
            int64_t nb = h->nbins;
            size_t j = 0;
            for (; j + 4 <= m; j += 4)
                for (int w = 0; w < 4; w++) {
                    int32_t k = idx[j + w];
                    bad |= k == BAD;
                    if (k >= 0) cnt[w * nb + k]++;
                }
            for (; j < m; j++) {
                bad |= idx[j] == BAD;
                if (idx[j] >= 0) cnt[idx[j]]++;
            }
        } else {
            for (size_t j = 0; j < m; j++) {
                bad |= idx[j] == BAD;
                if (idx[j] >= 0) cnt[idx[j]]++;
            }
        }
    }
    return bad;
}
