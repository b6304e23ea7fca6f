/* builtins.h - the one table of parc's builtin names, shared by both executables.
 * The kernel uses it to resolve names at compile time (comp_), to complete and inspect
 * (lang_), and to generate docs/language.md; the engine dispatches on the BI_* id that the
 * IR's BUILTIN node carries. Adding a builtin is adding a row here and its case in the
 * engine. Ids are positions in this list: append, never reorder (the IR version pins them).
 *
 * BI(id, "name", kind, "signature", "one-paragraph doc")
 * Kinds: FUNC plain function; UFUNC1/UFUNC2/UFUNC3 elementwise with 1/2/3 operands (fusible);
 * REDUCE reduction (whole array or axis=); CREATE array creation; RANDOM random.*; CONST a
 * constant; DTYPE a dtype object; COMM local-view communication. */
#ifndef PARC_BUILTINS_H
#define PARC_BUILTINS_H

#include <stddef.h>

#define PARC_BUILTINS(BI)                                                                          \
    BI(PRINT, "print", FUNC, "print(*values, sep=' ', end='\\n')",                                 \
       "Writes the values, separated by sep and followed by end, to this engine's stdout.")        \
    BI(LEN, "len", FUNC, "len(x)",                                                                 \
       "Number of items: length of axis 0 of an array, of a tuple, "                               \
       "list or string.")                                                                          \
    BI(RANGE, "range", FUNC, "range(stop) / range(start, stop[, step])",                           \
       "The integers from start up to (not including) stop, by step; for `for` loops.")            \
    BI(ABS, "abs", UFUNC1, "abs(x)", "Absolute value, elementwise for arrays (same as absolute).") \
    BI(ROUND, "round", FUNC, "round(x, ndigits=0)", "Rounds half to even, as Python and NumPy.")   \
    BI(INT, "int", FUNC, "int(x)", "Converts a number or string to an int (truncating floats).")   \
    BI(FLOAT, "float", FUNC, "float(x)", "Converts a number or string to a float.")                \
    BI(BOOL, "bool", FUNC, "bool(x)", "Truth value of x.")                                         \
    BI(STR, "str", FUNC, "str(x)", "Text of x, as print shows it.")                                \
    BI(MIN, "min", REDUCE, "min(a, b, ...) / min(x, axis=None, keepdims=False)",                   \
       "Smallest of several values, or of an array's elements (along axis if given).")             \
    BI(MAX, "max", REDUCE, "max(a, b, ...) / max(x, axis=None, keepdims=False)",                   \
       "Largest of several values, or of an array's elements (along axis if given).")              \
    BI(INPUT, "input", FUNC, "input(prompt='')",                                                   \
       "Asks the front end for a line of text and returns it (global view: asked once).")          \
    BI(ZEROS, "zeros", CREATE,                                                                     \
       "zeros(shape, dtype=float64, dist='b', block_size=1, grid_shape=None)",                     \
       "A new distributed array of the given shape filled with zeros.")                            \
    BI(ONES, "ones", CREATE,                                                                       \
       "ones(shape, dtype=float64, dist='b', block_size=1, grid_shape=None)",                      \
       "A new distributed array of the given shape filled with ones.")                             \
    BI(EMPTY, "empty", CREATE,                                                                     \
       "empty(shape, dtype=float64, dist='b', block_size=1, grid_shape=None)",                     \
       "A new distributed array of the given shape (contents are zeros in parc).")                 \
    BI(FULL, "full", CREATE,                                                                       \
       "full(shape, fill_value, dtype=None, dist='b', block_size=1, grid_shape=None)",             \
       "A new distributed array filled with fill_value; dtype follows fill_value by default.")     \
    BI(ARANGE, "arange", CREATE,                                                                   \
       "arange([start,] stop[, step], dtype=None, dist='b', block_size=1, grid_shape=None)",       \
       "Evenly spaced values in [start, stop); int64 for integer arguments, else float64.")        \
    BI(LINSPACE, "linspace", CREATE,                                                               \
       "linspace(start, stop, num=50, endpoint=True, dtype=float64, dist='b', block_size=1, "      \
       "grid_shape=None)",                                                                         \
       "num evenly spaced float64 values from start to stop.")                                     \
    BI(RAND, "random.rand", RANDOM,                                                                \
       "random.rand(d0, d1, ..., dtype=float64, dist='b', block_size=1, grid_shape=None)",         \
       "Uniform samples in [0, 1) of shape (d0, d1, ...), from the seeded parallel stream.")       \
    BI(RANDOM, "random.random", RANDOM,                                                            \
       "random.random(size=None, dtype=float64, dist='b', block_size=1, grid_shape=None)",         \
       "Uniform samples in [0, 1) of shape size (a float when size is None).")                     \
    BI(SEED, "random.seed", RANDOM, "random.seed(s)",                                              \
       "Starts the random stream at seed s: later random values depend only on s, the call "       \
       "number since the seed and the global index, on any number of engines.")                    \
    BI(SQRT, "sqrt", UFUNC1, "sqrt(x)", "Square root, elementwise.")                               \
    BI(EXP, "exp", UFUNC1, "exp(x)", "e to the power x, elementwise.")                             \
    BI(LOG, "log", UFUNC1, "log(x)", "Natural logarithm, elementwise.")                            \
    BI(SIN, "sin", UFUNC1, "sin(x)", "Sine (radians), elementwise.")                               \
    BI(COS, "cos", UFUNC1, "cos(x)", "Cosine (radians), elementwise.")                             \
    BI(HYPOT, "hypot", UFUNC2, "hypot(x, y)", "sqrt(x**2 + y**2) without overflow, elementwise.")  \
    BI(ABSOLUTE, "absolute", UFUNC1, "absolute(x)", "Absolute value, elementwise.")                \
    BI(SUM, "sum", REDUCE, "sum(x, axis=None, keepdims=False)",                                    \
       "Sum of the elements (along axis if given).")                                               \
    BI(MEAN, "mean", REDUCE, "mean(x, axis=None, keepdims=False)",                                 \
       "Arithmetic mean (along axis if given).")                                                   \
    BI(COUNT_NONZERO, "count_nonzero", REDUCE, "count_nonzero(x, axis=None, keepdims=False)",      \
       "Number of elements that are not zero (True counts as one).")                               \
    BI(PI, "pi", CONST, "pi", "3.141592653589793")                                                 \
    BI(E, "e", CONST, "e", "2.718281828459045")                                                    \
    BI(INF, "inf", CONST, "inf", "Positive infinity (float).")                                     \
    BI(NAN, "nan", CONST, "nan", "Not a number (float).")                                          \
    BI(NEWAXIS, "newaxis", CONST, "newaxis", "None, used in indexing to add an axis of length 1.") \
    BI(FLOAT64, "float64", DTYPE, "float64", "64-bit floating point dtype.")                       \
    BI(FLOAT32, "float32", DTYPE, "float32", "32-bit floating point dtype.")                       \
    BI(INT64, "int64", DTYPE, "int64", "64-bit signed integer dtype.")                             \
    BI(INT32, "int32", DTYPE, "int32", "32-bit signed integer dtype.")                             \
    BI(BOOL_, "bool_", DTYPE, "bool_", "Boolean dtype (also spelled bool in dtype=).")             \
    BI(COMPLEX128, "complex128", DTYPE, "complex128", "128-bit complex dtype.")                    \
    BI(TAN, "tan", UFUNC1, "tan(x)", "Tangent, elementwise.")                                      \
    BI(ARCSIN, "arcsin", UFUNC1, "arcsin(x)", "Inverse sine, elementwise.")                        \
    BI(ARCCOS, "arccos", UFUNC1, "arccos(x)", "Inverse cosine, elementwise.")                      \
    BI(ARCTAN, "arctan", UFUNC1, "arctan(x)", "Inverse tangent, elementwise.")                     \
    BI(SINH, "sinh", UFUNC1, "sinh(x)", "Hyperbolic sine, elementwise.")                           \
    BI(COSH, "cosh", UFUNC1, "cosh(x)", "Hyperbolic cosine, elementwise.")                         \
    BI(TANH, "tanh", UFUNC1, "tanh(x)", "Hyperbolic tangent, elementwise.")                        \
    BI(LOG10, "log10", UFUNC1, "log10(x)", "Base-10 logarithm, elementwise.")                      \
    BI(LOG1P, "log1p", UFUNC1, "log1p(x)", "log(1 + x), accurate for small x, elementwise.")       \
    BI(EXPM1, "expm1", UFUNC1, "expm1(x)", "exp(x) - 1, accurate for small x, elementwise.")       \
    BI(FLOOR, "floor", UFUNC1, "floor(x)", "Largest integer <= x, elementwise (as float).")        \
    BI(CEIL, "ceil", UFUNC1, "ceil(x)", "Smallest integer >= x, elementwise (as float).")          \
    BI(SQUARE, "square", UFUNC1, "square(x)", "x*x, elementwise.")                                 \
    BI(NEGATIVE, "negative", UFUNC1, "negative(x)", "-x, elementwise.")                            \
    BI(ARCTAN2, "arctan2", UFUNC2, "arctan2(y, x)", "Angle of the point (x, y), elementwise.")     \
    BI(MAXIMUM, "maximum", UFUNC2, "maximum(x, y)", "Elementwise larger value (nan wins).")        \
    BI(MINIMUM, "minimum", UFUNC2, "minimum(x, y)", "Elementwise smaller value (nan wins).")       \
    BI(PROD, "prod", REDUCE, "prod(x, axis=None, keepdims=False)", "Product of the elements.")     \
    BI(STD, "std", REDUCE, "std(x, axis=None, keepdims=False)", "Standard deviation (ddof=0).")    \
    BI(VAR, "var", REDUCE, "var(x, axis=None, keepdims=False)", "Variance (ddof=0).")              \
    BI(ANY, "any", REDUCE, "any(x, axis=None, keepdims=False)", "True if any element is true.")    \
    BI(ALL, "all", REDUCE, "all(x, axis=None, keepdims=False)", "True if every element is true.")  \
    BI(ARRAY, "array", CREATE,                                                                     \
       "array(values, dtype=None, dist='b', block_size=1, grid_shape=None)",                       \
       "A distributed array from a (nested) list or tuple of numbers.")                            \
    BI(RANDN, "random.randn", RANDOM,                                                              \
       "random.randn(d0, d1, ..., dtype=float64, dist='b', block_size=1, grid_shape=None)",        \
       "Standard normal samples of shape (d0, d1, ...).")                                          \
    BI(FROM_LOCAL, "from_local", FUNC, "from_local(c, dist='b', block_size=1, grid_shape=None)",   \
       "A distributed array made of each engine's local array c: its chunk of the layout dist= "   \
       "(default: stacked in rank order on axis 0), the global shape being what the chunks make; " \
       "no data moves.")                                                                           \
    BI(TRANSPOSE, "transpose", SHAPE, "transpose(a, axes=None)",                                   \
       "a with its axes permuted (reversed by default): a view; the layout's axes move with "      \
       "them.")                                                                                    \
    BI(RESHAPE, "reshape", SHAPE, "reshape(a, newshape)",                                          \
       "The elements of a in C order in a new shape (one entry may be -1).")                       \
    BI(RAVEL, "ravel", SHAPE, "ravel(a)", "a as a 1-d array in C order.")                          \
    BI(CONCATENATE, "concatenate", SHAPE, "concatenate(arrays, axis=0)",                           \
       "The arrays joined along an existing axis.")                                                \
    BI(SQUEEZE, "squeeze", SHAPE, "squeeze(a, axis=None)",                                         \
       "a without its axes of length 1 (or only axis).")                                           \
    BI(EXPAND_DIMS, "expand_dims", SHAPE, "expand_dims(a, axis)",                                  \
       "a with a new axis of length 1 before axis: a view.")                                       \
    BI(REDISTRIBUTE, "redistribute", CREATE,                                                       \
       "redistribute(x, dist='b', block_size=1, grid_shape=None)",                                 \
       "A copy of the distributed array x in another layout (the default without keywords), "      \
       "moved by one all-to-all between the engines.")                                             \
    BI(ALLREDUCE, "allreduce", COMM, "allreduce(v, op='sum')",                                     \
       "Local view: combines v over all engines with 'sum', 'prod', 'min' or 'max'.")              \
    BI(BCAST, "bcast", COMM, "bcast(v, root=0)", "Local view: root's v, on every engine.")         \
    BI(BARRIER, "barrier", COMM, "barrier()", "Local view: waits until every engine gets here.")   \
    BI(SEND, "send", COMM, "send(v, dest, tag=0)", "Local view: sends v to engine dest.")          \
    BI(RECV, "recv", COMM, "recv(source, tag=0)", "Local view: receives a value from source.")     \
    BI(COMPLEX, "complex", FUNC, "complex(real, imag=0)", "A complex number.")                     \
    BI(ISNAN, "isnan", UFUNC1, "isnan(x)", "True where x is not a number, elementwise.")           \
    BI(ISFINITE, "isfinite", UFUNC1, "isfinite(x)", "True where x is finite, elementwise.")        \
    BI(SIGN, "sign", UFUNC1, "sign(x)", "-1, 0 or 1 by the sign of x, elementwise.")               \
    BI(RINT, "rint", UFUNC1, "rint(x)",                                                            \
       "Rounds to the nearest integer (half to even), elementwise.")                               \
    BI(RECIPROCAL, "reciprocal", UFUNC1, "reciprocal(x)", "1/x, elementwise.")                     \
    BI(TYPE, "type", FUNC, "type(x)", "The kind of x as text ('int', 'ndarray', ...).")            \
    BI(PMAP, "pmap", FUNC, "pmap(f, items, ..., chunksize=1, balanced=True)",                      \
       "Global view: f(item) for each item (several sequences are zipped), each call on one "      \
       "engine in local view, the next chunk to whichever engine is free; the results as a list "  \
       "in item order. balanced=False: static round robin.")                                       \
    BI(APPLY, "apply", FUNC, "apply(f, *args)",                                                    \
       "Global view: f(*args) once on every engine in local view; the list of results in rank "    \
       "order.")                                                                                   \
    BI(PMAP_ASYNC, "pmap_async", FUNC, "pmap_async(f, items, ..., chunksize=1, balanced=True)",    \
       "Global view: pmap that returns at once an AsyncResult r; the items run while the engines " \
       "wait for them (r.get(timeout=None), for x in r, sleep()). r.ready(), r.progress, "         \
       "r.partial() (the results so far, None for the others).")                                   \
    BI(SLEEP, "sleep", FUNC, "sleep(seconds)",                                                     \
       "Waits that many seconds (a float), interruptible; for tests and demos of pmap.")           \
    BI(SET_PRINTOPTIONS, "set_printoptions", FUNC,                                                 \
       "set_printoptions(precision=None, threshold=None, floatmode=None)",                         \
       "How arrays are shown, as NumPy's: precision digits (8), threshold elements before "        \
       "summarizing with '...' (1000), floatmode 'maxprec' or 'unique' (every float with the "     \
       "shortest digits that read back to it). Options not given keep their value.")               \
    BI(HISTOGRAM, "histogram", FUNC, "histogram(a, bins=10, range=None)",                          \
       "(counts, edges) of a's values in bins equal bins over range (default: a's min and max), "  \
       "as NumPy's: the last bin includes its right edge. bins is an integer; complex input is "   \
       "refused. Each engine counts its own chunk; one collective sums the counts.")               \
    BI(ADD, "add", UFUNC2, "add(x, y)", "x + y, elementwise.")                                     \
    BI(SUBTRACT, "subtract", UFUNC2, "subtract(x, y)", "x - y, elementwise.")                      \
    BI(MULTIPLY, "multiply", UFUNC2, "multiply(x, y)", "x * y, elementwise.")                      \
    BI(DIVIDE, "divide", UFUNC2, "divide(x, y)",                                                   \
       "x / y, elementwise (true division: float64 for integers).")                                \
    BI(TRUE_DIVIDE, "true_divide", UFUNC2, "true_divide(x, y)", "Same as divide.")                 \
    BI(FLOOR_DIVIDE, "floor_divide", UFUNC2, "floor_divide(x, y)",                                 \
       "x // y, elementwise (integer division by zero gives 0).")                                  \
    BI(POWER, "power", UFUNC2, "power(x, y)", "x ** y, elementwise.")                              \
    BI(MOD, "mod", UFUNC2, "mod(x, y)", "Same as remainder.")                                      \
    BI(REMAINDER, "remainder", UFUNC2, "remainder(x, y)",                                          \
       "x % y with the divisor's sign, elementwise.")                                              \
    BI(FMOD, "fmod", UFUNC2, "fmod(x, y)",                                                         \
       "Remainder with the dividend's sign (C fmod), elementwise.")                                \
    BI(GREATER, "greater", UFUNC2, "greater(x, y)", "x > y, elementwise.")                         \
    BI(GREATER_EQUAL, "greater_equal", UFUNC2, "greater_equal(x, y)", "x >= y, elementwise.")      \
    BI(LESS, "less", UFUNC2, "less(x, y)", "x < y, elementwise.")                                  \
    BI(LESS_EQUAL, "less_equal", UFUNC2, "less_equal(x, y)", "x <= y, elementwise.")               \
    BI(EQUAL, "equal", UFUNC2, "equal(x, y)", "x == y, elementwise.")                              \
    BI(NOT_EQUAL, "not_equal", UFUNC2, "not_equal(x, y)", "x != y, elementwise.")                  \
    BI(BITWISE_AND, "bitwise_and", UFUNC2, "bitwise_and(x, y)",                                    \
       "x & y for bool and integer arrays.")                                                       \
    BI(BITWISE_OR, "bitwise_or", UFUNC2, "bitwise_or(x, y)", "x | y for bool and integer arrays.") \
    BI(BITWISE_XOR, "bitwise_xor", UFUNC2, "bitwise_xor(x, y)",                                    \
       "x ^ y for bool and integer arrays.")                                                       \
    BI(LEFT_SHIFT, "left_shift", UFUNC2, "left_shift(x, y)",                                       \
       "x << y for integers (0 past the width).")                                                  \
    BI(RIGHT_SHIFT, "right_shift", UFUNC2, "right_shift(x, y)",                                    \
       "x >> y for integers (arithmetic shift).")                                                  \
    BI(LOGICAL_AND, "logical_and", UFUNC2, "logical_and(x, y)",                                    \
       "Truth of x and y, elementwise (bool).")                                                    \
    BI(LOGICAL_OR, "logical_or", UFUNC2, "logical_or(x, y)",                                       \
       "Truth of x or y, elementwise (bool).")                                                     \
    BI(LOGICAL_XOR, "logical_xor", UFUNC2, "logical_xor(x, y)",                                    \
       "Truth of x xor y, elementwise (bool).")                                                    \
    BI(POSITIVE, "positive", UFUNC1, "positive(x)", "+x, elementwise (a copy).")                   \
    BI(INVERT, "invert", UFUNC1, "invert(x)",                                                      \
       "~x: bitwise not for integers, logical not for bool.")                                      \
    BI(BITWISE_NOT, "bitwise_not", UFUNC1, "bitwise_not(x)", "Same as invert.")                    \
    BI(CONJUGATE, "conjugate", UFUNC1, "conjugate(x)",                                             \
       "Complex conjugate, elementwise (real input unchanged).")                                   \
    BI(CONJ, "conj", UFUNC1, "conj(x)", "Same as conjugate.")                                      \
    BI(ARCSINH, "arcsinh", UFUNC1, "arcsinh(x)", "Inverse hyperbolic sine, elementwise.")          \
    BI(ARCCOSH, "arccosh", UFUNC1, "arccosh(x)", "Inverse hyperbolic cosine, elementwise.")        \
    BI(ARCTANH, "arctanh", UFUNC1, "arctanh(x)", "Inverse hyperbolic tangent, elementwise.")       \
    BI(LOGICAL_NOT, "logical_not", UFUNC1, "logical_not(x)",                                       \
       "True where x is zero (or False), elementwise.")                                            \
    BI(ISINF, "isinf", UFUNC1, "isinf(x)", "True where x is plus or minus infinity, elementwise.") \
    BI(WHERE, "where", UFUNC3, "where(condition, x, y) / where(condition)",                        \
       "x where condition is true, else y, elementwise; dtype of x and y promoted. With only "     \
       "condition (an array): a tuple of int64 index arrays, one per axis, of its nonzero "        \
       "elements in C order, as NumPy's nonzero.")                                                 \
    BI(CLIP, "clip", UFUNC3, "clip(a, a_min, a_max)",                                              \
       "a limited to [a_min, a_max] elementwise (one bound may be None); a nan element "           \
       "stays nan, a nan bound given as a number is ignored, as NumPy's.")                         \
    BI(ISCLOSE, "isclose", FUNC, "isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)",         \
       "True where |a - b| <= atol + rtol * |b| elementwise (infinities close only to "            \
       "themselves, nan to nothing unless equal_nan), as NumPy's; fused, one pass.")               \
    BI(ALLCLOSE, "allclose", FUNC, "allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)",      \
       "True (a Python bool) when isclose(a, b, ...) holds everywhere; one fused pass.")           \
    BI(ARRAY_EQUAL, "array_equal", FUNC, "array_equal(a1, a2, equal_nan=False)",                   \
       "True when a1 and a2 have the same shape and elements (nan equal to nan with equal_nan).")  \
    BI(ARGMIN, "argmin", REDUCE, "argmin(a, axis=None, keepdims=False)",                           \
       "Index of the smallest element (the first one on ties, the first nan if any): an int64 "    \
       "index into the flattened array, or an int64 array of indices along axis.")                 \
    BI(ARGMAX, "argmax", REDUCE, "argmax(a, axis=None, keepdims=False)",                           \
       "Index of the largest element (the first one on ties, the first nan if any), as argmin.")   \
    BI(EYE, "eye", CREATE,                                                                         \
       "eye(N, M=None, k=0, dtype=float64, dist='b', block_size=1, grid_shape=None)",              \
       "An N x M array (M defaults to N) with ones on diagonal k (0 the main one, > 0 above it, "  \
       "< 0 below) and zeros elsewhere.")                                                          \
    BI(IDENTITY, "identity", CREATE,                                                               \
       "identity(n, dtype=float64, dist='b', block_size=1, grid_shape=None)",                      \
       "The n x n identity array: eye(n).")                                                        \
    BI(ZEROS_LIKE, "zeros_like", CREATE, "zeros_like(a, dtype=None)",                              \
       "Zeros with a's shape and distribution; dtype defaults to a's.")                            \
    BI(ONES_LIKE, "ones_like", CREATE, "ones_like(a, dtype=None)",                                 \
       "Ones with a's shape and distribution; dtype defaults to a's.")                             \
    BI(FULL_LIKE, "full_like", CREATE, "full_like(a, fill_value, dtype=None)",                     \
       "fill_value (converted to the dtype) with a's shape and distribution; dtype defaults to "   \
       "a's.")                                                                                     \
    BI(EMPTY_LIKE, "empty_like", CREATE, "empty_like(a, dtype=None)",                              \
       "An array with a's shape, distribution and dtype (contents are zeros in parc).")            \
    BI(FROMFUNCTION, "fromfunction", CREATE,                                                       \
       "fromfunction(function, shape, dtype=float64, dist='b', **kwargs)",                         \
       "function(i0, i1, ...) called once with one index array per axis (each of the full shape, " \
       "of dtype, holding its own index along that axis), as NumPy's; its result is returned. "    \
       "Other keywords are passed to function.")                                                   \
    BI(UNIFORM, "random.uniform", RANDOM,                                                          \
       "random.uniform(low=0.0, high=1.0, size=None, dtype=float64, dist='b', block_size=1, "      \
       "grid_shape=None)",                                                                         \
       "Uniform samples in [low, high) of shape size (a float when size is None, an int or a "     \
       "tuple otherwise), from the seeded parallel stream.")                                       \
    BI(NORMAL, "random.normal", RANDOM,                                                            \
       "random.normal(loc=0.0, scale=1.0, size=None, dtype=float64, dist='b', block_size=1, "      \
       "grid_shape=None)",                                                                         \
       "Normal samples of mean loc and standard deviation scale (scale >= 0) of shape size, from " \
       "the seeded parallel stream.")                                                              \
    BI(RANDINT, "random.randint", RANDOM,                                                          \
       "random.randint(low, high=None, size=None, dtype=int64, dist='b', block_size=1, "           \
       "grid_shape=None)",                                                                         \
       "Integers drawn evenly from [low, high) ([0, low) without high) of shape size, in dtype "   \
       "(bool, int32 or int64; the bounds must fit it and lie within +-2**53). An int when size "  \
       "is None.")                                                                                 \
    BI(PLOT, "plot", FUNC,                                                                         \
       "plot([x,] y, title=, xlabel=, ylabel=, label=, width=640, height=400)",                    \
       "Line plot of y (against x, or the index), drawn in the notebook at the end of the cell. "  \
       "Engines send the picture's data, never the array: with more points than pixels, the "      \
       "min and max of y in every pixel column. Non-finite points are left out.")                  \
    BI(SCATTER, "scatter", FUNC,                                                                   \
       "scatter(x, y, title=, xlabel=, ylabel=, label=, width=, height=)",                         \
       "Scatter plot: markers when there are few points, else a density image of counts.")         \
    BI(HIST, "hist", FUNC,                                                                         \
       "hist(x, bins=10, range=None, title=, xlabel=, ylabel=, width=, height=)",                  \
       "Histogram bars; the counts are numpy.histogram's of x's finite values.")                   \
    BI(IMSHOW, "imshow", FUNC, "imshow(z, title=, xlabel=, ylabel=, width=, height=)",             \
       "A 2-d array as an image (viridis), block-averaged on the engines to the display size.")    \
    BI(FIGURE, "figure", FUNC, "figure()",                                                         \
       "Starts a new figure: later plot calls of the cell draw into it, not the current one.")     \
    BI(SAVEFIG, "savefig", FUNC, "savefig(fname)",                                                 \
       "Writes the current figure to fname (.svg or .png), as the kernel renders it.")             \
    BI(DOT, "dot", FUNC, "dot(a, b)",                                                              \
       "Dot product: of two vectors a number (bitwise the same on any engine count), else the "    \
       "sum over a's last axis and b's second-to-last; with a number, the elementwise product.")   \
    BI(MATMUL, "matmul", FUNC, "matmul(a, b)",                                                     \
       "Matrix product a @ b (OpenBLAS on each engine, PBLAS between); stacks of matrices with "   \
       "broadcast batch shapes.")                                                                  \
    BI(INNER, "inner", FUNC, "inner(a, b)", "Sum product over the last axes of a and b.")          \
    BI(OUTER, "outer", FUNC, "outer(a, b)", "The matrix a[i] * b[j] of the flattened a and b.")    \
    BI(VDOT, "vdot", FUNC, "vdot(a, b)", "Dot product of the flattened a and b, conjugating a.")   \
    BI(TRACE, "trace", FUNC, "trace(a, offset=0)",                                                 \
       "Sum of the diagonal a[i, i + offset], added in index order (the same bits on any "         \
       "engine count).")                                                                           \
    BI(NORM, "linalg.norm", FUNC, "linalg.norm(x, ord=None, axis=None, keepdims=False)",           \
       "Vector or matrix norm as NumPy's: 2-norm (ord None; bitwise the same on any engine "       \
       "count), 1, inf, -inf, 0 and p-norms of vectors; 'fro', 'nuc', 1, inf, -1, -inf, 2, -2 "    \
       "of matrices.")                                                                             \
    BI(SOLVE, "linalg.solve", FUNC, "linalg.solve(a, b)",                                          \
       "The solution x of a @ x = b (ScaLAPACK p?gesv); LinAlgError for a singular a.")            \
    BI(INV, "linalg.inv", FUNC, "linalg.inv(a)",                                                   \
       "The inverse of a square matrix (p?getrf, p?getri); LinAlgError for a singular a.")         \
    BI(DET, "linalg.det", FUNC, "linalg.det(a)",                                                   \
       "The determinant, from the LU factors (p?getrf) as NumPy computes it.")                     \
    BI(CHOLESKY, "linalg.cholesky", FUNC, "linalg.cholesky(a)",                                    \
       "The lower triangular L with a = L @ L.conj().T (p?potrf), for a positive definite a.")     \
    BI(QR, "linalg.qr", FUNC, "linalg.qr(a, mode='reduced')",                                      \
       "(q, r) with a = q @ r (p?geqrf, p?orgqr); mode='complete': q square; 'r': r alone; "       \
       "'raw': (h, tau), the Householder reflectors as LAPACK leaves them, transposed.")           \
    BI(SVD, "linalg.svd", FUNC, "linalg.svd(a, full_matrices=True, compute_uv=True)",              \
       "(u, s, vh) with a = (u * s) @ vh (p?gesvd), or the singular values s alone; "              \
       "full_matrices=False: u and vh of min(m, n) vectors.")                                      \
    BI(EIGH, "linalg.eigh", FUNC, "linalg.eigh(a, UPLO='L')",                                      \
       "(w, v): the ascending eigenvalues and eigenvectors of a symmetric (Hermitian) a "          \
       "(p?syevd, p?heevd), read from its lower (UPLO='L') or upper triangle.")                    \
    BI(LSTSQ, "linalg.lstsq", FUNC, "linalg.lstsq(a, b, rcond='warn')",                            \
       "(x, residuals, rank, s): the least-squares solution of a @ x = b (p?gels), the squared "   \
       "residuals, a's rank and singular values (rank-deficient a: the least-norm x, from the "    \
       "SVD).")                                                                                    \
    BI(SAVE, "save", FUNC, "save(file, arr)",                                                      \
       "Writes arr to file in NumPy's .npy format ('.npy' is added to a name without it), each "   \
       "engine its own part (MPI-IO), through a temporary name renamed when all have written.")    \
    BI(LOAD, "load", FUNC, "load(file, dist='b', block_size=1, grid_shape=None)",                  \
       "The array in the .npy file, laid out as dist= says, each engine reading its own part "     \
       "(MPI-IO); big-endian and Fortran-order files too. A 0-d file gives a scalar; a .npz "      \
       "archive an NpzFile (d['x'], d.files).")                                                    \
    BI(SAVEZ, "savez", FUNC, "savez(file, *args, **kwds)",                                         \
       "Writes the arrays to a .npz archive (stored, as np.savez): positional ones as arr_0, "     \
       "arr_1, ..., keywords by name ('.npz' is added to a name without it).")                     \
    BI(SAVEZ_COMPRESSED, "savez_compressed", FUNC, "savez_compressed(file, *args, **kwds)",        \
       "savez with deflated members, as np.savez_compressed: each engine compresses its own "      \
       "part (zlib), written with MPI-IO.")                                                        \
    BI(SAVETXT, "savetxt", FUNC,                                                                   \
       "savetxt(fname, X, fmt='%.18e', delimiter=' ', newline='\\n', header='', footer='', "       \
       "comments='# ')",                                                                           \
       "Writes a 1-d or 2-d array to a text file as NumPy's savetxt (fmt: one %-format, or one "   \
       "per column). Engine 0 writes it: for small files.")                                        \
    BI(LOADTXT, "loadtxt", FUNC,                                                                   \
       "loadtxt(fname, dtype=float, comments='#', delimiter=None, skiprows=0, usecols=None, "      \
       "unpack=False, ndmin=0, max_rows=None, dist='b', block_size=1, grid_shape=None)",           \
       "The numbers of a text file as an array, as NumPy's loadtxt (delimiter None: whitespace). " \
       "Engine 0 reads it: for small files.")                                                      \
    BI(DIFF, "diff", FUNC, "diff(a, n=1, axis=-1)",                                                \
       "The n-th discrete difference along axis, a[1:] - a[:-1] applied n times (not_equal for "   \
       "bools); the shifted views are read with a halo from the neighbouring engines.")            \
    BI(GRADIENT, "gradient", FUNC, "gradient(f, *varargs, axis=None)",                             \
       "Central differences inside, one-sided ones at the edges (edge_order=1), with a scalar "    \
       "spacing per axis; one array per axis (a list when there are several).")                    \
    BI(ROLL, "roll", FUNC, "roll(a, shift, axis=None)",                                            \
       "The elements shifted by shift along axis (or the flattened array), wrapping around; "      \
       "shift and axis may be tuples.")                                                            \
    BI(CUMSUM, "cumsum", FUNC, "cumsum(a, axis=None, dtype=None)",                                 \
       "Running sum (flattened when axis is None), in NumPy's sequential order: each engine "      \
       "starts from the previous one's last value.")                                               \
    BI(CUMPROD, "cumprod", FUNC, "cumprod(a, axis=None, dtype=None)",                              \
       "Running product (flattened when axis is None), in NumPy's sequential order.")              \
    BI(CONVOLVE, "convolve", FUNC, "convolve(a, v, mode='full')",                                  \
       "Discrete linear convolution of two 1-d arrays ('full', 'same' or 'valid'), as NumPy's.")   \
    BI(CONVOLVE2D, "convolve2d", FUNC, "convolve2d(in1, in2, mode='full')",                        \
       "2-d convolution ('full', 'same' or 'valid') as scipy.signal.convolve2d with the default "  \
       "boundary='fill', fillvalue=0; the kernel's taps are shifted views read with halos.")

