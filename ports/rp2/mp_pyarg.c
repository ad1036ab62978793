/*
 * CPython-style argument parsing (F22): mp_pyarg_parse_tuple() and
 * mp_pyarg_parse_tuple_and_keywords(), the format units of mp_pyarg.h. Written from CPython's
 * documentation ("Parsing arguments and building values") and its observed behaviour: the
 * messages are CPython's for the same mistake, as a CPython whose C long is 32 bits (this target)
 * gives them. tests/firmware/F22-pyarg compares both on a table made with CPython itself.
 */
#include <stdarg.h>
#include <string.h>

#include "py/objint.h"
#include "py/objstr.h"
#include "py/runtime.h"
#include "mp_pyarg.h"

// The parts of a format string: its units, where `|` and `$` are, the name after `:`.
typedef struct _pyarg_format_t {
    const char *units;
    size_t max;         // number of units
    size_t min;         // units before `|` (the required ones)
    size_t pos_max;     // units before `$` (the ones that may be positional)
    const char *fname;  // after `:`, or NULL
    int fname_len;
} pyarg_format_t;

static void format_scan(const char *format, pyarg_format_t *f) {
    f->units = format;
    f->max = 0;
    f->min = (size_t)-1;
    f->pos_max = (size_t)-1;
    f->fname = NULL;
    f->fname_len = 0;
    for (const char *p = format; *p; ++p) {
        if (*p == ':') {
            f->fname = p + 1;
            f->fname_len = strlen(p + 1);
            break;
        } else if (*p == '|') {
            f->min = f->max;
        } else if (*p == '$') {
            f->pos_max = f->max;
        } else if (*p != '#' && *p != '*' && *p != '!') {
            ++f->max;
        }
    }
    if (f->min > f->max) {
        f->min = f->max;
    }
    if (f->pos_max > f->max) {
        f->pos_max = f->max;
    }
}

// "NAME()" or "function", as CPython names the function in its messages.
static mp_obj_t func_name(const pyarg_format_t *f) {
    if (f->fname == NULL) {
        return MP_OBJ_NEW_QSTR(MP_QSTR_function);
    }
    vstr_t v;
    vstr_init(&v, f->fname_len + 2);
    vstr_add_strn(&v, f->fname, f->fname_len);
    vstr_add_str(&v, "()");
    return mp_obj_new_str_from_vstr(&v);
}

static const char *plural(size_t n) {
    return n == 1 ? "" : "s";
}

static NORETURN void arg_type_error(const pyarg_format_t *f, size_t argn, const char *expected, mp_obj_t got) {
    const char *got_name = got == mp_const_none ? "None" : mp_obj_get_type_str(got);
    if (f->fname == NULL) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("argument %u must be %s, not %s"),
            (unsigned)argn, expected, got_name);
    }
    mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%.*s() argument %u must be %s, not %s"),
        f->fname_len, f->fname, (unsigned)argn, expected, got_name);
}

static NORETURN void bytes_like_error(mp_obj_t got) {
    mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("a bytes-like object is required, not '%s'"),
        mp_obj_get_type_str(got));
}

static NORETURN void overflow(const char *msg) {
    mp_raise_msg_varg(&mp_type_OverflowError, MP_ERROR_TEXT("%s"), msg);
}

// The low 64 bits of an int; returns 0 if it fits int64_t, 1 if above, -1 if below.
static int int_bits(mp_obj_t o, uint64_t *bits) {
    if (mp_obj_is_small_int(o)) {
        *bits = (uint64_t)(int64_t)MP_OBJ_SMALL_INT_VALUE(o);
        return 0;
    }
    if (mp_obj_is_bool(o)) {
        *bits = o == mp_const_true;
        return 0;
    }
    byte buf[8];
    bool fits = mp_obj_int_to_bytes_impl(o, false, sizeof(buf), buf);
    *bits = 0;
    for (int k = 7; k >= 0; --k) {
        *bits = (*bits << 8) | buf[k];
    }
    if (mp_obj_int_sign(o) < 0) {
        return fits ? 0 : -1;
    }
    return fits && !(*bits >> 63) ? 0 : 1;
}

