Builtin resolution and shadowing.

=== builtins, constants, dtypes
print(pi, e, inf, nan, newaxis, float64, bool_, len)
---
(BLOCK
  (DISPLAY (CALL (BUILTIN print) (BUILTIN pi) (BUILTIN e) (BUILTIN inf) (BUILTIN nan) (BUILTIN newaxis) (BUILTIN float64) (BUILTIN bool_) (BUILTIN len))))

=== True False None are literals
True, False, None
---
(BLOCK
  (DISPLAY (TUPLE (BOOL 1) (BOOL 0) (NONE))))

=== a variable on the engines shadows a builtin [names=sum]
sum(x)
---
(BLOCK
  (DISPLAY (CALL (NAME sum) (NAME x))))

=== assignment later in the cell shadows everywhere in the cell
a = mean(x)
mean = 3
---
(BLOCK
  (ASSIGN (NAME a) (CALL (NAME mean) (NAME x)))
  (ASSIGN (NAME mean) (INT 3)))

=== def shadows
def sum(v):
    return 0
sum(x)
---
(BLOCK
  (DEF sum (PARAM v) (BLOCK
    (RETURN (INT 0))))
  (DISPLAY (CALL (NAME sum) (NAME x))))

=== parameter shadows only inside the function
def f(max):
    return max
max(x)
---
(BLOCK
  (DEF f (PARAM max) (BLOCK
    (RETURN (NAME max))))
  (DISPLAY (CALL (BUILTIN max) (NAME x))))

=== for target shadows
for abs in range(3):
    pass
abs
---
(BLOCK
  (FOR (NAME abs) (CALL (BUILTIN range) (INT 3)) (BLOCK
    (PASS)) (NONE))
  (DISPLAY (NAME abs)))

=== global declaration shadows at module scope
def f():
    global sqrt
    sqrt = 1
sqrt(2)
---
(BLOCK
  (DEF f (BLOCK
    (GLOBAL sqrt)
    (ASSIGN (NAME sqrt) (INT 1))))
  (DISPLAY (CALL (NAME sqrt) (INT 2))))

=== module-level binding is seen inside functions
len = 5
def f():
    return len
---
(BLOCK
  (ASSIGN (NAME len) (INT 5))
  (DEF f (BLOCK
    (RETURN (NAME len)))))

=== random members
random.seed(42)
x = random.randn(3, 4) + random.random()
---
(BLOCK
  (EXPR (CALL (BUILTIN random.seed) (INT 42)))
  (ASSIGN (NAME x) (FUSE (ADD (CALL (BUILTIN random.randn) (INT 3) (INT 4)) (CALL (BUILTIN random.random))))))

=== random shadowed by a variable [names=random]
random.rand(3)
---
(BLOCK
  (DISPLAY (METHOD rand (NAME random) (INT 3))))

=== unknown random member
random.foo(3)
---
  File "<cell 1>", line 1, column 1
    random.foo(3)
    ^^^^^^^^^^
AttributeError: module 'random' has no attribute 'foo'

=== rank and nranks are names in local view [local]
print(rank, nranks)
---
(BLOCK
  (DISPLAY (CALL (BUILTIN print) (NAME rank) (NAME nranks))))

=== attribute of a builtin is an attribute
float64.itemsize
---
(BLOCK
  (DISPLAY (ATTR itemsize (BUILTIN float64))))

=== assigning to a builtin name makes a NAME target
print = 1
---
(BLOCK
  (ASSIGN (NAME print) (INT 1)))
