// MicroPythonRT rp2 port: the environment's os functions (mp_modos_env.c).
#ifndef MPRT_MP_MODOS_ENV_H
#define MPRT_MP_MODOS_ENV_H

#include "py/obj.h"

// Adds getenv, putenv, unsetenv and environ to the os module's globals.
void mprt_os_env_extend(mp_obj_t globals);

#endif // MPRT_MP_MODOS_ENV_H
