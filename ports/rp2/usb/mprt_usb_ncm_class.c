// MicroPythonRT rp2 port: TinyUSB's CDC-NCM class driver (class/net/ncm_device.c, unchanged), compiled
// here with CFG_TUD_NCM set for this unit only (ports/rp2/usb/tusb_config.h). Its glue (the tud_network_*
// callbacks, the lwIP interface) and its registration as an application driver are in
// ports/rp2/net/net_usb.c.
#define MPRT_USB_NCM_CLASS (1)
#ifndef NO_QSTR
#include "class/net/ncm_device.c"
#endif
