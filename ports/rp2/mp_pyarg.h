/*
 * mp_pyarg.h: argument parsing for C functions modelled on CPython's PyArg_ParseTuple and
 * PyArg_ParseTupleAndKeywords (F22), for the firmware and for loadable native modules (exported;
 * the header is in the module SDK). Same format strings, same error messages; errors are raised
 * (nlr), so the functions return only on success. See docs/pyarg.md.
 *
 * Format units and the C objects they write (pointers passed after the format, in order):
 *   b  unsigned char     int in [0, 255], else OverflowError
 *   B  unsigned char     int, low 8 bits (no overflow check)
 *   h  short             int in [-32768, 32767]
 *   H  unsigned short    int, low 16 bits
 *   i  int               int in [INT_MIN, INT_MAX]
 *   I  unsigned int      int, low 32 bits
 *   l  long              int in [LONG_MIN, LONG_MAX]
 *   k  unsigned long     int (exactly), low bits
 *   L  long long         int in the 64-bit range
 *   K  unsigned long long  int (exactly), low 64 bits
 *   n  mp_int_t          int in the mp_int_t range (CPython's Py_ssize_t)
 *   f  float, d double   int or float
 *   p  int               0 or 1: the truth of any object
 *   s  const char *      str without NUL characters (UTF-8)
 *   z  const char *      as s, or None (NULL)
 *   s# const char *, size_t   str (UTF-8) or bytes
 *   z# const char *, size_t   as s#, or None (NULL, 0)
 *   y  const char *      bytes without NUL bytes
 *   y# const char *, size_t   bytes
 *   y* mp_pyarg_buffer_t      any bytes-like object but str; release with mp_pyarg_buffer_release()
 *   s* mp_pyarg_buffer_t      str (UTF-8) or any bytes-like object; release likewise
 *   O  mp_obj_t          any object
 *   O! const mp_obj_type_t *, mp_obj_t   an instance of that type (or a subclass)
 * and: `|` the units after it are optional (their C objects keep what they held), `$` the units
 * after it are keyword-only (mp_pyarg_parse_tuple_and_keywords), `:name` the function's name for
 * error messages (ends the format).
 */
#ifndef MPRT_INCLUDED_MP_PYARG_H
#define MPRT_INCLUDED_MP_PYARG_H

#include "py/obj.h"

// What y* and s* give: the bytes of the object `obj`, valid while `obj` is.
typedef struct _mp_pyarg_buffer_t {
    void *buf;
    size_t len;
    mp_obj_t obj;
} mp_pyarg_buffer_t;

// Positional arguments only (a function defined with MP_DEFINE_CONST_FUN_OBJ_VAR*).
void mp_pyarg_parse_tuple(size_t n_args, const mp_obj_t *args, const char *format, ...);

// Positional and keyword arguments (MP_DEFINE_CONST_FUN_OBJ_KW); `keywords` names every unit in
// order and ends with NULL. `kw_args` may be NULL.
void mp_pyarg_parse_tuple_and_keywords(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args,
    const char *format, const char *const *keywords, ...);

// Ends the use of a y* or s* buffer (CPython's PyBuffer_Release).
void mp_pyarg_buffer_release(mp_pyarg_buffer_t *view);

#endif // MPRT_INCLUDED_MP_PYARG_H
