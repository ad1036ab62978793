// MicroPythonRT rp2 port: machine.PioStateMachine and machine.AudioOutPwm. The classes are Python
// (ports/rp2/pio/modules/_pio.py, frozen); machine's __getattr__ (MICROPY_MODULE_GETATTR) finds them
// there on first use, so the machine module's table stays in ROM and `import machine` costs nothing more.
#include "py/runtime.h"
#include "py/builtin.h"

static mp_obj_t mprt_machine_getattr(mp_obj_t attr_in) {
    qstr attr = mp_obj_str_get_qstr(attr_in);
    if (attr == MP_QSTR_PioStateMachine || attr == MP_QSTR_AudioOutPwm) {
        mp_obj_t mod = mp_import_name(MP_QSTR__pio, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        return mp_load_attr(mod, attr);
    }
    // not ours: MP_OBJ_NULL is "no such attribute" to the module's attribute lookup (objmodule.c), which
    // also asks for names like __init__ when the module is imported and must not see an exception
    return MP_OBJ_NULL;
}
MP_DEFINE_CONST_FUN_OBJ_1(mprt_machine_getattr_obj, mprt_machine_getattr);
