Simple cells: the path every other module needs first.
Format: see tests/unit/test_lang.c.

=== assignment and display
x = 1 + 2
x
---
(BLOCK
  (ASSIGN (NAME x) (FUSE (ADD (INT 1) (INT 2))))
  (DISPLAY (NAME x)))

=== monte carlo pi
x = random.rand(10**7)
y = random.rand(10**7)
4 * count_nonzero(hypot(x, y) <= 1) / 10**7
---
(BLOCK
  (ASSIGN (NAME x) (CALL (BUILTIN random.rand) (FUSE (POW (INT 10) (INT 7)))))
  (ASSIGN (NAME y) (CALL (BUILTIN random.rand) (FUSE (POW (INT 10) (INT 7)))))
  (DISPLAY (FUSE (DIV (MUL (INT 4) (CALL (BUILTIN count_nonzero) (FUSE (LE (CALL (BUILTIN hypot) (NAME x) (NAME y)) (INT 1))))) (POW (INT 10) (INT 7))))))

=== keywords and methods
a = ones((300, 10), dtype=float32)
a.sum(axis=0)
---
(BLOCK
  (ASSIGN (NAME a) (CALL (BUILTIN ones) (TUPLE (INT 300) (INT 10)) (KWARG dtype (BUILTIN float32))))
  (DISPLAY (METHOD sum (NAME a) (KWARG axis (INT 0)))))

=== print is EXPR, not DISPLAY when not last
print(1, 'a', sep='')
b = 2
---
(BLOCK
  (EXPR (CALL (BUILTIN print) (INT 1) (STR "a") (KWARG sep (STR))))
  (ASSIGN (NAME b) (INT 2)))

=== syntax error at the caret the docs show
y = (x +* 2)
---
  File "<cell 1>", line 1, column 9
    y = (x +* 2)
            ^
SyntaxError: expected an expression after '+'
