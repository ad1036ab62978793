// MicroPythonRT rp2 port: /dev/ttyUSB1.. on the CDC functions after the console (mprt_usb_tty.c).
#ifndef MPRT_USB_TTY_H
#define MPRT_USB_TTY_H

#include <stdint.h>

// Registers /dev/ttyUSB1.. for the CDC functions of the presented configuration (once).
void mprt_usb_tty_register(void);

// From the USB task: CDC instance itf received data or finished a transmission.
void mprt_usb_tty_event(uint8_t itf);

#endif // MPRT_USB_TTY_H
