// MicroPythonRT rp2 port: the subclasses of OSError chosen by errno, as in CPython (PEP 3151).
//
// py/objexcept.c asks mp_obj_oserror_type_for_errno() for the type of every OSError made with an errno
// (vendor/patches/micropython/0002-oserror-subclass-by-errno.patch): C code raising an errno
// (mp_raise_OSError and friends) raises FileNotFoundError, BlockingIOError, ...; Python's
// OSError(errno, strerror) returns the subclass too, while OSError(errno) stays OSError (CPython's rule).
// The classes are builtins (MICROPY_PORT_EXTRA_BUILTINS in mpconfigport.h); e.errno and e.args are
// unchanged, `except OSError` catches them all, and they print "[Errno 2] ENOENT" as OSError does.
//
// One exception to the class names: in the raw REPL, a traceback names these classes "OSError". The raw
// REPL is the protocol of mpremote and pyboard.py, which recognise a filesystem error (a missing file
// for `mpremote fs cp`, an existing directory for `mkdir`) by the text "OSError" and the errno's name in
// the traceback; "FileNotFoundError: [Errno 2] ENOENT" would make them fail. repr(), str(), type() and
// `except` are the same in both REPLs, and the friendly REPL's tracebacks name the class.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "py/objexcept.h"
#include "shared/runtime/pyexec.h"

static void oserror_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    if (kind == PRINT_EXC && pyexec_mode_kind == PYEXEC_MODE_RAW_REPL) {
        mp_print_str(print, qstr_str(MP_QSTR_OSError));
        kind |= PRINT_EXC_SUBCLASS; // the rest as usual, without the class name
    }
    mp_obj_exception_print(print, self_in, kind);
}

#define MPRT_DEFINE_OSERROR(exc_name, base_name) \
    MP_DEFINE_CONST_OBJ_TYPE(mp_type_##exc_name, MP_QSTR_##exc_name, MP_TYPE_FLAG_NONE, \
    make_new, mp_obj_exception_make_new, \
    print, oserror_print, \
    attr, mp_obj_exception_attr, \
    parent, &mp_type_##base_name \
    );

// *FORMAT-OFF*
MPRT_DEFINE_OSERROR(BlockingIOError, OSError)
MPRT_DEFINE_OSERROR(ChildProcessError, OSError)
MPRT_DEFINE_OSERROR(ConnectionError, OSError)
  MPRT_DEFINE_OSERROR(BrokenPipeError, ConnectionError)
  MPRT_DEFINE_OSERROR(ConnectionAbortedError, ConnectionError)
  MPRT_DEFINE_OSERROR(ConnectionRefusedError, ConnectionError)
  MPRT_DEFINE_OSERROR(ConnectionResetError, ConnectionError)
MPRT_DEFINE_OSERROR(FileExistsError, OSError)
MPRT_DEFINE_OSERROR(FileNotFoundError, OSError)
MPRT_DEFINE_OSERROR(InterruptedError, OSError)
MPRT_DEFINE_OSERROR(IsADirectoryError, OSError)
MPRT_DEFINE_OSERROR(NotADirectoryError, OSError)
MPRT_DEFINE_OSERROR(PermissionError, OSError)
MPRT_DEFINE_OSERROR(ProcessLookupError, OSError)
MPRT_DEFINE_OSERROR(TimeoutError, OSError)
// *FORMAT-ON*

// ESHUTDOWN (Linux's value, as every MP_E* here): MicroPython's internal errno list has no name for it.
#define MPRT_ESHUTDOWN (108)

typedef struct _errno_type_t {
    uint8_t errno_value;
    const mp_obj_type_t *type;
} errno_type_t;

// CPython's table (PEP 3151, "New exception classes").
static const errno_type_t errno_types[] = {
    { MP_EPERM, &mp_type_PermissionError },
    { MP_ENOENT, &mp_type_FileNotFoundError },
    { MP_ESRCH, &mp_type_ProcessLookupError },
    { MP_EINTR, &mp_type_InterruptedError },
    { MP_ECHILD, &mp_type_ChildProcessError },
    { MP_EAGAIN, &mp_type_BlockingIOError }, // = EWOULDBLOCK
    { MP_EACCES, &mp_type_PermissionError },
    { MP_EEXIST, &mp_type_FileExistsError },
    { MP_ENOTDIR, &mp_type_NotADirectoryError },
    { MP_EISDIR, &mp_type_IsADirectoryError },
    { MP_EPIPE, &mp_type_BrokenPipeError },
    { MP_ECONNABORTED, &mp_type_ConnectionAbortedError },
    { MP_ECONNRESET, &mp_type_ConnectionResetError },
    { MPRT_ESHUTDOWN, &mp_type_BrokenPipeError },
    { MP_ETIMEDOUT, &mp_type_TimeoutError },
    { MP_ECONNREFUSED, &mp_type_ConnectionRefusedError },
    { MP_EALREADY, &mp_type_BlockingIOError },
    { MP_EINPROGRESS, &mp_type_BlockingIOError },
};

const mp_obj_type_t *mp_obj_oserror_type_for_errno(mp_obj_t errno_in) {
    if (mp_obj_is_small_int(errno_in)) {
        mp_int_t e = MP_OBJ_SMALL_INT_VALUE(errno_in);
        for (size_t i = 0; i < MP_ARRAY_SIZE(errno_types); i++) {
            if (errno_types[i].errno_value == e) {
                return errno_types[i].type;
            }
        }
    }
    return &mp_type_OSError;
}
