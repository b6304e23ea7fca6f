Statements: assignment forms, control flow, functions.

=== chained assignment
a = b = 1
---
(BLOCK
  (ASSIGN (NAME a) (NAME b) (INT 1)))

=== tuple unpacking
a, b = b, a
---
(BLOCK
  (ASSIGN (TUPLE (NAME a) (NAME b)) (TUPLE (NAME b) (NAME a))))

=== list target and nested tuple target
[a, (b, c)] = 1, (2, 3)
---
(BLOCK
  (ASSIGN (LIST (NAME a) (TUPLE (NAME b) (NAME c))) (TUPLE (INT 1) (TUPLE (INT 2) (INT 3)))))

=== subscript assignment
x[i:j] = 0
x[mask] = y
---
(BLOCK
  (ASSIGN (SUBSCR (NAME x) (SLICE (NAME i) (NAME j) (NONE))) (INT 0))
  (ASSIGN (SUBSCR (NAME x) (NAME mask)) (NAME y)))

=== augmented assignments
a += 1
a -= 1
a *= 2
a /= 2
a //= 2
a %= 2
a **= 2
a @= b
a &= 1
a |= 1
a ^= 1
a <<= 1
a >>= 1
x[0] += 1
---
(BLOCK
  (AUGASSIGN ADD (NAME a) (INT 1))
  (AUGASSIGN SUB (NAME a) (INT 1))
  (AUGASSIGN MUL (NAME a) (INT 2))
  (AUGASSIGN DIV (NAME a) (INT 2))
  (AUGASSIGN FLOORDIV (NAME a) (INT 2))
  (AUGASSIGN MOD (NAME a) (INT 2))
  (AUGASSIGN POW (NAME a) (INT 2))
  (AUGASSIGN MATMUL (NAME a) (NAME b))
  (AUGASSIGN BITAND (NAME a) (INT 1))
  (AUGASSIGN BITOR (NAME a) (INT 1))
  (AUGASSIGN BITXOR (NAME a) (INT 1))
  (AUGASSIGN LSHIFT (NAME a) (INT 1))
  (AUGASSIGN RSHIFT (NAME a) (INT 1))
  (AUGASSIGN ADD (SUBSCR (NAME x) (INT 0)) (INT 1)))

=== del
del a, x[0]
del (b, c)
---
(BLOCK
  (DEL (NAME a) (SUBSCR (NAME x) (INT 0)))
  (DEL (TUPLE (NAME b) (NAME c))))

=== pass, break, continue in while with else
while n > 0:
    n -= 1
    if n == 5:
        break
    elif n == 3:
        continue
    else:
        pass
else:
    print('done')
---
(BLOCK
  (WHILE (FUSE (GT (NAME n) (INT 0))) (BLOCK
    (AUGASSIGN SUB (NAME n) (INT 1))
    (IF (FUSE (EQ (NAME n) (INT 5))) (BLOCK
      (BREAK)) (IF (FUSE (EQ (NAME n) (INT 3))) (BLOCK
      (CONTINUE)) (BLOCK
      (PASS))))) (BLOCK
    (EXPR (CALL (BUILTIN print) (STR "done"))))))

=== for over range with else
for i in range(10):
    print(i)
else:
    pass
---
(BLOCK
  (FOR (NAME i) (CALL (BUILTIN range) (INT 10)) (BLOCK
    (EXPR (CALL (BUILTIN print) (NAME i)))) (BLOCK
    (PASS))))

=== for with tuple target
for i, v in pairs:
    pass
---
(BLOCK
  (FOR (TUPLE (NAME i) (NAME v)) (NAME pairs) (BLOCK
    (PASS)) (NONE)))

=== def with defaults and return
def f(a, b=2):
    c = a + b
    return c
f(1, b=3)
---
(BLOCK
  (DEF f (PARAM a) (PARAM b (INT 2)) (BLOCK
    (ASSIGN (NAME c) (FUSE (ADD (NAME a) (NAME b))))
    (RETURN (NAME c))))
  (DISPLAY (CALL (NAME f) (INT 1) (KWARG b (INT 3)))))

=== bare return and global
def g():
    global total, count
    total = 0
    return
---
(BLOCK
  (DEF g (BLOCK
    (GLOBAL total,count)
    (ASSIGN (NAME total) (INT 0))
    (RETURN (NONE)))))

=== nested def and lambda scopes
def outer(k):
    def inner(v):
        return v + k
    return inner
---
(BLOCK
  (DEF outer (PARAM k) (BLOCK
    (DEF inner (PARAM v) (BLOCK
      (RETURN (FUSE (ADD (NAME v) (NAME k))))))
    (RETURN (NAME inner)))))

=== one-line bodies and semicolons
if x: y = 1; z = 2
while 0: pass
a = 1; b = 2;
a; b
---
(BLOCK
  (IF (NAME x) (BLOCK
    (ASSIGN (NAME y) (INT 1))
    (ASSIGN (NAME z) (INT 2))) (NONE))
  (WHILE (INT 0) (BLOCK
    (PASS)) (NONE))
  (ASSIGN (NAME a) (INT 1))
  (ASSIGN (NAME b) (INT 2))
  (EXPR (NAME a))
  (DISPLAY (NAME b)))

=== comments and blank lines
# a comment
x = 1  # trailing

   
y = 2
---
(BLOCK
  (ASSIGN (NAME x) (INT 1))
  (ASSIGN (NAME y) (INT 2)))

=== return annotation is ignored
def h(a) -> int:
    return a
---
(BLOCK
  (DEF h (PARAM a) (BLOCK
    (RETURN (NAME a)))))

=== last statement is a compound statement: no DISPLAY
if n:
    n
---
(BLOCK
  (IF (NAME n) (BLOCK
    (EXPR (NAME n))) (NONE)))

=== empty cell
---
(BLOCK)

=== only comments
# nothing here
---
(BLOCK)

=== tabs as indentation
if a:
	b = 1
	if c:
		d = 2
---
(BLOCK
  (IF (NAME a) (BLOCK
    (ASSIGN (NAME b) (INT 1))
    (IF (NAME c) (BLOCK
      (ASSIGN (NAME d) (INT 2))) (NONE))) (NONE)))

=== dedent several levels at once
if a:
    if b:
        if c:
            d = 1
e = 2
---
(BLOCK
  (IF (NAME a) (BLOCK
    (IF (NAME b) (BLOCK
      (IF (NAME c) (BLOCK
        (ASSIGN (NAME d) (INT 1))) (NONE))) (NONE))) (NONE))
  (ASSIGN (NAME e) (INT 2)))

=== CRLF line endings
a = 1
if a:
    b = 2
---
(BLOCK
  (ASSIGN (NAME a) (INT 1))
  (IF (NAME a) (BLOCK
    (ASSIGN (NAME b) (INT 2))) (NONE)))
