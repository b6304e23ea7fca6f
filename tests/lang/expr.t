Expressions: precedence, literals, calls, subscripts, fusion.

=== unary minus and power
-2**2
---
(BLOCK
  (DISPLAY (FUSE (NEG (POW (INT 2) (INT 2))))))

=== power is right-associative
2**3**2
---
(BLOCK
  (DISPLAY (FUSE (POW (INT 2) (POW (INT 3) (INT 2))))))

=== power binds tighter on the right of unary
2**-1
---
(BLOCK
  (DISPLAY (FUSE (POW (INT 2) (INT -1)))))

=== arithmetic precedence
a = 1 + 2 * 3 - 4 / 5 // 6 % 7
---
(BLOCK
  (ASSIGN (NAME a) (FUSE (SUB (ADD (INT 1) (MUL (INT 2) (INT 3))) (MOD (FLOORDIV (DIV (INT 4) (INT 5)) (INT 6)) (INT 7))))))

=== bitwise and shift precedence
a = 1 | 2 ^ 3 & 4 << 5 >> 6
---
(BLOCK
  (ASSIGN (NAME a) (FUSE (BITOR (INT 1) (BITXOR (INT 2) (BITAND (INT 3) (RSHIFT (LSHIFT (INT 4) (INT 5)) (INT 6))))))))

=== matmul is not fused
a @ b + 1
---
(BLOCK
  (DISPLAY (FUSE (ADD (MATMUL (NAME a) (NAME b)) (INT 1)))))

=== comparisons
a < b
---
(BLOCK
  (DISPLAY (FUSE (LT (NAME a) (NAME b)))))

=== chained comparison
0 < x <= 1 != 2
---
(BLOCK
  (DISPLAY (CHAIN LT LE NE (INT 0) (NAME x) (INT 1) (INT 2))))

=== in, not in, is, is not
a in b, a not in b, a is None, a is not None
---
(BLOCK
  (DISPLAY (TUPLE (IN (NAME a) (NAME b)) (NOTIN (NAME a) (NAME b)) (IS (NAME a) (NONE)) (ISNOT (NAME a) (NONE)))))

=== boolean operators
not a and b or c
---
(BLOCK
  (DISPLAY (OR (AND (NOT (NAME a)) (NAME b)) (NAME c))))

=== conditional expression
a if b else c if d else e
---
(BLOCK
  (DISPLAY (IFEXP (NAME b) (NAME a) (IFEXP (NAME d) (NAME c) (BUILTIN e)))))

=== lambda
f = lambda i, j=2: i * j
---
(BLOCK
  (ASSIGN (NAME f) (LAMBDA (PARAM i) (PARAM j (INT 2)) (FUSE (MUL (NAME i) (NAME j))))))

=== lambda without parameters
f = lambda: 0
---
(BLOCK
  (ASSIGN (NAME f) (LAMBDA (INT 0))))

=== literals
(1, 1.5, .5, 1., 1e6, 2.5e-3, 2j, 0x1F, 0o17, 0b101, 1_000_000, True, False, None)
---
(BLOCK
  (DISPLAY (TUPLE (INT 1) (FLOAT 1.5) (FLOAT 0.5) (FLOAT 1) (FLOAT 1000000) (FLOAT 0.0025000000000000001) (IMAG 2) (INT 31) (INT 15) (INT 5) (INT 1000000) (BOOL 1) (BOOL 0) (NONE))))

=== strings and escapes
['a', "b", '''c
d''', """e""", 'tab\there', '\x41\u00e9\\\'\"', r'\n', 'x' 'y', '\0end']
---
(BLOCK
  (DISPLAY (LIST (STR "a") (STR "b") (STR "c\nd") (STR "e") (STR "tab\x09here") (STR "Aé\\'\"") (STR "\\n") (STR "xy") (STR "\x00end"))))

=== empty tuple and one-tuple
((), (1,), (1, 2,), [])
---
(BLOCK
  (DISPLAY (TUPLE (TUPLE) (TUPLE (INT 1)) (TUPLE (INT 1) (INT 2)) (LIST))))

