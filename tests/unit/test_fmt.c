/* test_fmt.c - float text (fmt.h): Python's repr of a double, and the float32 forms that
 * the scalar repr and the array formatter share. Expected strings are what Python 3 and
 * NumPy 1.24 print (repr(x) and str(numpy.float32(x))). */
#include <math.h>

#include "check.h"
#include "fmt.h"

static const char *dbl(double d)
{
    static char buf[FMT_DOUBLE_MAX];
    fmt_double_repr(d, buf);
    return buf;
}

static const char *flt(float f)
{
    static char buf[FMT_DOUBLE_MAX];
    fmt_float_repr(f, buf);
    return buf;
}

int main(void)
{
    CHECK_STR(dbl(0.1), "0.1");
    CHECK_STR(dbl(1.0 / 3), "0.3333333333333333");
    CHECK_STR(dbl(1e16), "1e+16");
    CHECK_STR(dbl(1e-5), "1e-05");
    CHECK_STR(dbl(-2.5e-7), "-2.5e-07");
    CHECK_STR(dbl(123456.789), "123456.789");
    CHECK_STR(dbl(100), "100.0");
    CHECK_STR(dbl(-0.0), "-0.0");
    CHECK_STR(dbl(NAN), "nan");
    CHECK_STR(dbl(-INFINITY), "-inf");
    CHECK_STR(dbl(ldexp(1, -1074)), "5e-324");

    CHECK_STR(flt(0.1f), "0.1");
    CHECK_STR(flt(1.0f / 3), "0.33333334");
    CHECK_STR(flt(16777217.0f), "16777216.0");
    CHECK_STR(flt(1e-5f), "1e-05");
    CHECK_STR(flt(3.4e38f), "3.4e+38");
    CHECK_STR(flt(1e16f), "1e+16");
    CHECK_STR(flt(ldexpf(1, -149)), "1e-45");
    CHECK_STR(flt(-2.5e-7f), "-2.5e-07");
    CHECK_STR(flt(123456.789f), "123456.79");
    CHECK_STR(flt(-0.0f), "-0.0");
    CHECK_STR(flt(INFINITY), "inf");
    CHECK_STR(flt(NAN), "nan");

    CHECK(fmt_double_shortest_prec(0.1) == 0 && fmt_double_shortest_prec(1.0 / 3) == 15);
    CHECK(fmt_float_shortest_prec(0.1f) == 0 && fmt_float_shortest_prec(1.0f / 3) == 7);
    /* Every float32 text reads back to the same float32. */
    for (unsigned i = 1; i < 2000; i++) {
        float f = ldexpf((float)i * 0.7071f, (int)(i % 200) - 100);
        CHECK(strtof(flt(f), NULL) == f);
    }
    return check_done();
}
