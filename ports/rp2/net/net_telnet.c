// MicroPythonRT rp2 port: the telnet REPL (docs/network.md "Telnet REPL"), off by default: TELNET in the
// persistent environment (docs/environment.md) switches it on at power-up (`1`/`on`: port 23, or a port
// number). A task of its own ("telnet") listens; a connection (one at a time) becomes a tty that fds 0-2
// name, as TTY does for a UART (ports/rp2/posix/mp_posix.c "moving the console"): the REPL, print and
// input() move to the connection, Ctrl-C there raises KeyboardInterrupt (ISIG, from this task, while
// Python runs). When the connection ends, fds 0-2 name the USB console again; when the VM lets go of the
// file first (a soft reset puts the console back on fds 0-2, or a dup2 elsewhere), the connection closes.
//
// All netconn calls on the connection are made by this task (lwIP's netconn is not full duplex here:
// LWIP_NETCONN_FULLDUPLEX 0): the tty's read and write only move bytes through two rings and wake it.
// Telnet (RFC 854): the board offers WILL ECHO and WILL SUPPRESS-GO-AHEAD (the client sends characters as
// typed, the REPL echoes), skips the client's option commands and subnegotiations, reads CR NUL and CR LF
// as CR, and doubles 0xff (IAC) in what it sends.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <sys/ioctl.h>
#include "FreeRTOS.h"
#include "task.h"
#include "py/mpconfig.h"
#include "py/mphal.h"
#include "lwip/api.h"
#include "posix_file.h"
#include "posix/mp_posix.h"
#include "posix/mp_signal.h"
#include "env/mprt_env.h"
#include "net_telnet.h"

#define RING (1024) // a power of two
#define TELNET_STACK_WORDS (512)

#define IAC (255)
#define SB (250)
#define SE (240)
#define WILL (251)
#define DONT (254)
#define OPT_ECHO (1)
#define OPT_SGA (3)

typedef struct {
    uint8_t buf[RING];
    volatile uint32_t head; // written by the producer
    volatile uint32_t tail; // written by the consumer
} ring_t;

enum { S_DATA, S_CR, S_IAC, S_OPT, S_SB, S_SB_IAC };

static TaskHandle_t tn_task;
static struct netconn *tn_conn;   // the connection (this task's)
// rx: this task → readers; tx: writers → this task (from the C heap when the server starts: nothing while off)
static ring_t *rx, *tx;
static volatile bool tn_closed;   // the connection ended: reads give end of file, writes EPIPE
static volatile bool tn_released; // no fd names the file any more
static posix_file_t tn_file;
static struct termios tn_attr;
static int parse_state;

static uint32_t ring_count(const ring_t *r) {
    return r->head - r->tail;
}

static void wake_task(void) {
    if (tn_task != NULL) {
        xTaskNotifyGive(tn_task);
    }
}

// ---- the tty (called by the tasks using fds 0-2) ----

static ssize_t tn_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    uint8_t *b = buf;
    size_t n = 0;
    while (n < len && ring_count(rx) > 0) {
        uint8_t c = rx->buf[rx->tail % RING];
        rx->tail++;
        if (c == '\r' && (tn_attr.c_iflag & IGNCR)) {
            continue;
        }
        if (c == '\r' && (tn_attr.c_iflag & ICRNL)) {
            c = '\n';
        }
        b[n++] = c;
    }
    if (n > 0) {
        wake_task(); // room again: it may take in more
        return n;
    }
    return tn_closed || len == 0 ? 0 : -EAGAIN;
}

static bool tx_put(uint8_t c) {
    if (ring_count(tx) >= RING) {
        return false;
    }
    tx->buf[tx->head % RING] = c;
    tx->head++;
    return true;
}

static ssize_t tn_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    if (tn_closed) {
        return -EPIPE;
    }
    const uint8_t *b = buf;
    bool onlcr = (tn_attr.c_oflag & (OPOST | ONLCR)) == (OPOST | ONLCR);
    size_t n = 0;
    while (n < len) {
        // a byte and what goes before it, whole or not at all
        uint32_t need = 1 + (b[n] == IAC) + (b[n] == '\n' && onlcr);
        if (RING - ring_count(tx) < need) {
            break;
        }
        if (b[n] == '\n' && onlcr) {
            tx_put('\r');
        }
        if (b[n] == IAC) {
            tx_put(IAC);
        }
        tx_put(b[n++]);
    }
    if (n > 0) {
        wake_task();
        return n;
    }
    return len == 0 ? 0 : -EAGAIN;
}

