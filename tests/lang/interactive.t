is_complete, complete and inspect.

=== simple line is complete [is_complete]
x = 1
---
complete

=== block opener wants a deeper line [is_complete]
if x:
---
incomplete '    '

=== inside a block stays open until an empty line [is_complete]
for i in range(3):
    print(i)
---
incomplete '    '

=== block closed by an empty line [is_complete]
for i in range(3):
    print(i)

---
complete

=== nested opener [is_complete]
def f():
    if x:
---
incomplete '        '

=== open bracket [is_complete]
foo(1,
---
incomplete ''

=== open triple-quoted string [is_complete]
s = """abc
---
incomplete ''

=== trailing backslash [is_complete]
x = 1 + \
---
incomplete ''

=== invalid [is_complete]
x = )
---
invalid

=== invalid operand [is_complete]
x = 1 +* 2
---
invalid

=== line magic is complete [is_complete]
%px print(rank)
---
complete

=== cell magic is incomplete [is_complete]
%%px
x = 1
---
incomplete ''

=== cell magic ended by an empty line [is_complete]
%%px
x = 1

---
complete

=== empty cell [is_complete]
---
complete

=== builtins and variables [complete]
x = su<|>
---
4-6
subtract
sum

=== nothing after the word [complete]
co<|>
---
0-2
complex
complex128
concatenate
conj
conjugate
continue
convolve
convolve2d
cos
cosh
count_nonzero

=== random members [complete]
random.r<|>
---
7-8
rand
randint
randn
random

=== array methods after an ndarray [complete]
x.s<|>
---
2-3
shape
size
squeeze
std
sum

=== array members after an unknown name [complete]
zz.res<|>
---
3-6
reshape

=== no members after an int [complete]
n.<|>
---
2-2

=== magics [complete]
%p<|>
---
0-2
%pwd
%px
%pxconfig
%pxresult

=== cell magics [complete]
%%t<|>
---
0-3
%%time

=== keywords [complete]
whi<|>
---
0-3
while

=== cursor in the middle of a word replaces the whole word [complete]
print(lin<|>sp)
---
6-11
linalg
linspace

=== members of linalg [complete]
linalg.ch<|>
---
7-9
cholesky

=== code point ranges after non-ASCII text [complete]
s = 'ééé'; ar<|>
---
11-13
arange
arccos
arccosh
arcsin
arcsinh
arctan
arctan2
arctanh
argmax
argmin
array
array_equal

=== builtin function [inspect]
sum<|>
---
sum(x, axis=None, keepdims=False)

Sum of the elements (along axis if given).

=== builtin with question mark [inspect]
hypot?<|>
---
hypot(x, y)

sqrt(x**2 + y**2) without overflow, elementwise.

=== cursor inside the name [inspect]
lin<|>space(0, 1)
---
linspace(start, stop, num=50, endpoint=True, dtype=float64, dist='b', block_size=1, grid_shape=None)

num evenly spaced float64 values from start to stop.

=== after an open paren [inspect]
zeros(<|>
---
zeros(shape, dtype=float64, dist='b', block_size=1, grid_shape=None)

A new distributed array of the given shape filled with zeros.

=== random member [inspect]
random.rand<|>
---
random.rand(d0, d1, ..., dtype=float64, dist='b', block_size=1, grid_shape=None)

Uniform samples in [0, 1) of shape (d0, d1, ...), from the seeded parallel stream.

=== array variable [inspect]
x<|>
---
x: ndarray
dtype: float64
shape: (1000,)
dist: ('b',)
bytes per engine: 2000

=== per-engine variable [inspect]
c<|>
---
c: ndarray
dtype: float64
shape: (3,)
bytes per engine: 24
per engine: yes (defined in local view)

=== scalar variable [inspect]
n<|>
---
n: int
value: 5

=== array method [inspect]
x.astype<|>
---
x.astype(dtype)

A copy converted to dtype.

=== unknown [inspect]
nosuch<|>
---
(not found)

=== bracket continuation lines are complete once closed [is_complete]
x = (1,
     2)
---
complete

=== else can still be typed after a block [is_complete]
if x:
    y = 1
else:
---
incomplete '    '

=== inspect after a call paren with spaces [inspect]
hypot(  <|>
---
hypot(x, y)

sqrt(x**2 + y**2) without overflow, elementwise.

=== inspect inside a longer line [inspect]
y = 4 * count_nonzero<|>(x)
---
count_nonzero(x, axis=None, keepdims=False)

Number of elements that are not zero (True counts as one).
