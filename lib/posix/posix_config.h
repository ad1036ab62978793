// lib/posix configuration: every option with its default. A user of the layer may define any of them
// before this header is read (e.g. on the compiler command line).
#ifndef POSIX_CONFIG_H
#define POSIX_CONFIG_H

// Size of the file-descriptor table, shared by C and Python: fds 0 .. POSIX_FD_MAX - 1.
#ifndef POSIX_FD_MAX
#define POSIX_FD_MAX (32)
#endif

// Bytes a pipe holds before its writer blocks.
#ifndef POSIX_PIPE_BYTES
#define POSIX_PIPE_BYTES (1024)
#endif

// Writes of at most this many bytes to a pipe are atomic (POSIX's PIPE_BUF); a pipe's write end
// polls writable when at least this much room is free. Must not exceed POSIX_PIPE_BYTES.
#ifndef POSIX_PIPE_ATOMIC
#define POSIX_PIPE_ATOMIC (512)
#endif

// Index of the task notification a task blocked in this layer waits on. The firmware uses index 0
// (service task) and 1 (MicroPython's event waits, the console reader): 2 is this layer's own, so a
// wake-up meant for another wait never ends a poll and the other way round. Needs
// configTASK_NOTIFICATION_ARRAY_ENTRIES > POSIX_NOTIFY_INDEX.
#ifndef POSIX_NOTIFY_INDEX
#define POSIX_NOTIFY_INDEX (2)
#endif

// poll()/select() keep the wait records of up to this many fds on the caller's stack; more are
// allocated with malloc for the duration of the call.
#ifndef POSIX_POLL_STACK_FDS
#define POSIX_POLL_STACK_FDS (8)
#endif

#endif // POSIX_CONFIG_H
