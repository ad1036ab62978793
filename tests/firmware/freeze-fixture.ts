/**
 * Shared by the F7-freeze*.test.ts tests: the firmware's freeze region, writing files and MicroPython's
 * asyncio package to the board, a module with every kind of object a freeze image holds, and code
 * printing what it does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { componentDir } from '../../cli/components/components.js';
import type { EmulatedBoard } from '../../cli/emulator/types.js';
import { flashRegion } from './emulator-fixture.js';
import { run } from './modules-fixture.js';

/** The freeze region of the firmware's flash map (its size.json), or why there is none to test. */
export function freezeRegion(firmware: string | undefined): { offset: number; size: number } | string {
    const r = flashRegion(firmware, 'freeze');
    return typeof r === 'string' || r.size > 0 ? r : `${join(dirname(firmware!), 'size.json')} has no freeze region`;
}

/** Python code that writes a text file on the board. */
export const writeFile = (path: string, text: string) => `with open(${JSON.stringify(path)}, 'w') as f:\n    f.write(${JSON.stringify(text)})`;

/** MicroPython's stock asyncio package (extmod/asyncio), the directory holding its .py files. */
export const asyncioSourceDir = () => join(componentDir('micropython'), 'extmod', 'asyncio');

/**
 * Writes MicroPython's stock asyncio package's .py files to /lib/asyncio on the board (not manifest.py, nor
 * uasyncio.py, the top-level alias the firmware freezes beside it); returns their names.
 */
export async function writeAsyncioSources(board: EmulatedBoard): Promise<string[]> {
    const src = asyncioSourceDir();
    const files = readdirSync(src).filter((f) => f.endsWith('.py') && f !== 'manifest.py' && f !== 'uasyncio.py').sort();
    await run(board, "import os\nfor d in ('/lib', '/lib/asyncio'):\n    try:\n        os.mkdir(d)\n    except OSError:\n        pass");
    for (const f of files) await run(board, writeFile(`/lib/asyncio/${f}`, readFileSync(join(src, f), 'utf8')));
    return files;
}

/** Python: /lib before the firmware's frozen modules (`.frozen`) on sys.path; modules frozen on the device stay first. */
export const LIB_BEFORE_FROZEN = "import sys\nsys.path.insert(1 if sys.path[0] == '.frozen/@flash' else 0, '/lib')";

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

/**
 * A module snapshotted whole (docs/freeze.md "Snapshots"): a frozendict table, instances of an
 * __immutable__ class, a class hierarchy, closures, generators, a coroutine, big ints, floats, bytes,
 * tuples, nested functions and a mutable global (a counter a function increments).
 */
export const FZSNAP = `
from freeze import frozendict
import micropython

BIG = 2 ** 100
NEG = -(3 ** 70)
F = 1.5
B = b'snap\\x00bytes'
T = (1, (2, 'three'), BIG, F, None, True)
TABLE = frozendict({'red': 1, 'green': 2, 'blue': (3, F), 4: 'four'})
count = 0

class Point:
    __immutable__ = True
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def norm2(self):
        return self.x * self.x + self.y * self.y

ORIGIN = Point(0, 0)
UNIT = Point(1, 0)
POINTS = (ORIGIN, UNIT)

class Base:
    kind = 'base'
    def who(self):
        return self.kind
    @property
    def loud(self):
        return self.who().upper()

class Child(Base):
    kind = 'child'
    def who(self):
        return 'child/' + super().who()
    @staticmethod
    def make():
        return Child()

def incr(n=1, *, by=1):
    global count
    count += n * by
    return count

def adder(k):
    def add(x):
        return x + k
    return add

def squares(n):
    for i in range(n):
        yield i * i

def nest():
    def a():
        def b():
            return TABLE['blue'], POINTS[1].norm2()
        return b()
    return a()

async def co(x):
    return x * 2
`;

