// MicroPythonRT rp2 port: the MSC disk of usb.MscDevice (mprt_usb_msc.c, docs/usb.md).
#ifndef MPRT_USB_MSC_H
#define MPRT_USB_MSC_H
#include "py/obj.h"

MP_DECLARE_CONST_FUN_OBJ_3(mp_usb_msc_insert_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mp_usb_msc_eject_obj);
MP_DECLARE_CONST_FUN_OBJ_0(mp_usb_msc_state_obj);

#endif
