# A PIO assembler for pioasm's syntax (pico-sdk 2.1 tools/pioasm), running on the firmware.
# Written from the RP2040/RP2350 datasheets' instruction encodings and pioasm's documented syntax; its
# output (instructions, wrap, wrap target, origin, side-set, public symbols and labels) equals
# pioasm's for the same source (tests/firmware/F18-pio.test.ts compares them on every .pio file).
# assemble(src) -> [program dicts]; errors raise ValueError("line N: message").

_KEYWORDS = (
    "jmp wait in out push pull mov irq set nop public optional opt side sideset side_set pin gpio "
    "osre pins null pindirs x y pc exec isr osr status block noblock iffull ifempty rel clear nowait "
    "jmppin next prev txrx tx rx txput txget putget rp2040 rp2350 rxfifo txfifo left right auto manual"
).split()
_DIRECTIVES = (
    ".program .wrap_target .wrap .word .define .side_set .origin .lang_opt .pio_version .clock_div "
    ".fifo .mov_status .set .out .in"
).split()
_PUNCT = ("::", "--", ">>", "<<", "!=", ",", ":", "[", "]", "(", ")", "+", "-", "*", "/", "|", "&", "^", "!", "~", "<")


class _Err(Exception):
    pass


def _tokens(src):
    # -> list of (kind, value, line); kinds: 'int', 'float', 'id', 'kw', 'dir', 'p', 'nl'
    out = []
    i = 0
    n = len(src)
    line = 1
    while i < n:
        c = src[i]
        if c == "\n":
            out.append(("nl", None, line))
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == ";" or src.startswith("//", i):
            while i < n and src[i] != "\n":
                i += 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                j = n
            line += src.count("\n", i, j)
            i = j + 2
        elif c == "%":
            # a code block for another output format: "% fmt {" ... "%}"
            j = src.find("%}", i)
            if j < 0:
                raise _Err("line %d: unterminated code block" % line)
            line += src.count("\n", i, j)
            i = j + 2
        elif c == "." and i + 1 < n and (src[i + 1].isalpha() or src[i + 1] == "_"):
            j = i + 1
            while j < n and (src[j].isalpha() or src[j].isdigit() or src[j] == "_"):
                j += 1
            word = src[i:j].lower()
            if word == ".lang_opt":
                while j < n and src[j] != "\n":
                    j += 1
                out.append(("dir", word, line))
            elif word in _DIRECTIVES:
                out.append(("dir", word, line))
            else:
                raise _Err("line %d: unknown directive %s" % (line, src[i:j]))
            i = j
        elif c.isdigit() or (c == "." and i + 1 < n and src[i + 1].isdigit()):
            j = i
            low = src[i : i + 2].lower()
            if low == "0x" and i + 2 < n and src[i + 2] in "0123456789abcdefABCDEF":
                j = i + 2
                while j < n and src[j] in "0123456789abcdefABCDEF":
                    j += 1
                out.append(("int", int(src[i + 2 : j], 16), line))
            elif low == "0b" and i + 2 < n and src[i + 2] in "01":
                j = i + 2
                while j < n and src[j] in "01":
                    j += 1
                out.append(("int", int(src[i + 2 : j], 2), line))
            else:
                while j < n and src[j].isdigit():
                    j += 1
                if j + 1 < n and src[j] == "." and src[j + 1].isdigit():
                    j += 1
                    while j < n and src[j].isdigit():
                        j += 1
                    out.append(("float", float(src[i:j]), line))
                else:
                    out.append(("int", int(src[i:j]), line))
            i = j
        elif c.isalpha() or c == "_":
            j = i
            while j < n and (src[j].isalpha() or src[j].isdigit() or src[j] == "_"):
                j += 1
            word = src[i:j]
            low = word.lower()
            if low == "one":
                out.append(("int", 1, line))
            elif low == "zero":
                out.append(("int", 0, line))
            elif low in _KEYWORDS:
                out.append(("kw", low, line))
            else:
                out.append(("id", word, line))
            i = j
        else:
            for p in _PUNCT:
                if src.startswith(p, i):
                    out.append(("p", p, line))
                    i += len(p)
                    break
            else:
                if src.startswith("\u2212\u2212", i):
                    out.append(("p", "--", line))
                    i += 2
                else:
                    raise _Err("line %d: invalid character: %s" % (line, c))
    out.append(("nl", None, line))
    return out


