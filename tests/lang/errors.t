Every error the front end raises, with its place.

=== missing operand
y = (x +* 2)
---
  File "<cell 1>", line 1, column 9
    y = (x +* 2)
            ^
SyntaxError: expected an expression after '+'

=== missing operand at end of line
x = 1 +
---
  File "<cell 1>", line 1, column 8
    x = 1 +
           ^
SyntaxError: expected an expression after '+'

=== missing operand after not
a = not
---
  File "<cell 1>", line 1, column 8
    a = not
           ^
SyntaxError: expected an expression after 'not'

=== invalid syntax
x y
---
  File "<cell 1>", line 1, column 3
    x y
      ^
SyntaxError: invalid syntax

=== never closed
foo(1, 2
---
  File "<cell 1>", line 1, column 4
    foo(1, 2
       ^
SyntaxError: '(' was never closed

=== never closed, several lines
a = [1,
     2
---
  File "<cell 1>", line 1, column 5
    a = [1,
        ^
SyntaxError: '[' was never closed

=== unmatched
x = 1)
---
  File "<cell 1>", line 1, column 6
    x = 1)
         ^
SyntaxError: unmatched ')'

=== mismatched brackets
x = (1]
---
  File "<cell 1>", line 1, column 7
    x = (1]
          ^
SyntaxError: closing parenthesis ']' does not match opening parenthesis '('

=== mismatched brackets over lines
x = (1,
]
---
  File "<cell 1>", line 2, column 1
    ]
    ^
SyntaxError: closing parenthesis ']' does not match opening parenthesis '(' on line 1

=== expected colon
if x
    y
---
  File "<cell 1>", line 1, column 5
    if x
        ^
SyntaxError: expected ':'

=== expected indented block
if x:
y = 1
---
  File "<cell 1>", line 2, column 1
    y = 1
    ^
IndentationError: expected an indented block after 'if' statement on line 1

=== expected indented block at end
for i in range(3):
---
  File "<cell 1>", line 1, column 19
    for i in range(3):
                      ^
IndentationError: expected an indented block after 'for' statement on line 1

=== expected indented block after def
def f():
return 1
---
  File "<cell 1>", line 2, column 1
    return 1
    ^^^^^^
IndentationError: expected an indented block after function definition on line 1

=== unexpected indent
x = 1
    y = 2
---
  File "<cell 1>", line 2, column 5
    y = 2
    ^
IndentationError: unexpected indent

=== unindent mismatch
if x:
        y = 1
    z = 2
---
  File "<cell 1>", line 3, column 5
    z = 2
    ^
IndentationError: unindent does not match any outer indentation level

=== tabs and spaces
if x:
        y = 1
	z = 2
---
  File "<cell 1>", line 3, column 2
    z = 2
    ^
IndentationError: inconsistent use of tabs and spaces in indentation

=== cannot assign to literal
1 = x
---
  File "<cell 1>", line 1, column 1
    1 = x
    ^
SyntaxError: cannot assign to literal

=== cannot assign to function call
f() = 1
---
  File "<cell 1>", line 1, column 1
    f() = 1
    ^^^
SyntaxError: cannot assign to function call

=== cannot assign to expression
a + 1 = 2
---
  File "<cell 1>", line 1, column 1
    a + 1 = 2
    ^^^^^
SyntaxError: cannot assign to expression

=== cannot assign to None
None = 1
---
  File "<cell 1>", line 1, column 1
    None = 1
    ^^^^
SyntaxError: cannot assign to None

=== cannot assign to attribute
x.shape = (2, 3)
---
  File "<cell 1>", line 1, column 1
    x.shape = (2, 3)
    ^^^^^^^
SyntaxError: cannot assign to attribute

=== cannot assign inside tuple target
a, 1 = 1, 2
---
  File "<cell 1>", line 1, column 4
    a, 1 = 1, 2
       ^
SyntaxError: cannot assign to literal

=== augmented assignment to a tuple
a, b += 1
---
  File "<cell 1>", line 1, column 1
    a, b += 1
    ^^^^
SyntaxError: 'tuple' is an illegal expression for augmented assignment

=== cannot delete
del f()
---
  File "<cell 1>", line 1, column 5
    del f()
        ^^^
SyntaxError: cannot delete function call

=== for target must be assignable
for 1 in x:
    pass
---
  File "<cell 1>", line 1, column 5
    for 1 in x:
        ^
SyntaxError: cannot assign to literal

=== break outside loop
break
---
  File "<cell 1>", line 1, column 1
    break
    ^^^^^
SyntaxError: 'break' outside loop

=== continue outside loop
if x:
    continue
---
  File "<cell 1>", line 2, column 5
    continue
    ^^^^^^^^
SyntaxError: 'continue' not properly in loop

=== break inside def inside loop
for i in x:
    def f():
        break
---
  File "<cell 1>", line 3, column 9
    break
    ^^^^^
SyntaxError: 'break' outside loop

=== return outside function
return 1
---
  File "<cell 1>", line 1, column 1
    return 1
    ^^^^^^
SyntaxError: 'return' outside function

=== non-default argument follows default
def f(a=1, b):
    pass
---
  File "<cell 1>", line 1, column 12
    def f(a=1, b):
               ^
SyntaxError: non-default argument follows default argument

=== duplicate argument
def f(a, a):
    pass
---
  File "<cell 1>", line 1, column 10
    def f(a, a):
             ^
SyntaxError: duplicate argument 'a' in function definition

=== positional argument follows keyword
f(a=1, 2)
---
  File "<cell 1>", line 1, column 8
    f(a=1, 2)
           ^
SyntaxError: positional argument follows keyword argument

=== repeated keyword
f(a=1, a=2)
---
  File "<cell 1>", line 1, column 8
    f(a=1, a=2)
           ^
SyntaxError: keyword argument repeated: a

=== assignment inside a call
f(x.y=1)
---
  File "<cell 1>", line 1, column 6
    f(x.y=1)
         ^
SyntaxError: expression cannot contain assignment, perhaps you meant "=="?

=== missing comma
f(a b)
---
  File "<cell 1>", line 1, column 5
    f(a b)
        ^
SyntaxError: invalid syntax. Perhaps you forgot a comma?

=== unterminated string
s = 'abc
---
  File "<cell 1>", line 1, column 5
    s = 'abc
        ^
SyntaxError: unterminated string literal (detected at line 1)

=== unterminated triple-quoted string
s = """abc
def
---
  File "<cell 1>", line 1, column 5
    s = """abc
        ^
SyntaxError: unterminated triple-quoted string literal (detected at line 2)

=== invalid character
a = 1 $ 2
---
  File "<cell 1>", line 1, column 7
    a = 1 $ 2
          ^
SyntaxError: invalid character '$' (U+0024)

=== invalid non-ascii character
a = 1 € 2
---
  File "<cell 1>", line 1, column 7
    a = 1 € 2
          ^
SyntaxError: invalid character '€' (U+20AC)

=== invalid decimal literal
a = 1abc
---
  File "<cell 1>", line 1, column 5
    a = 1abc
        ^
SyntaxError: invalid decimal literal

=== leading zeros
a = 007
---
  File "<cell 1>", line 1, column 5
    a = 007
        ^
SyntaxError: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers

=== integer too large
a = 9223372036854775808
---
  File "<cell 1>", line 1, column 5
    a = 9223372036854775808
        ^^^^^^^^^^^^^^^^^^^
SyntaxError: integer literal too large (parc integers are 64-bit)

=== invalid hexadecimal literal
a = 0x
---
  File "<cell 1>", line 1, column 5
    a = 0x
        ^
SyntaxError: invalid hexadecimal literal

=== bad escape
s = '\x4'
---
  File "<cell 1>", line 1, column 5
    s = '\x4'
        ^
SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes: truncated \xXX escape

=== dict display
d = {}
---
  File "<cell 1>", line 1, column 5
    d = {}
        ^
SyntaxError: dict and set displays are not supported in parc

=== unsupported statements
import numpy
---
  File "<cell 1>", line 1, column 1
    import numpy
    ^^^^^^
SyntaxError: 'import' is not supported in parc

=== class unsupported
class A:
    pass
---
  File "<cell 1>", line 1, column 1
    class A:
    ^^^^^
SyntaxError: 'class' is not supported in parc

=== f-strings
f'{x}'
---
  File "<cell 1>", line 1, column 1
    f'{x}'
    ^
SyntaxError: f-strings are not supported in parc

=== star args
f(*a)
---
  File "<cell 1>", line 1, column 3
    f(*a)
      ^
SyntaxError: argument unpacking (*) is not supported in parc

=== empty subscript
x[]
---
  File "<cell 1>", line 1, column 3
    x[]
      ^
SyntaxError: invalid syntax

=== lexer error after a parse error: the parse error wins
y = (x +* 2 $
---
  File "<cell 1>", line 1, column 9
    y = (x +* 2 $
            ^
SyntaxError: expected an expression after '+'

=== error on a later line with a cell number [cell=12]
a = 1
b = a +
---
  File "<cell 12>", line 2, column 8
    b = a +
           ^
SyntaxError: expected an expression after '+'

=== backslash followed by junk
a = 1 \ 2
---
  File "<cell 1>", line 1, column 7
    a = 1 \ 2
          ^
SyntaxError: unexpected character after line continuation character

=== else without if
else:
    pass
---
  File "<cell 1>", line 1, column 1
    else:
    ^^^^
SyntaxError: invalid syntax

=== missing else in conditional expression
a = b if c
---
  File "<cell 1>", line 1, column 11
    a = b if c
              ^
SyntaxError: expected 'else' after 'if' expression

=== lambda missing colon
f = lambda x x
---
  File "<cell 1>", line 1, column 14
    f = lambda x x
                 ^
SyntaxError: expected ':'

=== equality suggestion
if x = 1:
    pass
---
  File "<cell 1>", line 1, column 6
    if x = 1:
         ^
SyntaxError: invalid syntax. Maybe you meant '==' instead of '='?

=== error span caret under a unicode line
s = 'é'; t = (1 +)
---
  File "<cell 1>", line 1, column 18
    s = 'é'; t = (1 +)
                     ^
SyntaxError: expected an expression after '+'

=== keyword as a name
lambda = 3
---
  File "<cell 1>", line 1, column 8
    lambda = 3
           ^
SyntaxError: invalid syntax
