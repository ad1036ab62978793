// MicroPythonRT rp2 port: the CDC ACM functions after the console as character devices /dev/ttyUSB1..
// (docs/usb.md). A saved usb.UsbConfig with N CDC functions gives /dev/ttyUSB1 .. /dev/ttyUSB<N-1>, on
// TinyUSB's CDC instances 1..N-1 (instance 0 is the console, /dev/ttyUSB0, ports/rp2/posix/mp_posix.c).
// Reads and writes go straight to TinyUSB's FIFOs (guarded by its OS mutexes); they never block: the fd
// layer waits, woken by posix_file_notify from the USB task's receive / transmit-complete callbacks.

#include <stdlib.h>
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
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

void mprt_usb_tty_register(void) {
    static bool done;
    if (done) {
        return;
    }
    done = true;
    unsigned n = mprt_usb_desc_cdc_count();
    for (unsigned itf = 1; itf < n && itf < CFG_TUD_CDC; itf++) {
        char name[] = "ttyUSB0";
        name[6] = '0' + itf;
        posix_chardev_register(name, &tty_dev, (void *)(uintptr_t)itf);
    }
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
