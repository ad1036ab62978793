// MicroPythonRT rp2 port: `_usb`, the C half of the `usb` module (docs/usb.md): the device's bus state
// from TinyUSB (which runs in its own `usb` task: these calls only read its state or ask the controller
// to attach/detach the pull-up). The configuration builder `usb.UsbConfig` is Python (usb/modules/usb.py).

#include <string.h>
#include "py/runtime.h"
#include "mprt_usb_desc.h"
#ifndef NO_QSTR
#include "tusb.h"
#endif

// usb.speed(): 'full' (12 Mbit/s; the RP2040's controller has no high speed), 'low', or None when not
// attached.
static mp_obj_t mp_usb_speed(void) {
    if (!tud_connected()) {
        return mp_const_none;
    }
    switch (tud_speed_get()) {
        case TUSB_SPEED_LOW:
            return MP_OBJ_NEW_QSTR(MP_QSTR_low);
        case TUSB_SPEED_HIGH:
            return MP_OBJ_NEW_QSTR(MP_QSTR_high);
        default:
            return MP_OBJ_NEW_QSTR(MP_QSTR_full);
    }
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_speed_obj, mp_usb_speed);

// usb.connected(): attached and a bus reset seen.
static mp_obj_t mp_usb_connected(void) {
    return mp_obj_new_bool(tud_connected());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_connected_obj, mp_usb_connected);

// usb.mounted(): configured by the host.
static mp_obj_t mp_usb_mounted(void) {
    return mp_obj_new_bool(tud_mounted());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_mounted_obj, mp_usb_mounted);

static mp_obj_t mp_usb_suspended(void) {
    return mp_obj_new_bool(tud_suspended());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_suspended_obj, mp_usb_suspended);

// usb.connect() / usb.disconnect(): attach or detach the D+ pull-up (the host sees a plug / unplug).
static mp_obj_t mp_usb_connect(void) {
    return mp_obj_new_bool(tud_connect());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_connect_obj, mp_usb_connect);

static mp_obj_t mp_usb_disconnect(void) {
    return mp_obj_new_bool(tud_disconnect());
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_disconnect_obj, mp_usb_disconnect);

// _usb.boot_status(): None when the saved configuration is presented, else why it is not.
static mp_obj_t mp_usb_boot_status(void) {
    const char *why = mprt_usb_desc_status();
    return why ? mp_obj_new_str(why, strlen(why)) : mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_boot_status_obj, mp_usb_boot_status);

static const mp_rom_map_elem_t mp_module_usb_c_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__usb) },
    { MP_ROM_QSTR(MP_QSTR_speed), MP_ROM_PTR(&mp_usb_speed_obj) },
    { MP_ROM_QSTR(MP_QSTR_connected), MP_ROM_PTR(&mp_usb_connected_obj) },
    { MP_ROM_QSTR(MP_QSTR_mounted), MP_ROM_PTR(&mp_usb_mounted_obj) },
    { MP_ROM_QSTR(MP_QSTR_suspended), MP_ROM_PTR(&mp_usb_suspended_obj) },
    { MP_ROM_QSTR(MP_QSTR_connect), MP_ROM_PTR(&mp_usb_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_disconnect), MP_ROM_PTR(&mp_usb_disconnect_obj) },
    { MP_ROM_QSTR(MP_QSTR_boot_status), MP_ROM_PTR(&mp_usb_boot_status_obj) },
    // hardware limits the configuration builder checks against
    { MP_ROM_QSTR(MP_QSTR_MAX_CDC), MP_ROM_INT(5) },
    { MP_ROM_QSTR(MP_QSTR_MAX_ENDPOINTS), MP_ROM_INT(15) },
};
static MP_DEFINE_CONST_DICT(mp_module_usb_c_globals, mp_module_usb_c_globals_table);

const mp_obj_module_t mp_module_usb_c = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mp_module_usb_c_globals,
};

MP_REGISTER_MODULE(MP_QSTR__usb, mp_module_usb_c);
