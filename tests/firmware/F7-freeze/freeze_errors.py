# freeze.import_modules refuses bad input before it writes flash: a syntax error (with the file and
# line), a module that imports a missing one, a module that is nowhere on the filesystem, native code,
# a flash target other than None; isfrozen is False for RAM objects.
import freeze, sys, io


def write(name, text):
    with open(name, 'w') as f:
        f.write(text)


def attempt(*names, **kw):
    try:
        freeze.import_modules(*names, **kw)
        print('frozen?!')
    except Exception as e:
        buf = io.StringIO()
        sys.print_exception(e, buf)
        lines = buf.getvalue().splitlines()
        # the innermost frame (file and line) and the error
        print(lines[-2].strip() if len(lines) > 2 else '', '|', lines[-1])


write('fz_bad_syntax.py', 'x = 1\ndef f(:\n    pass\n')
write('fz_bad_import.py', 'import fz_no_such_module\n')
write('fz_native.py', 'import micropython\n@micropython.native\ndef f():\n    return 1\n')
attempt('fz_bad_syntax')
attempt('fz_bad_import')
attempt('fz_not_there')
attempt('fz_native')
attempt('fz_bad_syntax', flash=False)
print(freeze.isfrozen(attempt), freeze.isfrozen(freeze), freeze.isfrozen(1), freeze.isfrozen('s'))
import os
for n in ('fz_bad_syntax.py', 'fz_bad_import.py', 'fz_native.py'):
    os.remove(n)
