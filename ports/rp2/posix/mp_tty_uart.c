// MicroPythonRT rp2 port: /dev/ttyS0, UART0 on GP0 (TX) and GP1 (RX), a tty with termios basics.
//
// The UART is set up at the first open (default 115200 8N1, raw) and keeps its settings while the
// firmware runs. Its interrupt moves received bytes into a 512-byte ring and fills the TX FIFO from a 512-byte
// ring; when it took bytes in or made room it wakes a small task ("ttyS0"), which wakes the waiters of
// every open description (posix_file_notify cannot be called from an interrupt). So read/write/poll
// never poll the hardware on a timer: select/poll on the fd wake on received bytes and on TX room.
//
// termios (lib/posix/include/termios.h): the speed (B50 .. B1000000, any rate the divider reaches),
// CSIZE CSTOPB PARENB PARODD (the frame format), OPOST|ONLCR on output, ICRNL/IGNCR/INLCR on input;
// ISIG: the interrupt character (Ctrl-C while Python runs) raises KeyboardInterrupt (the SIGINT
// handler); the other flags are kept and reported, and there is no line discipline (ICANON and ECHO
// act as if clear: reads return what has arrived). tcdrain (TCSBRK 1) waits until the last bit has left.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include "FreeRTOS.h"
#include "task.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/sync.h"
#include "hardware/uart.h"
#include "py/mpconfig.h"
#include "shared/runtime/interrupt_char.h"
#include "posix_file.h"
#include "mp_signal.h"
#include "posix_vfs.h"
#include "mp_tty_uart.h"

#define TTY_UART (uart0)
#define TTY_TX_PIN (0)
#define TTY_RX_PIN (1)
#define RING (512) // a power of two
#define MAX_OPEN (4)

typedef struct {
    uint8_t buf[RING];
    volatile uint32_t head; // written by the producer
    volatile uint32_t tail; // written by the consumer
} ring_t;

static ring_t rx, tx;
static volatile bool intr_pending; // ISIG: an interrupt character came in
static volatile bool rx_stopped; // the RX ring was full: reception off until a read
static struct termios tty_attr;
static bool tty_ready;
static bool tty_hw_valid; // set up since the last soft reset
static TaskHandle_t tty_task;
static posix_file_t *open_files[MAX_OPEN]; // under posix_lock

static uint32_t ring_count(const ring_t *r) {
    return r->head - r->tail;
}

// ---- interrupt side ----

static void tty_tx_fill(void) {
    uart_hw_t *hw = uart_get_hw(TTY_UART);
    while (ring_count(&tx) > 0 && !(hw->fr & UART_UARTFR_TXFF_BITS)) {
        hw->dr = tx.buf[tx.tail % RING];
        tx.tail++;
    }
    if (ring_count(&tx) == 0) {
        hw_clear_bits(&hw->imsc, UART_UARTIMSC_TXIM_BITS);
    } else {
        hw_set_bits(&hw->imsc, UART_UARTIMSC_TXIM_BITS);
    }
}

static void tty_irq(void) {
    uart_hw_t *hw = uart_get_hw(TTY_UART);
    bool wake = false;
    hw->icr = UART_UARTICR_RTIC_BITS | UART_UARTICR_RXIC_BITS | UART_UARTICR_TXIC_BITS | UART_UARTICR_OEIC_BITS;
    while (!(hw->fr & UART_UARTFR_RXFE_BITS)) {
        if (ring_count(&rx) >= RING) {
            // full: leave the rest in the 32-byte FIFO (it overruns there if the line goes on) until a
            // read makes room and turns reception back on
            hw_clear_bits(&hw->imsc, UART_UARTIMSC_RXIM_BITS | UART_UARTIMSC_RTIM_BITS);
            rx_stopped = true;
            break;
        }
        uint8_t c = (uint8_t)hw->dr;
        wake = true;
        if ((tty_attr.c_lflag & ISIG) && c == mp_interrupt_char) {
            // ISIG (set when the console is here): Ctrl-C interrupts, from the task
            intr_pending = true;
            continue;
        }
        rx.buf[rx.head % RING] = c;
        rx.head++;
    }
    uint32_t before = ring_count(&tx);
    tty_tx_fill();
    if (ring_count(&tx) != before) {
        wake = true;
    }
    if (wake && tty_task != NULL) {
        BaseType_t woken = pdFALSE;
        vTaskNotifyGiveFromISR(tty_task, &woken);
        portYIELD_FROM_ISR(woken);
    }
}