export const CHECK_SNAP = [
    'import fzsnap',
    'print(fzsnap.BIG, fzsnap.NEG, fzsnap.F, fzsnap.B, fzsnap.T)',
    "print(sorted(fzsnap.TABLE.items(), key=str), fzsnap.TABLE['red'], fzsnap.TABLE.get(4), len(fzsnap.TABLE))",
    'try:',
    "    fzsnap.TABLE['red'] = 5",
    'except TypeError:',
    "    print('TABLE is immutable', fzsnap.TABLE['red'])",
    'print(fzsnap.ORIGIN.norm2(), fzsnap.UNIT.x, fzsnap.Point(3, 4).norm2(), fzsnap.POINTS[1] is fzsnap.UNIT)',
    'c = fzsnap.Child.make()',
    'print(c.who(), c.loud, isinstance(c, fzsnap.Base), fzsnap.Base().loud)',
    'print(fzsnap.incr(), fzsnap.incr(5), fzsnap.incr(2, by=10), fzsnap.count)',
    'print(fzsnap.adder(3)(4), list(fzsnap.squares(5)), fzsnap.nest())',
    'try:',
    '    fzsnap.co(21).send(None)',
    'except StopIteration as e:',
    '    print(e.value)',
    "fzsnap.extra = 'set from outside'",
    "print(fzsnap.extra, hasattr(fzsnap, 'extra'))",
    'del fzsnap.extra',
    "print(hasattr(fzsnap, 'extra'))",
    'class Sub(fzsnap.Child):',
    "    kind = 'sub'",
    'print(Sub().who(), Sub.make().who())',
].join('\n');

/**
 * A module whose globals are mutable objects (docs/freeze.md "Templates"): snapshotted, each is a
 * template in flash, copied into RAM where the program first takes it (a global, a default argument, a
 * class attribute, an item of another copy), identity kept; a top-level call of its own setup function;
 * globals() written to.
 */
export const FZTPL = `
import select
REG = []
ALIAS = REG
CONF = {'mode': 'fast', 'list': REG, 'n': 3, 7: 'seven'}
SEEN = set([1, 2, 3])
BUF = bytearray(b'abc')
ERR = ValueError('bad', 7)
POLL = select.poll()

def log(x, into=[]):
    into.append(x)
    return list(into)

class Counter:
    total = 0
    instances = []
    def __init__(self, name):
        self.name = name
        self.hits = {}
        Counter.instances.append(name)
    def hit(self, k):
        self.hits[k] = self.hits.get(k, 0) + 1
        Counter.total += 1
        return self.hits[k]

MAIN = Counter('main')
state = None

def setup():
    global state
    state = {'ready': True, 'owner': MAIN, 'conf': CONF}

setup()

def names():
    g = globals()
    g['dyn'] = 42
    return sorted(k for k in g if not k.startswith('_')), dyn
`;

export const CHECK_TPL = [
    'import fztpl',
    'print(fztpl.REG is fztpl.ALIAS, fztpl.CONF["list"] is fztpl.REG, fztpl.state["conf"] is fztpl.CONF, fztpl.REG)',
    'fztpl.REG.append(1)',
    'print(fztpl.ALIAS, fztpl.CONF, len(fztpl.CONF))',
    'print(sorted(fztpl.SEEN), fztpl.BUF, repr(fztpl.ERR), fztpl.ERR.args, type(fztpl.POLL).__name__)',
    'fztpl.SEEN.add(9)',
    'fztpl.BUF[0] = 65',
    'print(sorted(fztpl.SEEN), fztpl.BUF)',
    'print(fztpl.log(1), fztpl.log(2))',
    'c = fztpl.MAIN',
    "print(c.name, c.hit('a'), c.hit('a'), c.hit('b'), fztpl.Counter.total, fztpl.Counter.instances, sorted(c.hits.items()))",
    "d = fztpl.Counter('other')",
    "print(d.hit('x'), fztpl.Counter.total, fztpl.Counter.instances, fztpl.state['owner'] is fztpl.MAIN, fztpl.state['ready'])",
    'fztpl.Counter.total = 100',
    "print(d.hit('x'), fztpl.Counter.total, d.total)",
    'print(fztpl.names())',
    "print(fztpl.dyn, hasattr(fztpl, 'dyn'))",
    "print(fztpl.__dict__['REG'] is fztpl.REG, fztpl.__dict__['dyn'], 'dyn' in dir(fztpl))",
    'try:',
    '    raise fztpl.ERR',
    'except ValueError as e:',
    '    print(e is fztpl.ERR, e.args)',
].join('\n');
