// MicroPythonRT rp2 port: TinyUSB's configuration. MicroPython's shared/tinyusb/tusb_config.h (found next
// on the include path) with room for the CDC functions a saved usb.UsbConfig may present (docs/usb.md):
// TinyUSB binds CDC interfaces to instances in order, instance 0 being the console.
#include_next "tusb_config.h"

#if CFG_TUD_CDC
#undef CFG_TUD_CDC
#define CFG_TUD_CDC (5)
#endif

// The MSC class driver of a saved configuration's msc() (usb.MscDevice) is compiled only in the units
// that define MPRT_USB_MSC_CLASS (ports/rp2/usb/mprt_usb_msc*.c) and registered as an application
// driver: MicroPython's own files keep CFG_TUD_MSC 0 (their default descriptor and msc_disk.c unchanged).
#define MPRT_USB_HAS_MSC (1)
#ifdef MPRT_USB_MSC_CLASS
#undef CFG_TUD_MSC
#define CFG_TUD_MSC (1)
#define CFG_TUD_MSC_EP_BUFSIZE (512)
#endif
