// lib/posix: between the path calls (posix_vfs.c) and /dev (posix_dev.c).
#ifndef POSIX_VFS_INTERNAL_H
#define POSIX_VFS_INTERNAL_H

#include "posix_vfs.h"

// name: the part of a normal path below "/dev/" ("" for /dev itself). 0 or -errno.
int posix_dev_stat(const char *name, struct stat *st);
int posix_dev_open(const char *name, int flags, posix_file_t **out);

#endif // POSIX_VFS_INTERNAL_H
