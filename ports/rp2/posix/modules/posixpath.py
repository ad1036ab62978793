# os.path (CPython's posixpath, the part of it for this firmware): pure string functions, and exists,
# isfile, isdir, getsize on os.stat. Imported when os.path is first used (ports/rp2/posix: os.__getattr__).
import os

sep = "/"
curdir = "."
pardir = ".."
extsep = "."


def _s(p):
    return "/" if isinstance(p, str) else b"/"


def isabs(p):
    return p.startswith(_s(p))


def join(a, *p):
    s = _s(a)
    path = a
    for b in p:
        if b.startswith(s):
            path = b
        elif not path or path.endswith(s):
            path += b
        else:
            path += s + b
    return path


def split(p):
    s = _s(p)
    i = p.rfind(s) + 1
    head, tail = p[:i], p[i:]
    if head and head != s * len(head):
        head = head.rstrip(s)
    return head, tail


def splitext(p):
    s = _s(p)
    dot = "." if isinstance(p, str) else b"."
    sep_i = p.rfind(s)
    dot_i = p.rfind(dot)
    if dot_i > sep_i:
        # a leading dot (".bashrc") is no extension
        i = sep_i + 1
        while i < dot_i:
            if p[i : i + 1] != dot:
                return p[:dot_i], p[dot_i:]
            i += 1
    return p, p[:0]


def basename(p):
    return split(p)[1]


def dirname(p):
    return split(p)[0]


def normpath(path):
    s = _s(path)
    dot = s[:0] + (b"." if isinstance(path, bytes) else ".")
    dotdot = dot + dot
    if not path:
        return dot
    initial = 1 if path.startswith(s) else 0
    # POSIX keeps exactly two leading slashes; three or more are one
    if initial and path.startswith(s * 2) and not path.startswith(s * 3):
        initial = 2
    comps = []
    for comp in path.split(s):
        if not comp or comp == dot:
            continue
        if comp != dotdot or (not initial and not comps) or (comps and comps[-1] == dotdot):
            comps.append(comp)
        elif comps:
            comps.pop()
    path = s.join(comps)
    if initial:
        path = s * initial + path
    return path or dot


def abspath(path):
    if not isabs(path):
        cwd = os.getcwd()
        if isinstance(path, bytes):
            cwd = cwd.encode()
        path = join(cwd, path)
    return normpath(path)


realpath = abspath


def _mode(path):
    try:
        return os.stat(path)[0]
    except (OSError, ValueError):
        return None


def exists(path):
    return _mode(path) is not None


lexists = exists


def isdir(path):
    m = _mode(path)
    return m is not None and m & 0o170000 == 0o040000


def isfile(path):
    m = _mode(path)
    return m is not None and m & 0o170000 == 0o100000


def islink(path):
    return False


def getsize(path):
    return os.stat(path)[6]


def getmtime(path):
    return os.stat(path)[8]


def expanduser(path):
    return path


def commonprefix(m):
    if not m:
        return ""
    s1 = min(m)
    s2 = max(m)
    for i, c in enumerate(s1):
        if c != s2[i]:
            return s1[:i]
    return s1