# expressions: tuples ('int', v) ('sym', name, line) ('neg', e) ('rev', e) (op, a, b)
_BINARY = {"<<": 1, ">>": 1, "+": 2, "-": 2, "*": 3, "/": 3, "&": 4, "|": 4, "^": 4}


def _c32(v):
    v &= 0xFFFFFFFF
    return v - 0x100000000 if v & 0x80000000 else v


class _Program:
    def __init__(self, name, version):
        self.name = name
        self.symbols = {}  # name -> [expr, is_label, public]
        self.order = []
        self.instr = []  # (line, encoder)
        self.wrap = None
        self.wrap_target = None
        self.origin = None
        self.sideset = None  # (expr, opt, pindirs)
        self.sideset_opt = True
        self.version = version
        self.fifo = "txrx"
        self.autopush = 0
        self.used_gpio = 0


class _Parser:
    def __init__(self, src):
        self.toks = _tokens(src)
        self.pos = 0
        self.programs = []
        self.glob = _Program(None, 0)
        self.version = 0
        self.prog = None

    # ---- tokens ----
    def peek(self, k=0):
        return self.toks[self.pos + k]

    def line(self):
        return self.toks[self.pos][2]

    def err(self, msg):
        raise _Err("line %d: %s" % (self.line(), msg))

    def take(self):
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def is_(self, kind, val=None):
        t = self.toks[self.pos]
        return t[0] == kind and (val is None or t[1] == val)

    def accept(self, kind, val=None):
        if self.is_(kind, val):
            return self.take()
        return None

    def expect(self, kind, val=None, what=None):
        t = self.accept(kind, val)
        if t is None:
            self.err("syntax error, expected %s" % (what or val or kind))
        return t

    # ---- expressions ----
    def value(self):
        t = self.peek()
        if t[0] == "int":
            self.take()
            return ("int", t[1])
        if t[0] == "id":
            self.take()
            return ("sym", t[1], t[2])
        if t[0] == "p" and t[1] == "(":
            self.take()
            e = self.expr()
            self.expect("p", ")")
            return e
        self.err("syntax error, expected a value")

    def expr(self, level=0):
        t = self.peek()
        if t[0] == "p" and t[1] == "-":
            self.take()
            left = ("neg", self.expr(3))
        elif t[0] == "p" and t[1] == "::":
            self.take()
            left = ("rev", self.expr(1))
        else:
            left = self.value()
        while True:
            t = self.peek()
            if t[0] != "p" or t[1] not in _BINARY:
                return left
            prec = _BINARY[t[1]]
            if prec < level:
                return left
            self.take()
            right = self.expr(prec + 1)
            left = (t[1], left, right)

    def resolve(self, e, prog, busy=None):
        k = e[0]
        if k == "int":
            return e[1]
        if k == "sym":
            name = e[1]
            s = prog.symbols.get(name) if prog is not None else None
            owner = prog
            if s is None:
                s = self.glob.symbols.get(name)
                owner = self.glob
            if s is None:
                raise _Err("line %d: undefined symbol '%s'" % (e[2], name))
            busy = busy or []
            if name in busy:
                raise _Err("line %d: circular dependency in definition of '%s'" % (e[2], name))
            busy.append(name)
            v = self.resolve(s[0], prog if owner is prog else None, busy)
            busy.pop()
            return v
        if k == "neg":
            return _c32(-self.resolve(e[1], prog, busy))
        if k == "rev":
            v = self.resolve(e[1], prog, busy) & 0xFFFFFFFF
            r = 0
            for _ in range(32):
                r = (r << 1) | (v & 1)
                v >>= 1
            return _c32(r)
        a = self.resolve(e[1], prog, busy)
        b = self.resolve(e[2], prog, busy)
        if k == "+":
            return _c32(a + b)
        if k == "-":
            return _c32(a - b)
        if k == "*":
            return _c32(a * b)
        if k == "/":
            if b == 0:
                raise _Err("division by zero")
            q = abs(a) // abs(b)
            return _c32(q if (a < 0) == (b < 0) else -q)
        if k == "&":
            return _c32(a & b)
        if k == "|":
            return _c32(a | b)
        if k == "^":
            return _c32(a ^ b)
        if k == "<<":
            return _c32(a << (b & 31))
        if k == ">>":
            return a >> (b & 31)
        raise _Err("internal error")

    # ---- structure ----
    def current(self, what, before_instructions=False, allow_global=False):
        p = self.prog
        if p is None:
            if allow_global:
                return self.glob
            self.err("%s is not allowed before the first program" % what if what != "instruction" else "instruction is not allowed outside of a program")
        if before_instructions and p.instr:
            self.err("%s must precede first program instruction" % what)
        return p

    def add_symbol(self, p, name, expr, is_label, public):
        if name in p.symbols or (p is not self.glob and name in self.glob.symbols):
            self.err("'%s' is already defined" % name)
        p.symbols[name] = [expr, is_label, public]
        p.order.append(name)

    def parse(self):
        while not self.at_end():
            self.line_()
            if not self.at_end():
                self.expect("nl", what="end of line")
        return self.finish()

    def at_end(self):
        return self.pos >= len(self.toks) - 1 and self.is_("nl")

    def line_(self):
        t = self.peek()
        if t[0] == "nl":
            return
        if t[0] == "dir":
            return self.directive()
        # label?
        public = False
        k = 0
        if t[0] == "kw" and t[1] == "public" or t[0] == "p" and t[1] == "*":
            public = True
            k = 1
        if self.peek(k)[0] == "id" and self.peek(k + 1)[0] == "p" and self.peek(k + 1)[1] == ":":
            name = self.peek(k)[1]
            self.pos += k + 2
            p = self.current("label")
            self.add_symbol(p, name, ("int", len(p.instr)), True, public)
            if self.is_("nl"):
                return
        self.instruction()

    def directive(self):
        d = self.take()[1]
        if d == ".program":
            name = self.expect("id", what="program name")[1]
            for q in self.programs:
                if q.name == name:
                    self.err("program %s already exists" % name)
            self.prog = _Program(name, self.version)
            self.programs.append(self.prog)
        elif d == ".define":
            public = bool(self.accept("kw", "public") or self.accept("p", "*"))
            name = self.expect("id", what="symbol name")[1]
            e = self.expr()
            self.add_symbol(self.current(".define", False, True), name, e, False, public)
        elif d == ".origin":
            self.current(".origin", True).origin = self.value()
        elif d == ".pio_version":
            if self.accept("kw", "rp2040"):
                v = 0
            elif self.accept("kw", "rp2350"):
                v = 1
            else:
                v = self.expect("int", what="a PIO version")[1]
            if v not in (0, 1):
                self.err("only PIO versions 0 (rp2040) and 1 (rp2350) are supported")
            p = self.current(".pio_version", True, True)
            if p is self.glob:
                self.version = v
            p.version = v
        elif d == ".side_set":
            p = self.current(".side_set", True)
            e = self.value()
            opt = bool(self.accept("kw", "optional") or self.accept("kw", "opt"))
            pindirs = bool(self.accept("kw", "pindirs"))
            p.sideset = (e, opt, pindirs)
            p.sideset_opt = opt
        elif d in (".in", ".out"):
            p = self.current(d, True)
            self.value()
            self.accept("kw", "left") or self.accept("kw", "right")
            if self.accept("kw", "auto") and d == ".in":
                p.autopush = self.line()
            else:
                self.accept("kw", "manual")
            if not self.is_("nl"):
                self.value()
        elif d == ".set":
            self.current(".set", True)
            self.value()
        elif d == ".wrap_target":
            p = self.current(".wrap_target")
            if p.wrap_target is not None:
                self.err(".wrap_target was already specified")
            p.wrap_target = len(p.instr)
        elif d == ".wrap":
            p = self.current(".wrap")
            if p.wrap is not None:
                self.err(".wrap was already specified")
            if not p.instr:
                self.err(".wrap cannot be placed before the first program instruction")
            p.wrap = len(p.instr) - 1
        elif d == ".word":
            p = self.current("instruction")
            e = self.value()
            self.add_instr(p, lambda p, e=e: self.word(p, e), None, ("int", 0))
        elif d == ".lang_opt":
            self.current(".lang_opt")
        elif d == ".clock_div":
            p = self.current(".clock_div")
            t = self.take()
            if t[0] not in ("int", "float"):
                self.err("syntax error, expected a number")
            if not 1 <= t[1] <= 65535:
                self.err("clock divider must be between 1 and 65535")
        elif d == ".fifo":
            p = self.current(".fifo", True)
            t = self.take()
            if t[0] != "kw" or t[1] not in ("txrx", "tx", "rx", "txput", "txget", "putget"):
                self.err("expected txrx, tx or rx")
            if t[1] in ("txput", "txget", "putget"):
                self.need_version(p, 1, t[1])
            p.fifo = t[1]
        elif d == ".mov_status":
            p = self.current(".mov_status", True)
            if self.accept("kw", "txfifo") or self.accept("kw", "rxfifo"):
                self.expect("p", "<")
                self.value()
            elif self.accept("kw", "irq"):
                self.accept("kw", "next") or self.accept("kw", "prev")
                self.expect("kw", "set")
                self.value()
            else:
                self.err("expected 'txfifo < N', 'rxfifo < N' or 'irq set N'")

    def need_version(self, p, v, what):
        if p.version < v:
            self.err("%s requires .pio_version %d" % (what, v))

    def word(self, p, e):
        v = self.resolve(e, p)
        if v < 0 or v > 0xFFFF:
            raise _Err(".word value must be a positive 16 bit value")
        return v

    def add_instr(self, p, enc, side, delay):
        line = self.line()
        if len(p.instr) >= 32:
            self.err("program instruction limit of 32 instruction(s) exceeded")
        if not p.sideset_opt and side is None:
            self.err("instruction requires 'side' to specify side set value for the instruction because non optional sideset was specified for the program")
        p.instr.append((line, enc, side, delay))

    def comma(self):
        self.accept("p", ",")

    def instruction(self):
        p = self.current("instruction")
        t = self.take()
        if t[0] != "kw":
            self.pos -= 1
            self.err("syntax error, unexpected %s" % (t[1],))
        op = t[1]
        if op == "nop":
            enc = (5, 2, 2)
        elif op == "jmp":
            cond = 0
            if self.accept("p", "!"):
                if self.accept("kw", "x"):
                    cond = 1
                elif self.accept("kw", "y"):
                    cond = 3
                else:
                    self.expect("kw", "osre")
                    cond = 7
            elif self.accept("kw", "x"):
                if self.accept("p", "--"):
                    cond = 2
                else:
                    self.expect("p", "!=")
                    self.expect("kw", "y")
                    cond = 5
            elif self.accept("kw", "y"):
                self.expect("p", "--")
                cond = 4
            elif self.accept("kw", "pin"):
                cond = 6
            self.comma()
            enc = ("jmp", cond, self.expr())
        elif op == "wait":
            pol = ("int", 1)
            if not self.is_("kw"):
                pol = self.value()
            src = self.take()
            if src[0] != "kw":
                self.pos -= 1
                self.err("expected irq, gpio or pin")
            irq_type = 0
            if src[1] == "irq":
                if self.accept("kw", "prev"):
                    irq_type = 1
                elif self.accept("kw", "next"):
                    irq_type = 3
                self.comma()
                n = self.value()
                if self.accept("kw", "rel"):
                    if irq_type:
                        self.err("'rel' is not supported for 'irq prev'")
                    irq_type = 2
                if irq_type in (1, 3):
                    self.need_version(p, 1, "irq prev/next")
                enc = ("wait", pol, 2, n, irq_type)
            elif src[1] == "gpio":
                self.comma()
                enc = ("wait", pol, 0, self.value(), 0)
            elif src[1] == "pin":
                self.comma()
                enc = ("wait", pol, 1, self.value(), 0)
            elif src[1] == "jmppin":
                self.need_version(p, 1, "wait jmppin")
                n = ("int", 0)
                if self.accept("p", "+"):
                    n = self.value()
                enc = ("wait", pol, 3, n, 0)
            else:
                self.pos -= 1
                self.err("expected irq, gpio or pin")
        elif op in ("in", "out"):
            srcs = {"pins": 0, "x": 1, "y": 2, "null": 3, "isr": 6}
            if op == "in":
                srcs.update({"osr": 7, "status": 5})
            else:
                srcs.update({"pindirs": 4, "pc": 5, "exec": 7})
            t = self.take()
            if t[0] != "kw" or t[1] not in srcs:
                self.pos -= 1
                self.err("syntax error, unexpected %s" % (t[1],))
            self.comma()
            enc = (op, srcs[t[1]], self.value())
        elif op == "push":
            iff = bool(self.accept("kw", "iffull"))
            blk = not self.accept("kw", "noblock")
            if blk:
                self.accept("kw", "block")
            if p.fifo not in ("rx", "txrx"):
                self.err("FIFO must be configured for 'txrx' or 'rx' to use this instruction")
            enc = (4, (1 if blk else 0) | (2 if iff else 0), 0)
        elif op == "pull":
            ife = bool(self.accept("kw", "ifempty"))
            blk = not self.accept("kw", "noblock")
            if blk:
                self.accept("kw", "block")
            enc = (4, (1 if blk else 0) | (2 if ife else 0) | 4, 0)
        elif op == "mov":
            dst = self.mov_loc(p, True)
            self.comma()
            mop = 0
            if self.accept("p", "!") or self.accept("p", "~"):
                mop = 1
            elif self.accept("p", "::"):
                mop = 2
            src = self.mov_loc(p, False)
            enc = ("mov", dst, src, mop)
        elif op == "irq":
            irq_type = 0
            if self.accept("kw", "prev"):
                irq_type = 1
            elif self.accept("kw", "next"):
                irq_type = 3
            if irq_type:
                self.need_version(p, 1, "irq prev/next")
            mod = 0
            if self.accept("kw", "clear"):
                mod = 2
            elif self.accept("kw", "wait"):
                mod = 1
            elif self.accept("kw", "nowait") or self.accept("kw", "set"):
                mod = 0
            n = self.value()
            if self.accept("kw", "rel"):
                if irq_type:
                    self.err("'rel' is not supported for 'irq prev'")
                irq_type = 2
            enc = ("irq", mod, n, irq_type)
        elif op == "set":
            dsts = {"pins": 0, "x": 1, "y": 2, "pindirs": 4}
            t = self.take()
            if t[0] != "kw" or t[1] not in dsts:
                self.pos -= 1
                self.err("syntax error, unexpected %s" % (t[1],))
            self.comma()
            enc = ("set", dsts[t[1]], self.value())
        else:
            self.pos -= 1
            self.err("syntax error, unexpected %s" % op)
        side = None
        delay = None
        for _ in range(2):
            if side is None and self.accept("kw", "side"):
                side = self.value()
            elif delay is None and self.accept("p", "["):
                delay = self.expr()
                self.expect("p", "]")
        if delay is None:
            delay = ("int", 0)
        if enc[0] == "mov" and (isinstance(enc[1], tuple) or isinstance(enc[2], tuple)):
            d, s = enc[1], enc[2]
            if isinstance(d, tuple):
                if s != 6:
                    self.err("mov rxfifo[] source must be isr")
                if p.fifo not in ("txput", "putget"):
                    self.err("FIFO must be configured for 'txput' or 'putget' to use this instruction")
            else:
                if d != 7:
                    self.err("mov ,txfifo[] target must be osr")
                if p.fifo not in ("txget", "putget"):
                    self.err("FIFO must be configured for 'txget' or 'putget' to use this instruction")
        self.add_instr(p, enc, side, delay)

    def mov_loc(self, p, dest):
        locs = {"pins": 0, "x": 1, "y": 2, "isr": 6, "osr": 7}
        if dest:
            locs.update({"exec": 4, "pc": 5, "pindirs": 3})
        else:
            locs.update({"null": 3, "status": 5})
        if self.accept("kw", "rxfifo"):
            self.need_version(p, 1, "mov rxfifo[]")
            self.expect("p", "[")
            if self.accept("kw", "y"):
                idx = None
            else:
                idx = self.value()
            self.expect("p", "]")
            return ("fifo", idx)
        t = self.take()
        if t[0] != "kw" or t[1] not in locs:
            self.pos -= 1
            self.err("syntax error, unexpected %s" % (t[1],))
        if t[1] == "pindirs":
            self.need_version(p, 1, "mov pindirs")
        return locs[t[1]]

    # ---- encoding ----
    def encode(self, p, line, enc, side, delay, bits, side_max, delay_max):
        r = self.resolve
        kind = enc[0]
        if kind == "jmp":
            dest = r(enc[2], p)
            if dest < 0:
                raise _Err("jmp target address must be positive")
            if dest >= len(p.instr):
                raise _Err("jmp target address %d is beyond the end of the program" % dest)
            t, a1, a2 = 0, enc[1], dest
        elif kind == "wait":
            pol = r(enc[1], p)
            if pol < 0 or pol > 1:
                raise _Err("'wait' polarity must be 0 or 1")
            n = r(enc[3], p)
            src = enc[2]
            if src == 2 and not 0 <= n <= 7:
                raise _Err("irq number must be must be >= 0 and <= 7")
            if src == 0:
                hi = 47 if p.version else 31
                if not 0 <= n <= hi:
                    raise _Err("absolute GPIO number must be must be >= 0 and <= %d" % hi)
                bm = 1 << (n >> 4)
                if bm == 4 and p.used_gpio & 1 or bm == 1 and p.used_gpio & 4:
                    raise _Err("absolute GPIO numbers span more than 32")
                p.used_gpio |= bm
            if src == 1 and not 0 <= n <= 31:
                raise _Err("pin number must be must be >= 0 and <= 31")
            if src == 3 and not 0 <= n <= 3:
                raise _Err("jmppin offset must be must be >= 0 and <= 3")
            t, a1, a2 = 1, (pol << 2) | src, n | (enc[4] << 3)
        elif kind in ("in", "out"):
            v = r(enc[2], p)
            if v < 1 or v > 32:
                raise _Err("'%s' bit count must be >= 1 and <= 32" % kind)
            t, a1, a2 = (2 if kind == "in" else 3), enc[1], v & 0x1F
        elif kind == "set":
            v = r(enc[2], p)
            if v < 0 or v > 31:
                raise _Err("'set' bit count must be >= 0 and <= 31")
            t, a1, a2 = 7, enc[1], v
        elif kind == "irq":
            n = r(enc[2], p)
            if not 0 <= n <= 7:
                raise _Err("irq number must be must be >= 0 and <= 7")
            t, a1, a2 = 6, enc[1], n | (enc[3] << 3)
        elif kind == "mov":
            d, s = enc[1], enc[2]
            if isinstance(d, tuple):
                t, a1, a2 = 4, 0, 0x10 | self.fifo_index(p, d)
            elif isinstance(s, tuple):
                t, a1, a2 = 4, 4, 0x10 | self.fifo_index(p, s)
            else:
                t, a1, a2 = 5, d, s | (enc[3] << 3)
        else:
            t, a1, a2 = enc
        dl = r(delay, p)
        if dl < 0:
            raise _Err("instruction delay must be positive")
        if dl > delay_max:
            raise _Err("instruction delay must be <= %d" % delay_max)
        ss = 0
        if side is not None:
            if p.sideset is None:
                raise _Err("side set is not configured for this program")
            ss = r(side, p)
            if ss < 0:
                raise _Err("side set value must be >=0")
            if ss > side_max:
                raise _Err("the maximum side set value is %d" % side_max)
            ss <<= 5 - bits
            if p.sideset_opt:
                ss |= 0x10
        # as pioasm: bit 5 of a WAIT GPIO index (GPIO 32-47 on RP2350) is kept above the 16 bits
        return (t << 13) | ((dl | ss) << 8) | (a1 << 5) | (a2 & 0x1F) | ((a2 >> 5) << 16)

    def fifo_index(self, p, loc):
        if loc[1] is None:
            return 0
        v = self.resolve(loc[1], p)
        if v < 0 or v > 7:
            raise _Err("FIFO index must be between 0 and 7")
        return v | 8

    def finish(self):
        result = []
        for p in self.programs:
            if p.sideset is not None:
                bits = self.resolve(p.sideset[0], p)
                if bits < 0:
                    raise _Err("number of side set bits must be positive")
                side_max = (1 << bits) - 1
                if p.sideset[1]:
                    bits += 1
                if bits > 5:
                    raise _Err("maximum number of side set bits%s is %d" % ((" with optional", 4) if p.sideset[1] else ("", 5)))
                delay_max = (1 << (5 - bits)) - 1
            else:
                bits, side_max, delay_max = 0, 0, 31
            if p.autopush and p.fifo not in ("rx", "tx", "txrx"):
                raise _Err("line %d: autopush is incompatible with your selected FIFO configuration" % p.autopush)
            words = []
            for line, enc, side, delay in p.instr:
                try:
                    if callable(enc):
                        words.append(enc(p))
                    else:
                        words.append(self.encode(p, line, enc, side, delay, bits, side_max, delay_max))
                except _Err as e:
                    m = str(e)
                    raise _Err(m if m.startswith("line ") else "line %d: %s" % (line, m))
            wrap = p.wrap if p.wrap is not None else max(len(p.instr) - 1, 0)
            wt = p.wrap_target if p.wrap_target is not None else 0
            if p.wrap_target is not None and wt >= len(p.instr):
                raise _Err(".wrap_target cannot be placed after the last program instruction")
            defines = {}
            labels = {}
            for name in p.order:
                s = p.symbols[name]
                if s[2]:
                    (labels if s[1] else defines)[name] = self.resolve(s[0], p)
            result.append(
                {
                    "name": p.name,
                    "instructions": words,
                    "wrap_target": wt,
                    "wrap": wrap,
                    "origin": self.resolve(p.origin, p) if p.origin is not None else -1,
                    "sideset": None if p.sideset is None else (bits, p.sideset[1], p.sideset[2]),  # bits incl. opt
                    "public_defines": defines,
                    "public_labels": labels,
                    "pio_version": p.version,
                }
            )
        return result

    def global_defines(self):
        d = {}
        for name in self.glob.order:
            s = self.glob.symbols[name]
            if s[2]:
                d[name] = self.resolve(s[0], None)
        return d


def assemble_all(src):
    # -> (list of program dicts, global public defines)
    try:
        p = _Parser(src)
        progs = p.parse()
        return progs, p.global_defines()
    except _Err as e:
        raise ValueError(str(e))
    except (IndexError, KeyError, TypeError) as e:
        raise ValueError("syntax error")
