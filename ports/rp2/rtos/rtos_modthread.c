// MicroPythonRT rp2 port, with a kernel: MicroPythonRT's higher-level names in _thread (Thread,
// current_thread, main_thread, enumerate, RLock, local: the frozen threading module's, Thread with
// MicroPythonRT's arguments (target, name, args, kwargs)), interrupt_main(signum=SIGINT), and what
// threading needs from C: the calling thread's dict of thread-local data (_locals) and the main thread's
// ident (_main_ident). _thread's own table is upstream's (py/modthread.c); these come through module
// attribute delegation.
#include "py/runtime.h"
#include "py/mpthread.h"
#include "py/builtin.h"

mp_obj_t mprt_thread_locals(void);
mp_uint_t mprt_thread_main_id(void);
extern const mp_obj_fun_builtin_var_t mprt_thread_interrupt_main_obj; // ports/rp2/posix/mp_modsignal.c

static mp_obj_t thread_locals(void) {
    return mprt_thread_locals();
}
static MP_DEFINE_CONST_FUN_OBJ_0(thread_locals_obj, thread_locals);

static mp_obj_t thread_main_ident(void) {
    return mp_obj_new_int_from_uint(mprt_thread_main_id());
}
static MP_DEFINE_CONST_FUN_OBJ_0(thread_main_ident_obj, thread_main_ident);

void mprt_thread_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
void mprt_thread_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    (void)self_in;
    if (dest[0] != MP_OBJ_NULL) {
        return; // only loads
    }
    switch (attr) {
        case MP_QSTR__locals:
            dest[0] = MP_OBJ_FROM_PTR(&thread_locals_obj);
            return;
        case MP_QSTR__main_ident:
            dest[0] = MP_OBJ_FROM_PTR(&thread_main_ident_obj);
            return;
        case MP_QSTR_interrupt_main:
            dest[0] = MP_OBJ_FROM_PTR(&mprt_thread_interrupt_main_obj);
            return;
        case MP_QSTR_Thread:
            attr = MP_QSTR__RTThread;
            break;
        case MP_QSTR_current_thread:
        case MP_QSTR_main_thread:
        case MP_QSTR_enumerate:
        case MP_QSTR_RLock:
        case MP_QSTR_local:
            break;
        default:
            return;
    }
    mp_obj_t threading = mp_import_name(MP_QSTR_threading, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    dest[0] = mp_load_attr(threading, attr);
}
MP_REGISTER_MODULE_DELEGATION(mp_module_thread, mprt_thread_attr);
