// MicroPythonRT rp2 port: the subclasses of OSError chosen by errno, as in CPython (PEP 3151).
//
// py/objexcept.c asks mp_obj_oserror_type_for_errno() for the type of every OSError made with an errno
// (vendor/patches/micropython/0002-oserror-subclass-by-errno.patch): C code raising an errno
// (mp_raise_OSError and friends) raises FileNotFoundError, BlockingIOError, ...; Python's
// OSError(errno, strerror) returns the subclass too, while OSError(errno) stays OSError (CPython's rule).
// The classes are builtins (MICROPY_PORT_EXTRA_BUILTINS in mpconfigport.h); e.errno and e.args are
// unchanged, `except OSError` catches them all, and they print "[Errno 2] ENOENT" as OSError does.
#include "py/runtime.h"
#include "py/mperrno.h"
#include "py/objexcept.h"

// *FORMAT-OFF*
MP_DEFINE_EXCEPTION(BlockingIOError, OSError)
MP_DEFINE_EXCEPTION(ChildProcessError, OSError)
MP_DEFINE_EXCEPTION(ConnectionError, OSError)
  MP_DEFINE_EXCEPTION(BrokenPipeError, ConnectionError)
  MP_DEFINE_EXCEPTION(ConnectionAbortedError, ConnectionError)
  MP_DEFINE_EXCEPTION(ConnectionRefusedError, ConnectionError)
  MP_DEFINE_EXCEPTION(ConnectionResetError, ConnectionError)
MP_DEFINE_EXCEPTION(FileExistsError, OSError)
MP_DEFINE_EXCEPTION(FileNotFoundError, OSError)
MP_DEFINE_EXCEPTION(InterruptedError, OSError)
MP_DEFINE_EXCEPTION(IsADirectoryError, OSError)
MP_DEFINE_EXCEPTION(NotADirectoryError, OSError)
MP_DEFINE_EXCEPTION(PermissionError, OSError)
MP_DEFINE_EXCEPTION(ProcessLookupError, OSError)
MP_DEFINE_EXCEPTION(TimeoutError, OSError)
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
