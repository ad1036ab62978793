// MicroPythonRT rp2 port: /dev/ttyS0 (UART0 as a tty, mp_tty_uart.c).
#ifndef MPRT_RP2_MP_TTY_UART_H
#define MPRT_RP2_MP_TTY_UART_H

// Adds /dev/ttyS0 to the device table (once, at power-up).
void mp_tty_uart_register(void);

// At each soft reset: the next open sets the UART up again (the VM's deinit may have touched it).
void mp_tty_uart_soft_reset(void);

#endif // MPRT_RP2_MP_TTY_UART_H