// ---- the waker task ----

static void tty_task_main(void *arg) {
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        if (intr_pending) {
            intr_pending = false;
            mprt_signal_interrupt_char();
        }
        posix_lock();
        for (int i = 0; i < MAX_OPEN; i++) {
            if (open_files[i] != NULL) {
                posix_file_notify_locked(open_files[i]);
            }
        }
        posix_unlock();
    }
}

// ---- settings ----

static int tty_apply(const struct termios *t) {
    uint32_t baud = posix_termios_baud(t->c_cflag & CBAUD);
    if (baud == 0) {
        return -EINVAL;
    }
    uint bits = 5 + ((t->c_cflag & CSIZE) >> 4);
    uart_parity_t parity = !(t->c_cflag & PARENB) ? UART_PARITY_NONE : (t->c_cflag & PARODD) ? UART_PARITY_ODD : UART_PARITY_EVEN;
    uart_set_baudrate(TTY_UART, baud);
    uart_set_format(TTY_UART, bits, t->c_cflag & CSTOPB ? 2 : 1, parity);
    tty_attr = *t;
    tty_attr.c_ispeed = t->c_cflag & CBAUD; // one speed for both directions
    tty_attr.c_ospeed = tty_attr.c_ispeed;
    return 0;
}

static void tty_wait_sent(void) {
    while (ring_count(&tx) > 0 || (uart_get_hw(TTY_UART)->fr & UART_UARTFR_BUSY_BITS)) {
        vTaskDelay(1);
    }
}

// The UART as this driver runs it. At the first open, and again at an open after something else
// took UART0 (a soft reset deinitialises every machine.UART, and machine.UART(0) may have run).
static bool tty_hw_ours(void) {
    return irq_get_exclusive_handler(UART0_IRQ) == tty_irq && (uart_get_hw(TTY_UART)->cr & UART_UARTCR_UARTEN_BITS);
}

static void tty_setup(void) {
    if (!tty_ready) {
        memset(&tty_attr, 0, sizeof(tty_attr));
        tty_attr.c_cflag = B115200 | CS8 | CREAD | CLOCAL;
        tty_attr.c_cc[VINTR] = 3;
        tty_attr.c_cc[VMIN] = 1;
        xTaskCreate(tty_task_main, "ttyS0", 192, NULL, configMAX_PRIORITIES - 2, &tty_task);
        tty_ready = true;
    }
    irq_set_enabled(UART0_IRQ, false);
    if (irq_get_exclusive_handler(UART0_IRQ) != NULL) {
        irq_remove_handler(UART0_IRQ, irq_get_exclusive_handler(UART0_IRQ));
    }
    uart_init(TTY_UART, 115200);
    gpio_set_function(TTY_TX_PIN, GPIO_FUNC_UART);
    gpio_set_function(TTY_RX_PIN, GPIO_FUNC_UART);
    rx.tail = rx.head;
    tx.tail = tx.head;
    rx_stopped = false;
    tty_apply(&tty_attr);
    uart_get_hw(TTY_UART)->imsc = UART_UARTIMSC_RXIM_BITS | UART_UARTIMSC_RTIM_BITS;
    irq_set_exclusive_handler(UART0_IRQ, tty_irq);
    irq_set_enabled(UART0_IRQ, true);
    tty_hw_valid = true;
}

// ---- the file ----

static void rx_resume(void) {
    if (rx_stopped) {
        rx_stopped = false;
        hw_set_bits(&uart_get_hw(TTY_UART)->imsc, UART_UARTIMSC_RXIM_BITS | UART_UARTIMSC_RTIM_BITS);
    }
}

