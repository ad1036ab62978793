// select.poll objects seen from other parts of the port (ports/rp2/posix/mp_modselect.c).
#ifndef MPRT_INCLUDED_MP_MODSELECT_H
#define MPRT_INCLUDED_MP_MODSELECT_H

#include "py/obj.h"

#if MPRT_POSIX
// A new select.poll object, as select.poll() returns.
mp_obj_t mp_select_poll_new(void);
// Whether obj is a select.poll object with nothing registered (freeze: a template made again).
bool mp_select_poll_is_empty(mp_obj_t obj);
#else
static inline bool mp_select_poll_is_empty(mp_obj_t obj) {
    (void)obj;
    return false;
}
#endif

#endif