typedef enum {
#define BI_ENUM(id, name, kind, sig, doc) BI_##id,
    PARC_BUILTINS(BI_ENUM)
#undef BI_ENUM
        BI_COUNT
} bi_id_t;

typedef enum {
    BI_K_FUNC,
    BI_K_UFUNC1,
    BI_K_UFUNC2,
    BI_K_REDUCE,
    BI_K_CREATE,
    BI_K_RANDOM,
    BI_K_CONST,
    BI_K_DTYPE,
    BI_K_COMM,
    BI_K_UFUNC3,
    BI_K_SHAPE
} bi_kind_t;

typedef struct {
    const char *name, *sig, *doc;
    bi_kind_t kind;
} bi_info_t;

/* The row for id, or NULL when out of range. */
const bi_info_t *bi_info(int id);
/* Operands of the elementwise builtin id (1, 2 or 3), or 0 when id is not one. */
int bi_ufunc_arity(int id);
/* The id named name ("random.rand" included), or -1. */
int bi_lookup(const char *name, size_t len);

/* Array methods and attributes, for completion, inspection and the engine's dispatch.
 * AM(name, "signature", "doc") */
#define PARC_ARRAY_METHODS(AM)                                                                     \
    AM(sum, "x.sum(axis=None)", "Sum of the elements.")                                            \
    AM(mean, "x.mean(axis=None)", "Mean of the elements.")                                         \
    AM(min, "x.min(axis=None)", "Smallest element.")                                               \
    AM(max, "x.max(axis=None)", "Largest element.")                                                \
    AM(prod, "x.prod(axis=None)", "Product of the elements.")                                      \
    AM(std, "x.std(axis=None)", "Standard deviation.")                                             \
    AM(var, "x.var(axis=None)", "Variance.")                                                       \
    AM(any, "x.any(axis=None)", "True if any element is true.")                                    \
    AM(all, "x.all(axis=None)", "True if all elements are true.")                                  \
    AM(argmin, "x.argmin(axis=None)", "Index of the smallest element (as argmin).")                \
    AM(argmax, "x.argmax(axis=None)", "Index of the largest element (as argmax).")                 \
    AM(copy, "x.copy()", "A new array with the same values.")                                      \
    AM(astype, "x.astype(dtype)", "A copy converted to dtype.")                                    \
    AM(reshape, "x.reshape(shape)", "The same elements in a new shape (as reshape).")              \
    AM(transpose, "x.transpose(*axes)", "Axes permuted, reversed by default (as transpose).")      \
    AM(ravel, "x.ravel()", "As ravel(x).")                                                         \
    AM(flatten, "x.flatten()", "A 1-d copy in C order.")                                           \
    AM(squeeze, "x.squeeze(axis=None)", "As squeeze(x).")                                          \
    AM(cumsum, "x.cumsum(axis=None, dtype=None)", "As cumsum(x).")                                 \
    AM(cumprod, "x.cumprod(axis=None, dtype=None)", "As cumprod(x).")

#define PARC_ARRAY_ATTRS(AA)                                                                       \
    AA(shape, "x.shape", "Tuple of the global dimensions.")                                        \
    AA(ndim, "x.ndim", "Number of dimensions.")                                                    \
    AA(size, "x.size", "Number of elements.")                                                      \
    AA(dtype, "x.dtype", "Element type.")                                                          \
    AA(T, "x.T", "Transpose: x.transpose().")                                                      \
    AA(localshapes, "x.localshapes", "List of each engine's chunk shape, in rank order.")          \
    AA(dist, "x.dist", "Distribution per dimension: 'b' block, 'c' cyclic, 'n' not distributed.")  \
    AA(grid_shape, "x.grid_shape", "Engines along each dimension (the process grid).")             \
    AA(global_index, "x.global_index",                                                             \
       "Local view: the global indices of this engine's chunk, per dimension a range or an "       \
       "int64 array.")                                                                             \
    AA(real, "x.real",                                                                             \
       "Real part: a float64 view of a complex array (writes go through), else x.")                \
    AA(imag, "x.imag",                                                                             \
       "Imaginary part: a float64 view of a complex array, else a new array of "                   \
       "zeros.")

#endif
