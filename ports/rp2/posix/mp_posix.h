// MicroPythonRT rp2 port: lib/posix in the firmware: the console as fds 0-2, the GIL released while a
// Python call blocks in the layer, the fd table at soft reset.
#ifndef MPRT_RP2_MP_POSIX_H
#define MPRT_RP2_MP_POSIX_H

#include <stdbool.h>

// At each soft reset, after mp_console_start: fds 0, 1 and 2 name the console again, every other fd
// is closed (the VM's fds do not outlive it), and the block hooks are set.
void mp_posix_start(void);

// Before a soft reset's "MPY: soft reboot": fds 0, 1 and 2 name the console again.
void mp_posix_stdio_reset(void);

// The console's open file description (fds 0-2 after mp_posix_start); never freed.
struct _posix_file_t;
extern struct _posix_file_t mp_posix_console_file;

// Set by the first mp_posix_start: until then, stdio writes go straight to the console.
extern bool mp_posix_stdio_ready;

// Bytes Python wrote to sys.stdin/stdout/stderr and their .buffer (print included) since power-up:
// freeze.import_modules tells a module whose import printed (it then runs its code at import).
#include <stdint.h>
extern uint32_t mp_stdio_py_written;

// Moving the console: fds 0 and 1 may name another device (os.dup2, TTY); the REPL and print follow
// them. mp_posix_stdin_moved: fd 0 is not the console; mp_posix_stdin_chr: waits (GIL released) for a
// byte on fd 0 or a console wake-up (-1: look at the console again); mp_posix_stdout_write: writes to
// fd 1 if it is not the console (false: it is, or it failed: write to the console);
// mp_posix_console_restore: fds 0-2 on the console again (Ctrl-C on the USB console does it).
#include <stddef.h>
bool mp_posix_stdin_moved(void);
int mp_posix_stdin_chr(void);
bool mp_posix_stdout_write(const char *buf, size_t len);
void mp_posix_console_restore(void);

// True while the calling task runs a lib/posix call made from Python (it holds the GIL, which the
// block hooks release for the wait). Per task.
extern __thread bool mp_posix_python_call;

// Runs `call` (a lib/posix call returning -1 and errno on failure) on behalf of Python, retrying after
// pending callbacks and signal handlers if it was interrupted (PEP 475); a pending exception
// (KeyboardInterrupt, or one a signal handler raised) is raised.
#define MP_POSIX_CALL(result, call) do { \
        for (;;) { \
            mp_posix_python_call = true; \
            result = (call); \
            mp_posix_python_call = false; \
            if (result != -1 || errno != EINTR) { \
                break; \
            } \
            mp_event_handle_nowait(); \
        } \
} while (0)

#endif // MPRT_RP2_MP_POSIX_H
