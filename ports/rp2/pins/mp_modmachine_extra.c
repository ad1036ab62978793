// The machine module's classes of our own, found through the module's attribute delegation (upstream's
// table is in ports/rp2/modmachine.c, which we compile by reference). One delegation per module: every
// class of ours that joins `machine` is listed here.
#include "py/runtime.h"

extern const mp_obj_type_t mprt_apin_type;

static const mp_rom_map_elem_t mprt_machine_extra_table[] = {
    { MP_ROM_QSTR(MP_QSTR_APin), MP_ROM_PTR(&mprt_apin_type) },
};
static MP_DEFINE_CONST_MAP(mprt_machine_extra_map, mprt_machine_extra_table);

void mprt_machine_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
void mprt_machine_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    (void)self_in;
    if (dest[0] != MP_OBJ_NULL) {
        return; // only loads
    }
    mp_map_elem_t *e = mp_map_lookup((mp_map_t *)&mprt_machine_extra_map, MP_OBJ_NEW_QSTR(attr), MP_MAP_LOOKUP);
    if (e != NULL) {
        dest[0] = e->value;
    }
}
MP_REGISTER_MODULE_DELEGATION(mp_module_machine, mprt_machine_attr);