// An int for the units that take any integer (CPython's __index__ conversion).
static uint64_t get_index(mp_obj_t o, int *range) {
    if (!mp_obj_is_integer(o)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("'%s' object cannot be interpreted as an integer"),
            mp_obj_get_type_str(o));
    }
    uint64_t bits;
    *range = int_bits(o, &bits);
    return bits;
}

// A signed int that goes through C long first (32 bits here), then [lo, hi] for the unit.
static int32_t get_long(mp_obj_t o, const char *too_large) {
    int range;
    int64_t v = (int64_t)get_index(o, &range);
    if (range != 0 || v < INT32_MIN || v > INT32_MAX) {
        overflow(too_large);
    }
    return (int32_t)v;
}

static void check_range(int32_t v, int32_t lo, int32_t hi, const char *what) {
    if (v < lo) {
        mp_raise_msg_varg(&mp_type_OverflowError, MP_ERROR_TEXT("%s is less than minimum"), what);
    }
    if (v > hi) {
        mp_raise_msg_varg(&mp_type_OverflowError, MP_ERROR_TEXT("%s is greater than maximum"), what);
    }
}

// Bytes of a str (UTF-8) or of a bytes object, or NULL.
static const char *str_or_bytes_data(mp_obj_t o, size_t *len) {
    if (mp_obj_is_str_or_bytes(o)) {
        return mp_obj_str_get_data(o, len);
    }
    return NULL;
}

// The C objects of one unit, skipped (an absent optional argument before a keyword one).
static void skip_unit(const char **p, va_list *ap) {
    char c = *(*p)++;
    (void)va_arg(*ap, void *);
    if (**p == '#' || (c == 'O' && **p == '!')) {
        (void)va_arg(*ap, void *);
        ++*p;
    } else if (**p == '*') {
        ++*p;
    }
}