=== negative literals fold (not -2j: Python's is complex(-0.0, -2.0))
x[-1], -1.5, -2j, -x
---
(BLOCK
  (DISPLAY (TUPLE (SUBSCR (NAME x) (INT -1)) (FLOAT -1.5) (FUSE (NEG (IMAG 2))) (FUSE (NEG (NAME x))))))

=== subscripts and slices
x[1:10:2], x[i, j], x[:, 0], x[::-1], x[1:], x[:3], x[:], x[a:b,]
---
(BLOCK
  (DISPLAY (TUPLE (SUBSCR (NAME x) (SLICE (INT 1) (INT 10) (INT 2))) (SUBSCR (NAME x) (TUPLE (NAME i) (NAME j))) (SUBSCR (NAME x) (TUPLE (SLICE (NONE) (NONE) (NONE)) (INT 0))) (SUBSCR (NAME x) (SLICE (NONE) (NONE) (INT -1))) (SUBSCR (NAME x) (SLICE (INT 1) (NONE) (NONE))) (SUBSCR (NAME x) (SLICE (NONE) (INT 3) (NONE))) (SUBSCR (NAME x) (SLICE (NONE) (NONE) (NONE))) (SUBSCR (NAME x) (TUPLE (SLICE (NAME a) (NAME b) (NONE)))))))

=== Ellipsis in subscripts
x[..., 0], x[0, ...], x[..., None], x[...]
---
(BLOCK
  (DISPLAY (TUPLE (SUBSCR (NAME x) (TUPLE (ELLIPSIS) (INT 0))) (SUBSCR (NAME x) (TUPLE (INT 0) (ELLIPSIS))) (SUBSCR (NAME x) (TUPLE (ELLIPSIS) (NONE))) (SUBSCR (NAME x) (ELLIPSIS)))))

=== attributes and methods
x.shape[0], x.T, x.astype(float32), x.reshape((2, 5)).sum()
---
(BLOCK
  (DISPLAY (TUPLE (SUBSCR (ATTR shape (NAME x)) (INT 0)) (ATTR T (NAME x)) (METHOD astype (NAME x) (BUILTIN float32)) (METHOD sum (METHOD reshape (NAME x) (TUPLE (INT 2) (INT 5)))))))

=== calls with keywords
zeros((4, 5), dtype=int64, dist=('b', 'n'))
---
(BLOCK
  (DISPLAY (CALL (BUILTIN zeros) (TUPLE (INT 4) (INT 5)) (KWARG dtype (BUILTIN int64)) (KWARG dist (TUPLE (STR "b") (STR "n"))))))

=== ufunc with keyword is not fused
sqrt(x, out=y)
---
(BLOCK
  (DISPLAY (CALL (BUILTIN sqrt) (NAME x) (KWARG out (NAME y)))))

=== nested fusion through a reduction
sum(sqrt(x * x + 1)) / len(x)
---
(BLOCK
  (DISPLAY (FUSE (DIV (CALL (BUILTIN sum) (FUSE (CALL (BUILTIN sqrt) (ADD (MUL (NAME x) (NAME x)) (INT 1))))) (CALL (BUILTIN len) (NAME x))))))

=== scalar-only expression fuses
n + 1
---
(BLOCK
  (DISPLAY (FUSE (ADD (NAME n) (INT 1)))))

=== implicit line joining in brackets
total = (1 +
         2 +
         3)
---
(BLOCK
  (ASSIGN (NAME total) (FUSE (ADD (ADD (INT 1) (INT 2)) (INT 3)))))

=== backslash continuation
total = 1 + \
    2
---
(BLOCK
  (ASSIGN (NAME total) (FUSE (ADD (INT 1) (INT 2)))))

=== call on a call result
f(1)(2)[0]
---
(BLOCK
  (DISPLAY (SUBSCR (CALL (CALL (NAME f) (INT 1)) (INT 2)) (INT 0))))

=== invert, positive
~a + +b
---
(BLOCK
  (DISPLAY (FUSE (ADD (INVERT (NAME a)) (POS (NAME b))))))

=== comparison fused with ufunc
isnan(x) | (x > 1)
---
(BLOCK
  (DISPLAY (FUSE (BITOR (CALL (BUILTIN isnan) (NAME x)) (GT (NAME x) (INT 1))))))

=== tuple concatenation
s + (1,)
---
(BLOCK
  (DISPLAY (FUSE (ADD (NAME s) (TUPLE (INT 1))))))