static ssize_t tty_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    if (len == 0) {
        return 0;
    }
    uint8_t *b = buf;
    size_t n = 0;
    tcflag_t iflag = tty_attr.c_iflag;
    while (n < len && ring_count(&rx) > 0) {
        uint8_t c = rx.buf[rx.tail % RING];
        rx.tail++;
        if (c == '\r' && (iflag & IGNCR)) {
            continue;
        }
        if (c == '\r' && (iflag & ICRNL)) {
            c = '\n';
        } else if (c == '\n' && (iflag & INLCR)) {
            c = '\r';
        }
        b[n++] = c;
    }
    if (n > 0) {
        rx_resume();
    }
    return n > 0 ? (ssize_t)n : -EAGAIN;
}

static bool tx_put(uint8_t c) {
    if (ring_count(&tx) >= RING) {
        return false;
    }
    tx.buf[tx.head % RING] = c;
    tx.head++;
    return true;
}

static ssize_t tty_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    const uint8_t *b = buf;
    bool onlcr = (tty_attr.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR);
    size_t n = 0;
    while (n < len) {
        if (b[n] == '\n' && onlcr) {
            if (RING - ring_count(&tx) < 2) {
                break;
            }
            tx_put('\r');
        }
        if (!tx_put(b[n])) {
            break;
        }
        n++;
    }
    uint32_t save = save_and_disable_interrupts();
    tty_tx_fill();
    restore_interrupts(save);
    return n > 0 ? (ssize_t)n : (len == 0 ? 0 : -EAGAIN);
}

static unsigned tty_poll(posix_file_t *f) {
    (void)f;
    return (ring_count(&rx) > 0 ? POLLIN : 0) | (ring_count(&tx) < RING - 1 ? POLLOUT : 0);
}

static int tty_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    (void)f;
    switch (request) {
        case TCGETS:
            memcpy(arg, &tty_attr, sizeof(tty_attr));
            return 0;
        case TCSETSW:
        case TCSETSF:
            tty_wait_sent();
            if (request == TCSETSF) {
                rx.tail = rx.head;
                rx_resume();
            }
        // fall through
        case TCSETS:
            return tty_apply(arg);
        case TCSBRK:
            tty_wait_sent();
            return 0;
        case TCFLSH: {
            int q = *(const int *)arg;
            if (q != TCIFLUSH && q != TCOFLUSH && q != TCIOFLUSH) {
                return -EINVAL;
            }
            if (q != TCOFLUSH) {
                rx.tail = rx.head;
                rx_resume();
            }
            if (q != TCIFLUSH) {
                uint32_t save = save_and_disable_interrupts();
                tx.head = tx.tail;
                restore_interrupts(save);
            }
            return 0;
        }
        case FIONREAD:
            *(int *)arg = (int)ring_count(&rx);
            return 0;
        default:
            return -ENOTTY;
    }
}

static void tty_release(posix_file_t *f) {
    posix_lock();
    for (int i = 0; i < MAX_OPEN; i++) {
        if (open_files[i] == f) {
            open_files[i] = NULL;
        }
    }
    posix_unlock();
    free(f);
}

static const posix_file_ops_t tty_ops = {
    .read = tty_read,
    .write = tty_write,
    .poll = tty_poll,
    .ioctl = tty_ioctl,
    .release = tty_release,
    .mode = S_IFCHR | 0660,
    .tty = true,
    .write_all = true,
};

static int tty_open(void *ctx, int flags, posix_file_t **out) {
    (void)ctx;
    if (!tty_ready || !tty_hw_valid || !tty_hw_ours()) {
        tty_setup();
    }
    posix_file_t *f = malloc(sizeof(posix_file_t));
    if (f == NULL) {
        return -ENOMEM;
    }
    posix_file_init(f, &tty_ops, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    int slot = -1;
    posix_lock();
    for (int i = 0; i < MAX_OPEN && slot < 0; i++) {
        if (open_files[i] == NULL) {
            open_files[i] = f;
            slot = i;
        }
    }
    posix_unlock();
    if (slot < 0) {
        free(f);
        return -EBUSY;
    }
    *out = f;
    return 0;
}

static const posix_chardev_t tty_dev = { .open = tty_open, .mode = 0660 };

void mp_tty_uart_soft_reset(void) {
    tty_hw_valid = false;
}

void mp_tty_uart_register(void) {
    posix_chardev_register("ttyS0", &tty_dev, NULL);
}
