// MicroPythonRT rp2 port: the machine module = upstream's rp2 modmachine.c plus our entries. Included by
// extmod/modmachine.c (MICROPY_PY_MACHINE_INCLUDEFILE) before it builds the module's table from
// MICROPY_PY_MACHINE_EXTRA_GLOBALS, which is upstream's list followed by ours.
#include "ports/rp2/modmachine.c"

// machine.PioStateMachine, machine.AudioOutPwm (ports/rp2/pio/mp_machine_pio.c)
extern const mp_obj_fun_builtin_fixed_t mprt_machine_getattr_obj;
#if MPRT_POSIX
// machine.APin (ports/rp2/pins/mp_apin.c: a file of the fd layer, so only with it)
extern const mp_obj_type_t mprt_apin_type;
#define MPRT_MACHINE_APIN { MP_ROM_QSTR(MP_QSTR_APin), MP_ROM_PTR(&mprt_apin_type) },
#else
#define MPRT_MACHINE_APIN
#endif

#undef MICROPY_PY_MACHINE_EXTRA_GLOBALS
#define MICROPY_PY_MACHINE_EXTRA_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_Pin),                 MP_ROM_PTR(&machine_pin_type) }, \
    { MP_ROM_QSTR(MP_QSTR_RTC),                 MP_ROM_PTR(&machine_rtc_type) }, \
    { MP_ROM_QSTR(MP_QSTR_Timer),               MP_ROM_PTR(&machine_timer_type) }, \
    \
    { MP_ROM_QSTR(MP_QSTR_PWRON_RESET),         MP_ROM_INT(RP2_RESET_PWRON) }, \
    { MP_ROM_QSTR(MP_QSTR_WDT_RESET),           MP_ROM_INT(RP2_RESET_WDT) }, \
    \
    MPRT_MACHINE_APIN \
    { MP_ROM_QSTR(MP_QSTR___getattr__),         MP_ROM_PTR(&mprt_machine_getattr_obj) }, \

