// MicroPythonRT rp2 port: files and /dev on lib/posix (docs/vfs.md).
#ifndef MPRT_RP2_MP_VFS_POSIX_H
#define MPRT_RP2_MP_VFS_POSIX_H

#include "py/obj.h"

// At each soft reset, before the fds are closed: the VFS files of the previous VM are dropped.
void mp_vfs_posix_start(void);

// lib/posix's errno values are Picolibc's; Python's are MicroPython's (Linux's numbers, as CPython on
// Linux). They differ for a few (ENOTEMPTY, ENAMETOOLONG, ENOTSUP, ELOOP, ETIMEDOUT): these convert.
int mp_posix_errno_to_py(int e);
int mp_posix_errno_from_py(int e);
NORETURN void mp_posix_raise(int posix_errno);

// A Python file object on an fd (os.fdopen): mode "r", "w", "a", "x", with "+" and "b"/"t".
mp_obj_t mp_posix_fdopen(int fd, const char *mode, bool closefd);
// O_* flags of an open() mode string (ValueError when it is not one).
int mp_posix_mode_flags(const char *mode, bool *text);

// os.stat_result / os.statvfs_result: tuples with st_* / f_* attributes (printed as plain tuples,
// as the stock os.stat results are: the stock VFS tests print them).
extern const mp_obj_type_t mp_posix_stat_result_type;
extern const mp_obj_type_t mp_posix_statvfs_result_type;
mp_obj_t mp_posix_stat_result(mp_obj_t tuple);
mp_obj_t mp_posix_statvfs_result(mp_obj_t tuple);

// Adds open, stat, lstat, statvfs, fdopen, stat_result, statvfs_result, sep and __getattr__ (the
// frozen _osvfs and posixpath) to the os module being made.
void mp_vfs_posix_os_extend(mp_obj_t globals);

#endif // MPRT_RP2_MP_VFS_POSIX_H
