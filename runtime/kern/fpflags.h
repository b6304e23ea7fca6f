/* fpflags.h - clearing the IEEE exception flags cheaply.
 *
 * glibc's feclearexcept saves and reloads the whole x87 environment besides MXCSR (about
 * 90 ns here, paid per 4096-element block by a reduction's fold: 2 ms of x.sum()'s 19 ms
 * on 10^8 elements). The SSE/AVX arithmetic the kernels do sets MXCSR only, so fp_clear
 * clears the asked flags there and takes glibc's way only when the x87 status word holds
 * one of them (an x87 instruction, as in libm's fmod, set it): the same effect as
 * feclearexcept(mask), whose flag values are the bits of both registers on x86. */
#ifndef PARC_FPFLAGS_H
#define PARC_FPFLAGS_H

#include <fenv.h>

#if defined(__x86_64__) && defined(__SSE__)
#include <xmmintrin.h>

static inline void fp_clear(int mask)
{
    unsigned short sw;
    __asm__ volatile("fnstsw %0" : "=am"(sw));
    if (sw & mask) {
        feclearexcept(mask);
        return;
    }
    _mm_setcsr(_mm_getcsr() & ~(unsigned)mask);
}
#else
static inline void fp_clear(int mask)
{
    feclearexcept(mask);
}
#endif

#endif