static void convert(const pyarg_format_t *f, const char **p, mp_obj_t arg, size_t argn, va_list *ap) {
    char c = *(*p)++;
    char mod = (**p == '#' || **p == '*' || **p == '!') ? *(*p)++ : 0;
    int range;
    switch (c) {
        case 'b': {
            int32_t v = get_long(arg, "Python int too large to convert to C long");
            check_range(v, 0, 255, "unsigned byte integer");
            *va_arg(*ap, unsigned char *) = (unsigned char)v;
            return;
        }
        case 'h': {
            int32_t v = get_long(arg, "Python int too large to convert to C long");
            check_range(v, -32768, 32767, "signed short integer");
            *va_arg(*ap, short *) = (short)v;
            return;
        }
        case 'i': {
            int32_t v = get_long(arg, "Python int too large to convert to C long");
            check_range(v, INT32_MIN, INT32_MAX, "signed integer");
            *va_arg(*ap, int *) = (int)v;
            return;
        }
        case 'l':
            *va_arg(*ap, long *) = get_long(arg, "Python int too large to convert to C long");
            return;
        case 'n':
            *va_arg(*ap, mp_int_t *) = get_long(arg, "Python int too large to convert to C ssize_t");
            return;
        case 'L': {
            uint64_t bits = get_index(arg, &range);
            if (range != 0) {
                overflow("int too big to convert");
            }
            *va_arg(*ap, long long *) = (long long)bits;
            return;
        }
        case 'B':
            *va_arg(*ap, unsigned char *) = (unsigned char)get_index(arg, &range);
            return;
        case 'H':
            *va_arg(*ap, unsigned short *) = (unsigned short)get_index(arg, &range);
            return;
        case 'I':
            *va_arg(*ap, unsigned int *) = (unsigned int)get_index(arg, &range);
            return;
        case 'k':
        case 'K': {
            // only an int itself (no __index__), and without an overflow check
            if (!mp_obj_is_integer(arg)) {
                arg_type_error(f, argn, "int", arg);
            }
            uint64_t bits;
            int_bits(arg, &bits);
            if (c == 'k') {
                *va_arg(*ap, unsigned long *) = (unsigned long)bits;
            } else {
                *va_arg(*ap, unsigned long long *) = bits;
            }
            return;
        }
        case 'f':
        case 'd': {
            mp_float_t v;
            if (!mp_obj_get_float_maybe(arg, &v)) {
                mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("must be real number, not %s"),
                    mp_obj_get_type_str(arg));
            }
            if (c == 'f') {
                *va_arg(*ap, float *) = (float)v;
            } else {
                *va_arg(*ap, double *) = (double)v;
            }
            return;
        }
        case 'p':
            *va_arg(*ap, int *) = mp_obj_is_true(arg);
            return;
        case 's':
        case 'z':
        case 'y': {
            if (mod == '*') {
                mp_pyarg_buffer_t *view = va_arg(*ap, mp_pyarg_buffer_t *);
                mp_buffer_info_t info;
                if ((c == 'y' && mp_obj_is_str(arg)) || !mp_get_buffer(arg, &info, MP_BUFFER_READ)) {
                    bytes_like_error(arg);
                }
                view->buf = info.buf;
                view->len = info.len;
                view->obj = arg;
                return;
            }
            const char **out = va_arg(*ap, const char **);
            size_t *out_len = mod == '#' ? va_arg(*ap, size_t *) : NULL;
            if (c == 'z' && arg == mp_const_none) {
                *out = NULL;
                if (out_len != NULL) {
                    *out_len = 0;
                }
                return;
            }
            size_t len;
            const char *data;
            if (mod == '#' || c == 'y') {
                // str (not for y) or bytes: an object whose bytes cannot change
                if ((c == 'y' && mp_obj_is_str(arg)) || !mp_obj_is_str_or_bytes(arg)) {
                    mp_buffer_info_t info;
                    if (mp_obj_is_str(arg) || !mp_get_buffer(arg, &info, MP_BUFFER_READ)) {
                        bytes_like_error(arg);
                    }
                    arg_type_error(f, argn, "read-only bytes-like object", arg);
                }
                data = str_or_bytes_data(arg, &len);
            } else {
                if (!mp_obj_is_str(arg)) {
                    arg_type_error(f, argn, c == 'z' ? "str or None" : "str", arg);
                }
                data = mp_obj_str_get_data(arg, &len);
            }
            if (out_len != NULL) {
                *out_len = len;
            } else if (memchr(data, 0, len) != NULL) {
                mp_raise_ValueError(c == 'y' ? MP_ERROR_TEXT("embedded null byte") : MP_ERROR_TEXT("embedded null character"));
            }
            *out = data;
            return;
        }
        case 'O':
            if (mod == '!') {
                const mp_obj_type_t *type = va_arg(*ap, const mp_obj_type_t *);
                // (bool is a subclass of int in CPython; MicroPython's types do not say so)
                if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(arg)), MP_OBJ_FROM_PTR(type))
                    && !(type == &mp_type_int && mp_obj_is_bool(arg))) {
                    arg_type_error(f, argn, qstr_str(type->name), arg);
                }
            }
            *va_arg(*ap, mp_obj_t *) = arg;
            return;
        default:
            mp_raise_msg_varg(&mp_type_RuntimeError, MP_ERROR_TEXT("bad format char '%c'"), c);
    }
}

// Moves `p` to the next unit (past `|` and `$`).
static void next_unit(const char **p) {
    while (**p == '|' || **p == '$') {
        ++*p;
    }
}

