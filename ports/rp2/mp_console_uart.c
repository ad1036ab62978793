// MicroPythonRT rp2 port: console on UART0 (pins and baud rate from mprt_config.h). USB CDC stays
// enumerated and also feeds/echoes the REPL, so a board is never without a console.

#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "shared/tinyusb/mp_usbd.h"
#include "shared/tinyusb/mp_usbd_cdc.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/uart.h"
#include "mprt_config.h"
#include "mp_console.h"

#define CONSOLE_UART (uart0)

static void console_uart_irq(void) {
    uart_get_hw(CONSOLE_UART)->icr = UART_UARTICR_BITS;
    while (uart_is_readable(CONSOLE_UART)) {
        int c = uart_getc(CONSOLE_UART);
        #if MICROPY_KBD_EXCEPTION
        if (c == mp_interrupt_char) {
            mp_sched_keyboard_interrupt();
            continue;
        }
        #endif
        ringbuf_put(&stdin_ringbuf, c);
    }
}

static void console_uart_setup(void) {
    uart_init(CONSOLE_UART, MPRT_CONSOLE_UART_BAUD);
    gpio_set_function(MPRT_CONSOLE_UART_TX_PIN, GPIO_FUNC_UART);
    gpio_set_function(MPRT_CONSOLE_UART_RX_PIN, GPIO_FUNC_UART);
    // Receive and receive-timeout interrupts only: the transmit side is written synchronously.
    uart_get_hw(CONSOLE_UART)->imsc = UART_UARTIMSC_RXIM_BITS | UART_UARTIMSC_RTIM_BITS;
    irq_set_exclusive_handler(UART0_IRQ, console_uart_irq);
    irq_set_enabled(UART0_IRQ, true);
}

void mp_console_init(void) {
    bi_decl(bi_program_feature("UART REPL"));
    console_uart_setup();
}

void mp_console_start(void) {
    // A soft reset deinitialises every machine.UART, including UART0: take it back.
    console_uart_setup();
}

size_t mp_console_write(const char *buf, size_t len) {
    uart_write_blocking(CONSOLE_UART, (const uint8_t *)buf, len);
    mp_usbd_cdc_tx_strn(buf, len);
    return len;
}

void mp_console_poll_rx(void) {
    mp_usbd_cdc_poll_interfaces(0);
}

uintptr_t mp_console_poll(uintptr_t poll_flags) {
    uintptr_t ret = mp_usbd_cdc_poll_interfaces(poll_flags);
    if (poll_flags & MP_STREAM_POLL_WR) {
        ret |= MP_STREAM_POLL_WR;
    }
    return ret;
}
