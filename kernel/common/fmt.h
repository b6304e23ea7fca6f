/* fmt.h - number formatting shared by the kernel and the engines.
 * fmt_double_repr gives Python's repr of a float: the shortest text that reads back to the
 * same bits ("0.1", "3.1413108", "1e+16", "1e-05", "inf", "nan", "-0.0"), so equal text means
 * equal bits. buf must hold at least FMT_DOUBLE_MAX bytes. Returns the length. */
#ifndef PARC_FMT_H
#define PARC_FMT_H

#include <stddef.h>

#define FMT_DOUBLE_MAX 32

int fmt_double_repr(double d, char *buf);
/* Shortest round-trip digits of d as "%.{p}e" would print them; p returned in *prec
 * (number of significant digits - 1). Helper for NumPy-style array formatting. */
int fmt_double_shortest_prec(double d);
/* The same for a float32: the fewest digits (p of "%.{p}e", 0..8) reading back to f. */
int fmt_float_shortest_prec(float f);
/* Python's repr of the double nearest the shortest text that reads back to f, so a float32
 * 0.1 shows as "0.1" (not "0.10000000149011612"). buf as for fmt_double_repr. */
int fmt_float_repr(float f, char *buf);

#endif
