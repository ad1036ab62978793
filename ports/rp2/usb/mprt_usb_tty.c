// MicroPythonRT rp2 port: the CDC ACM functions after the console as character devices /dev/ttyUSB1..
// (docs/usb.md). A saved usb.UsbConfig with N CDC functions gives /dev/ttyUSB1 .. /dev/ttyUSB<N-1>, on
// TinyUSB's CDC instances 1..N-1 (instance 0 is the console, /dev/ttyUSB0, ports/rp2/posix/mp_posix.c).
// Reads and writes go straight to TinyUSB's FIFOs (guarded by its OS mutexes); they never block: the fd
// layer waits, woken by posix_file_notify from the USB task's receive / transmit-complete callbacks.
// Each port answers the termios ioctls (attributes kept per port; a CDC line has no baud rate or
// framing of its own), so it can be the console: os.dup2 onto fds 0/1, or TTY=/dev/ttyUSBn at reset.

#include <stdlib.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <termios.h>
#include "posix_file.h"
#include "posix_vfs.h"
#include "mprt_usb_desc.h"
#include "mprt_usb_tty.h"
#ifndef NO_QSTR
#include "tusb.h"
#endif

#define TTY_OPEN_MAX (4) // open descriptions per port

typedef struct _tty_file_t {
    posix_file_t file;
    uint8_t itf;
} tty_file_t;

static tty_file_t *open_files[CFG_TUD_CDC][TTY_OPEN_MAX]; // under posix_lock
static struct termios attr[CFG_TUD_CDC];
static bool attr_set[CFG_TUD_CDC];

static ssize_t tty_read(posix_file_t *f, void *buf, size_t len) {
    uint8_t itf = ((tty_file_t *)f)->itf;
    if (len == 0) {
        return 0;
    }
    uint32_t n = tud_cdc_n_read(itf, buf, len);
    return n ? (ssize_t)n : -EAGAIN;
}

static ssize_t tty_write(posix_file_t *f, const void *buf, size_t len) {
    uint8_t itf = ((tty_file_t *)f)->itf;
    if (len == 0) {
        return 0;
    }
    if (!tud_cdc_n_connected(itf) && !tud_mounted()) {
        return -EIO;
    }
    uint32_t n = tud_cdc_n_write(itf, buf, len);
    tud_cdc_n_write_flush(itf);
    return n ? (ssize_t)n : -EAGAIN;
}

static unsigned tty_poll(posix_file_t *f) {
    uint8_t itf = ((tty_file_t *)f)->itf;
    unsigned r = 0;
    if (tud_cdc_n_available(itf)) {
        r |= POLLIN;
    }
    if (tud_cdc_n_write_available(itf)) {
        r |= POLLOUT;
    }
    return r;
}

static int tty_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    uint8_t itf = ((tty_file_t *)f)->itf;
    if (!attr_set[itf]) {
        // what a Linux ttyACM starts with: 8 bits, receiver on, local line
        memset(&attr[itf], 0, sizeof(attr[itf]));
        attr[itf].c_cflag = CS8 | CREAD | CLOCAL;
        cfsetispeed(&attr[itf], B115200);
        cfsetospeed(&attr[itf], B115200);
        attr_set[itf] = true;
    }
    switch (request) {
        case TCGETS:
            memcpy(arg, &attr[itf], sizeof(attr[itf]));
            return 0;
        case TCSETSF:
            tud_cdc_n_read_flush(itf);
        // fall through
        case TCSETS:
        case TCSETSW:
            memcpy(&attr[itf], arg, sizeof(attr[itf]));
            return 0;
        case TCSBRK:
            tud_cdc_n_write_flush(itf);
            return 0;
        case TCFLSH: {
            int q = *(const int *)arg;
            if (q != TCIFLUSH && q != TCOFLUSH && q != TCIOFLUSH) {
                return -EINVAL;
            }
            if (q != TCOFLUSH) {
                tud_cdc_n_read_flush(itf);
            }
            if (q != TCIFLUSH) {
                tud_cdc_n_write_clear(itf);
            }
            return 0;
        }
        case FIONREAD:
            *(int *)arg = (int)tud_cdc_n_available(itf);
            return 0;
        default:
            return -ENOTTY;
    }
}

static void tty_release(posix_file_t *f) {
    tty_file_t *t = (tty_file_t *)f;
    posix_lock();
    for (int k = 0; k < TTY_OPEN_MAX; k++) {
        if (open_files[t->itf][k] == t) {
            open_files[t->itf][k] = NULL;
        }
    }
    posix_unlock();
    free(t);
}

static const posix_file_ops_t tty_ops = {
    .read = tty_read,
    .write = tty_write,
    .poll = tty_poll,
    .release = tty_release,
    .ioctl = tty_ioctl,
    .mode = S_IFCHR | 0666,
    .tty = true,
};

static int tty_open(void *ctx, int flags, posix_file_t **out) {
    uint8_t itf = (uint8_t)(uintptr_t)ctx;
    tty_file_t *t = malloc(sizeof(tty_file_t));
    if (t == NULL) {
        return -ENOMEM;
    }
    posix_file_init(&t->file, &tty_ops, flags);
    t->itf = itf;
    int slot = -1;
    posix_lock();
    for (int k = 0; k < TTY_OPEN_MAX; k++) {
        if (open_files[itf][k] == NULL) {
            open_files[itf][k] = t;
            slot = k;
            break;
        }
    }
    posix_unlock();
    if (slot < 0) {
        free(t);
        return -EBUSY;
    }
    *out = &t->file;
    return 0;
}

static const posix_chardev_t tty_dev = { .open = tty_open, .mode = 0666 };

// /dev/ttyUSB1 .. /dev/ttyUSB<registered-1> exist
static unsigned registered = 1;

void mprt_usb_tty_update(void) {
    unsigned n = mprt_usb_desc_cdc_count();
    if (n > CFG_TUD_CDC) {
        n = CFG_TUD_CDC;
    }
    char name[] = "ttyUSB0";
    for (unsigned itf = 1; itf < n || itf < registered; itf++) {
        name[6] = '0' + itf;
        if (itf < n && itf >= registered) {
            posix_chardev_register(name, &tty_dev, (void *)(uintptr_t)itf);
        } else if (itf >= n) {
            posix_dev_unregister(name);
        }
    }
    registered = n;
}

void mprt_usb_tty_register(void) {
    static bool done;
    if (done) {
        return;
    }
    done = true;
    mprt_usb_tty_update();
}

void mprt_usb_tty_event(uint8_t itf) {
    if (itf >= CFG_TUD_CDC) {
        return;
    }
    posix_lock();
    for (int k = 0; k < TTY_OPEN_MAX; k++) {
        if (open_files[itf][k] != NULL) {
            posix_file_notify_locked(&open_files[itf][k]->file);
        }
    }
    posix_unlock();
}
