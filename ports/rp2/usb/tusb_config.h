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

// The CDC-NCM network function (docs/network.md "USB network link"): TinyUSB's class/net/ncm_device.c
// (unchanged) is compiled only in ports/rp2/usb/mprt_usb_ncm_class.c, with CFG_TUD_NCM set there alone
// (TinyUSB 0.18 builds NCM or ECM/RNDIS, never both: net_device.h), and registered as an application
// driver by ports/rp2/net/net_usb.c. One transfer block (NTB) each way, 2 KB (Linux's minimum).
#define MPRT_USB_HAS_NCM (1)
#ifdef MPRT_USB_NCM_CLASS
#define CFG_TUD_NCM (1)
#define CFG_TUD_NCM_IN_NTB_MAX_SIZE (2048)
#define CFG_TUD_NCM_OUT_NTB_MAX_SIZE (2048)
#define CFG_TUD_NCM_IN_NTB_N (1)
#define CFG_TUD_NCM_OUT_NTB_N (1)
#endif
