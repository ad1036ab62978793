// MicroPythonRT rp2 port: the CDC-NCM network function (ports/rp2/net/net_usb.c, docs/network.md).
#ifndef MICROPY_INCLUDED_MPRT_USB_NCM_H
#define MICROPY_INCLUDED_MPRT_USB_NCM_H

#include <stdbool.h>
#include <stdint.h>
#ifndef NO_QSTR
#include "device/usbd_pvt.h"
// TinyUSB's NCM class driver wrapped to take only NCM interfaces (an application driver)
const usbd_class_driver_t *mprt_usb_ncm_driver(void);
// netd_xfer_cb, with received blocks the driver could not consume dropped first
bool mprt_usb_ncm_xfer_cb(uint8_t rhport, uint8_t ep_addr, xfer_result_t result, uint32_t xferred_bytes);
#endif

// the MAC address string of the default configuration's NCM function (string index MPRT_USB_NCM_STR_MAC):
// the host side's address; the board's own is the same with the last byte's bit 0 flipped
#define MPRT_USB_NCM_STR_MAC (7)
#define MPRT_USB_NCM_STR_NAME (6)
void mprt_usb_ncm_mac(uint8_t host_mac[6]);

#endif