static unsigned tn_poll(posix_file_t *f) {
    (void)f;
    if (tn_closed) {
        return POLLIN | POLLHUP;
    }
    return (ring_count(rx) > 0 ? POLLIN : 0) | (ring_count(tx) < RING - 2 ? POLLOUT : 0);
}

static int tn_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    (void)f;
    switch (request) {
        case TCGETS:
            memcpy(arg, &tn_attr, sizeof(tn_attr));
            return 0;
        case TCSETS:
        case TCSETSW:
        case TCSETSF:
            memcpy(&tn_attr, arg, sizeof(tn_attr));
            return 0;
        case TCSBRK:
            return 0;
        case FIONREAD:
            *(int *)arg = (int)ring_count(rx);
            return 0;
        default:
            return -ENOTTY;
    }
}

static void tn_release(posix_file_t *f) {
    (void)f;
    tn_released = true;
    wake_task();
}

static const posix_file_ops_t tn_ops = {
    .read = tn_read,
    .write = tn_write,
    .poll = tn_poll,
    .ioctl = tn_ioctl,
    .release = tn_release,
    .mode = S_IFCHR | 0660,
    .tty = true,
    .write_all = true,
};

// ---- the task ----

// lwIP's event callback (the tcpip task): the connection has data, room or an error
static void tn_event(struct netconn *conn, enum netconn_evt evt, u16_t len) {
    (void)conn;
    (void)evt;
    (void)len;
    wake_task();
}

static void rx_put(uint8_t c) {
    if ((tn_attr.c_lflag & ISIG) && c == mp_interrupt_char) {
        mprt_signal_interrupt_char(); // KeyboardInterrupt while Python runs (at the prompt it is -1)
        return;
    }
    rx->buf[rx->head % RING] = c;
    rx->head++;
}

// Telnet's byte stream → the tty's input (the ring has room for c)
static void feed(uint8_t c) {
    switch (parse_state) {
        case S_CR:
            parse_state = S_DATA;
            if (c == '\n' || c == 0) {
                return;
            }
        // fall through
        case S_DATA:
            if (c == IAC) {
                parse_state = S_IAC;
            } else {
                rx_put(c);
                if (c == '\r') {
                    parse_state = S_CR;
                }
            }
            return;
        case S_IAC:
            if (c == IAC) {
                rx_put(IAC);
                parse_state = S_DATA;
            } else if (c >= WILL && c <= DONT) {
                parse_state = S_OPT;
            } else {
                parse_state = c == SB ? S_SB : S_DATA;
            }
            return;
        case S_OPT:
            parse_state = S_DATA; // the client's answer to our offers, or its own: nothing to do
            return;
        case S_SB:
            parse_state = c == IAC ? S_SB_IAC : S_SB;
            return;
        default: // S_SB_IAC
            parse_state = c == SE ? S_DATA : S_SB;
            return;
    }
}

// Moves fds 0-2 that still name the connection back to the console.
static void console_back(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (posix_fd_peek(fd) == &tn_file) {
            posix_fd_install_at(&mp_posix_console_file, fd);
        }
    }
}

