/* jit.h - fused programs compiled to machine code by the system's C compiler.
 *
 * The interpreter (fuse.c) runs a program one instruction at a time over a group of
 * elements, every register stored and loaded again; a C loop that computes the whole
 * expression per element keeps them in vector registers. fuse.c writes such a loop as C
 * source (the same IEEE operations in the same order as its kernels, so the same bits),
 * and jit_get compiles it with `cc` into a shared object in a private directory and loads
 * it. The first request for a source starts the compiler in the background and answers
 * NULL (the interpreter runs meanwhile); a later request finds it built. Nothing here is
 * collective: each engine compiles for itself, and an engine that cannot (no compiler, a
 * failed build) keeps interpreting, with the same values.
 *
 * PARC_JIT in the engine's environment: "0" turns it off, "sync" compiles at the first
 * request and waits for it (the tests' setting). PARC_CC names the compiler (default cc). */
#ifndef PARC_JIT_H
#define PARC_JIT_H

#include <stdint.h>

/* A compiled program: elements [lo, hi) of the run whose leaves (and constants) are
 * in[0], in[1], ... in instruction order, results into out (indexed from 0 as the run). */
typedef void (*jit_fn)(const void *const *in, void *out, int64_t lo, int64_t hi);

/* The mode PARC_JIT asks for. */
enum { JIT_OFF, JIT_ASYNC, JIT_SYNC };
int jit_mode(void);

/* The compiled function for src (the C text of a function named parc_jit_kernel of type
 * jit_fn), or NULL while it is compiling or when it cannot be built. */
jit_fn jit_get(const char *src);

#endif
