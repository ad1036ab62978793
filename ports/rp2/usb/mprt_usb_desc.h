// MicroPythonRT rp2 port: the USB descriptors of a saved usb.UsbConfig (mprt_usb_desc.c, docs/usb.md).
#ifndef MPRT_USB_DESC_H
#define MPRT_USB_DESC_H

// Why the saved configuration is not used (NULL: it is).
const char *mprt_usb_desc_status(void);

// CDC ACM functions of the presented configuration (1 with the default).
unsigned mprt_usb_desc_cdc_count(void);

#endif // MPRT_USB_DESC_H
