// MicroPythonRT rp2 port: the console, the one interface between MicroPython's stdio and a device.
//
// Exactly one implementation is linked, chosen by the `console` build option:
//   mp_console_usb.c  - USB CDC (TinyUSB), the default
//   mp_console_uart.c - UART0, with USB CDC still available as a second console
// Received bytes are pushed into stdin_ringbuf (mphalport.h) by the implementation; Ctrl-C is turned
// into a KeyboardInterrupt at reception time. The RTOS issue moves these onto tasks; callers only
// depend on the functions below.

#ifndef MPRT_RP2_MP_CONSOLE_H
#define MPRT_RP2_MP_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

// Called once at power-up, before MicroPython starts.
void mp_console_init(void);

// Called at each soft reset, after MicroPython is initialised (drivers may need the runtime).
void mp_console_start(void);

// Write len bytes; returns how many were accepted (0 if no console device is attached).
size_t mp_console_write(const char *buf, size_t len);

// Move any pending received bytes into stdin_ringbuf (non-blocking).
void mp_console_poll_rx(void);

// MP_STREAM_POLL_RD / MP_STREAM_POLL_WR readiness for the bits in poll_flags.
uintptr_t mp_console_poll(uintptr_t poll_flags);

// With a kernel: called by the console (from its own task) when its transmit buffer has room again
// after mp_console_poll found it full; the fd layer wakes the tasks polling fds 0-2 for POLLOUT
// (ports/rp2/posix/mp_posix.c).
void mp_console_tx_ready(void);

#endif // MPRT_RP2_MP_CONSOLE_H
