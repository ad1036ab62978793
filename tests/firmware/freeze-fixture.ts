/** A module with every kind of object a freeze image holds, and code printing what it does (F7-freeze*.test.ts). */
// Every kind of object the image holds.
export const FZMOD = `
BIG = 123456789012345678901234567890
NEG = -98765432109876543210
F = 3.25
B = b'\\x00\\x01frozen bytes'
T = (1, 'two', 3.0, (4, b'five'), None, BIG)
LONG = 'a long string constant, not a qstr, with unicode: \\u00e9\\u4e2d'
VERSION = 1
# about 5 KB of strings: the image spans two flash sectors (a power cut between them is tested)
PAD = (${Array.from({ length: 48 }, (_, i) => `'padding string ${i} ${'x'.repeat(90)}'`).join(', ')})
counter = 0

class Shape:
    sides = 0
    def __init__(self, name):
        self.name = name
    def describe(self):
        return '%s with %d sides' % (self.name, self.sides)

class Square(Shape):
    sides = 4
    def area(self, a):
        return a * a
    @staticmethod
    def kind():
        return 'square'
    @classmethod
    def make(cls):
        return cls('sq')

def make_adder(n):
    def add(x):
        return x + n
    return add

def gen(n):
    for i in range(n):
        yield i * i

def outer():
    def middle():
        def inner():
            return 'deep'
        return inner()
    return middle()

def bump():
    global counter
    counter += 1
    return counter

def big_math():
    return BIG * 3 + NEG, F * 2, 2 ** 100, -BIG // 7

def fails():
    raise ValueError('from frozen code')

thawed = False
def __thaw__(m):
    global thawed
    thawed = m.__name__
`;

export const CHECK = [
    'import fzmod',
    'print(fzmod.BIG, fzmod.NEG, fzmod.F, fzmod.B, fzmod.T, fzmod.LONG, fzmod.VERSION)',
    's = fzmod.Square.make()',
    'print(s.describe(), s.area(5), fzmod.Square.kind(), isinstance(s, fzmod.Shape))',
    'print(fzmod.make_adder(10)(5), list(fzmod.gen(5)), fzmod.outer())',
    'print(fzmod.bump(), fzmod.bump(), fzmod.big_math())',
    'try:',
    '    fzmod.fails()',
    'except ValueError as e:',
    '    print(repr(e))',
].join('\n');

