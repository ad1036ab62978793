// MicroPythonRT rp2 port: console on USB CDC (TinyUSB), using MicroPython's shared TinyUSB glue.

#include "py/mphal.h"
#include "py/stream.h"
#include "shared/tinyusb/mp_usbd.h"
#include "shared/tinyusb/mp_usbd_cdc.h"
#include "mp_console.h"

void mp_console_init(void) {
}

void mp_console_start(void) {
}

size_t mp_console_write(const char *buf, size_t len) {
    mp_uint_t n = mp_usbd_cdc_tx_strn(buf, len);
    return n > 0 ? n : 0;
}

void mp_console_poll_rx(void) {
    mp_usbd_cdc_poll_interfaces(0);
}

uintptr_t mp_console_poll(uintptr_t poll_flags) {
    return mp_usbd_cdc_poll_interfaces(poll_flags);
}