void mp_pyarg_parse_tuple(size_t n_args, const mp_obj_t *args, const char *format, ...) {
    pyarg_format_t f;
    format_scan(format, &f);
    if (n_args < f.min || n_args > f.max) {
        size_t n = n_args < f.min ? f.min : f.max;
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s takes %s %u argument%s (%u given)"),
            mp_obj_str_get_str(func_name(&f)),
            f.min == f.max ? "exactly" : n_args < f.min ? "at least" : "at most",
            (unsigned)n, plural(n), (unsigned)n_args);
    }
    va_list ap;
    va_start(ap, format);
    const char *p = format;
    for (size_t i = 0; i < n_args; ++i) {
        next_unit(&p);
        convert(&f, &p, args[i], i + 1, &ap);
    }
    va_end(ap);
}

// The value of keyword `name` in `kw`, or MP_OBJ_NULL.
static mp_obj_t kw_lookup(mp_map_t *kw, const char *name) {
    for (size_t k = 0; kw != NULL && k < kw->alloc; ++k) {
        if (mp_map_slot_is_filled(kw, k) && strcmp(mp_obj_str_get_str(kw->table[k].key), name) == 0) {
            return kw->table[k].value;
        }
    }
    return MP_OBJ_NULL;
}

void mp_pyarg_parse_tuple_and_keywords(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args,
    const char *format, const char *const *keywords, ...) {
    pyarg_format_t f;
    format_scan(format, &f);
    size_t n_kw = kw_args == NULL ? 0 : kw_args->used;
    if (n_args + n_kw > f.max) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s takes at most %u %sargument%s (%u given)"),
            mp_obj_str_get_str(func_name(&f)), (unsigned)f.max, n_args == 0 ? "keyword " : "", plural(f.max),
            (unsigned)(n_args + n_kw));
    }
    if (n_args > f.pos_max) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s takes %s %u positional argument%s (%u given)"),
            mp_obj_str_get_str(func_name(&f)), f.min < f.pos_max ? "at most" : "exactly",
            (unsigned)f.pos_max, plural(f.pos_max), (unsigned)n_args);
    }

    va_list ap;
    va_start(ap, keywords);
    const char *p = format;
    size_t kw_left = n_kw;
    for (size_t i = 0; i < f.max; ++i) {
        next_unit(&p);
        mp_obj_t arg = MP_OBJ_NULL;
        if (i < n_args) {
            arg = args[i];
        } else if (kw_left > 0) {
            arg = kw_lookup(kw_args, keywords[i]);
            if (arg != MP_OBJ_NULL) {
                --kw_left;
            }
        }
        if (arg != MP_OBJ_NULL) {
            convert(&f, &p, arg, i + 1, &ap);
        } else if (i < f.min) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("%s missing required argument '%s' (pos %u)"),
                mp_obj_str_get_str(func_name(&f)), keywords[i], (unsigned)(i + 1));
        } else if (kw_left == 0) {
            break; // nothing more to convert: the rest keep their values
        } else {
            skip_unit(&p, &ap);
        }
    }
    va_end(ap);

    if (kw_left == 0) {
        return;
    }
    for (size_t i = 0; i < n_args; ++i) {
        if (kw_lookup(kw_args, keywords[i]) != MP_OBJ_NULL) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("argument for %s given by name ('%s') and position (%u)"),
                mp_obj_str_get_str(func_name(&f)), keywords[i], (unsigned)(i + 1));
        }
    }
    for (size_t k = 0; k < kw_args->alloc; ++k) {
        if (!mp_map_slot_is_filled(kw_args, k)) {
            continue;
        }
        const char *name = mp_obj_str_get_str(kw_args->table[k].key);
        bool known = false;
        for (size_t i = 0; i < f.max && !known; ++i) {
            known = strcmp(keywords[i], name) == 0;
        }
        if (!known) {
            mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("'%s' is an invalid keyword argument for %s"),
                name, f.fname == NULL ? "this function" : mp_obj_str_get_str(func_name(&f)));
        }
    }
}

void mp_pyarg_buffer_release(mp_pyarg_buffer_t *view) {
    // MicroPython objects do not count exports: nothing to give back, only forget the object.
    view->buf = NULL;
    view->len = 0;
    view->obj = MP_OBJ_NULL;
}