static void session(struct netconn *conn) {
    tn_conn = conn;
    rx->head = rx->tail = 0;
    tx->head = tx->tail = 0;
    parse_state = S_DATA;
    tn_closed = false;
    tn_released = false;
    memset(&tn_attr, 0, sizeof(tn_attr));
    cfmakeraw(&tn_attr);
    tn_attr.c_lflag |= ISIG;
    netconn_set_nonblocking(conn, 1);
    static const uint8_t offer[] = { IAC, WILL, OPT_ECHO, IAC, WILL, OPT_SGA };
    static const char hello[] = "MicroPythonRT telnet REPL: the console is here until you close (Ctrl-C interrupts)\r\n";
    memcpy(tx->buf, offer, sizeof(offer));
    memcpy(tx->buf + sizeof(offer), hello, sizeof(hello) - 1);
    tx->head = sizeof(offer) + sizeof(hello) - 1;
    posix_file_init(&tn_file, &tn_ops, O_RDWR);
    for (int fd = 0; fd <= 2; fd++) {
        posix_fd_install_at(&tn_file, fd);
    }
    mprt_rtos_wake_main(); // a REPL waiting on the console looks at fd 0 again

    struct pbuf *pending = NULL;
    uint16_t off = 0;
    while (!tn_released) {
        bool changed = false;
        // take in what arrived, as far as the ring has room
        while (!tn_closed) {
            if (pending == NULL) {
                err_t err = netconn_recv_tcp_pbuf(conn, &pending);
                if (err == ERR_WOULDBLOCK) {
                    pending = NULL;
                    break;
                }
                if (err != ERR_OK) {
                    pending = NULL;
                    tn_closed = true; // the client closed, or the link went away
                    changed = true;
                    break;
                }
                off = 0;
            }
            while (off < pending->tot_len && ring_count(rx) < RING) {
                feed(pbuf_get_at(pending, off++));
                changed = true;
            }
            if (off < pending->tot_len) {
                break; // the ring is full: a read makes room and wakes the task
            }
            pbuf_free(pending);
            pending = NULL;
        }
        // send what was written, as far as the connection takes it
        while (!tn_closed && ring_count(tx) > 0) {
            uint32_t at = tx->tail % RING;
            uint32_t n = ring_count(tx);
            if (n > RING - at) {
                n = RING - at;
            }
            size_t written = 0;
            err_t err = netconn_write_partly(conn, tx->buf + at, n, NETCONN_COPY | NETCONN_DONTBLOCK, &written);
            if (err != ERR_OK && err != ERR_WOULDBLOCK) {
                tn_closed = true;
                changed = true;
                break;
            }
            if (written == 0) {
                break; // no room in the send buffer: lwIP's event wakes the task
            }
            tx->tail += written;
            changed = true;
        }
        if (changed) {
            posix_file_notify(&tn_file);
        }
        if (tn_closed) {
            console_back(); // the REPL returns to the console; the file goes once nothing uses it
            posix_file_notify(&tn_file);
        }
        ulTaskNotifyTake(pdTRUE, tn_closed ? pdMS_TO_TICKS(100) : portMAX_DELAY);
    }
    if (pending != NULL) {
        pbuf_free(pending);
    }
    tn_conn = NULL;
    netconn_close(conn);
    netconn_delete(conn);
}

static void telnet_task(void *arg) {
    uint16_t port = (uint16_t)(uintptr_t)arg;
    struct netconn *srv = netconn_new_with_callback(NETCONN_TCP, tn_event);
    if (srv == NULL || netconn_bind(srv, IP_ANY_TYPE, port) != ERR_OK || netconn_listen_with_backlog(srv, 1) != ERR_OK) {
        vTaskDelete(NULL);
        return;
    }
    for (;;) {
        struct netconn *conn;
        if (netconn_accept(srv, &conn) == ERR_OK) {
            session(conn);
        }
    }
}

void mprt_net_telnet_start(void) {
    char v[8];
    int n = mprt_env_get("TELNET", (uint8_t *)v, sizeof(v) - 1);
    if (n <= 0 || n >= (int)sizeof(v)) {
        return;
    }
    v[n] = 0;
    unsigned long port = 23;
    if (strcmp(v, "1") != 0 && strcmp(v, "on") != 0) {
        char *end;
        port = strtoul(v, &end, 10);
        if (*end != 0 || port == 0 || port > 65535) {
            return; // 0, off or anything else: no server
        }
    }
    rx = malloc(2 * sizeof(ring_t));
    if (rx == NULL) {
        return;
    }
    tx = rx + 1;
    xTaskCreate(telnet_task, "telnet", TELNET_STACK_WORDS, (void *)(uintptr_t)port, MPRT_NET_TELNET_PRIORITY, &tn_task);
}
