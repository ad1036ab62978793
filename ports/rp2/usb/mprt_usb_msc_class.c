// MicroPythonRT rp2 port: TinyUSB's MSC class driver (class/msc/msc_device.c, unchanged), compiled here
// with CFG_TUD_MSC set for this unit only (ports/rp2/usb/tusb_config.h): MicroPython's tusb_config.h
// keeps MSC off so that its default descriptor and its flash msc_disk.c stay as they are. The driver is
// registered with TinyUSB as an application driver by mprt_usb_msc.c.
#define MPRT_USB_MSC_CLASS (1)
#ifndef NO_QSTR
#include "class/msc/msc_device.c"
#endif
