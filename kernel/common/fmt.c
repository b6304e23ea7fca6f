/* fmt.c - Python-style float repr (see fmt.h). Tries 1..17 significant digits (1..9 for a
 * float32) and keeps the first that round-trips: at most 17 snprintf/strtod pairs, only
 * for display. */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fmt_double_shortest_prec(double d)
{
    char tmp[40];
    for (int p = 0; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p, d);
        if (strtod(tmp, NULL) == d) return p;
    }
    return 16;
}

int fmt_float_shortest_prec(float f)
{
    char tmp[48];
    for (int p = 0; p < 8; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p, (double)f);
        if (strtof(tmp, NULL) == f) return p;
    }
    return 8;
}

int fmt_float_repr(float f, char *buf)
{
    if (!isfinite(f) || f == 0) return fmt_double_repr(f, buf);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.*e", fmt_float_shortest_prec(f), (double)f);
    return fmt_double_repr(strtod(tmp, NULL), buf);
}

int fmt_double_repr(double d, char *buf)
{
    if (isnan(d)) return snprintf(buf, FMT_DOUBLE_MAX, "nan");
    if (isinf(d)) return snprintf(buf, FMT_DOUBLE_MAX, d < 0 ? "-inf" : "inf");
    if (d == 0) return snprintf(buf, FMT_DOUBLE_MAX, signbit(d) ? "-0.0" : "0.0");
    int p = fmt_double_shortest_prec(d);
    char e[40];
    snprintf(e, sizeof e, "%.*e", p, d);
    /* e = "-d.ddddde+XX": split digits and exponent. */
    char *ep = strchr(e, 'e');
    int exp10 = atoi(ep + 1);
    char digits[24];
    int nd = 0;
    for (char *q = e; q < ep; q++)
        if (*q >= '0' && *q <= '9') digits[nd++] = *q;
    digits[nd] = 0;
    const char *sign = d < 0 ? "-" : "";
    if (exp10 < -4 || exp10 >= 16) {
        /* Python: 1e+16, 1.5e-05 */
        if (nd == 1)
            return snprintf(buf, FMT_DOUBLE_MAX, "%s%ce%c%02d", sign, digits[0],
                            exp10 < 0 ? '-' : '+', abs(exp10));
        return snprintf(buf, FMT_DOUBLE_MAX, "%s%c.%se%c%02d", sign, digits[0], digits + 1,
                        exp10 < 0 ? '-' : '+', abs(exp10));
    }
    char out[FMT_DOUBLE_MAX];
    int n = 0;
    n += snprintf(out + n, sizeof out - n, "%s", sign);
    if (exp10 < 0) {
        n += snprintf(out + n, sizeof out - n, "0.");
        for (int i = 0; i < -exp10 - 1; i++)
            out[n++] = '0';
        n += snprintf(out + n, sizeof out - n, "%s", digits);
    } else {
        for (int i = 0; i <= exp10; i++)
            out[n++] = i < nd ? digits[i] : '0';
        out[n++] = '.';
        if (nd > exp10 + 1)
            n += snprintf(out + n, sizeof out - n, "%s", digits + exp10 + 1);
        else
            out[n++] = '0';
        out[n] = 0;
    }
    memcpy(buf, out, (size_t)n + 1);
    return n;
}
