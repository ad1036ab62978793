// MicroPythonRT rp2 port: TinyUSB's configuration. MicroPython's shared/tinyusb/tusb_config.h (found next
// on the include path) with room for the CDC functions a saved usb.UsbConfig may present (docs/usb.md):
// TinyUSB binds CDC interfaces to instances in order, instance 0 being the console.
#include_next "tusb_config.h"

#if CFG_TUD_CDC
#undef CFG_TUD_CDC
#define CFG_TUD_CDC (5)
#endif
