// MicroPythonRT rp2 port: the time module's CPython part on Picolibc's time functions (F21, docs/time.md).
// Included into MicroPython's extmod/modtime.c (MICROPY_PY_TIME_INCLUDEFILE), which keeps its sleep,
// sleep_ms, sleep_us and ticks_* functions; the rest come from MICROPY_PY_TIME_EXTRA_GLOBALS below:
// time time_ns monotonic monotonic_ns gmtime localtime mktime asctime ctime strftime strptime tzset
// clock_gettime clock_gettime_ns clock_settime clock_settime_ns clock_getres, the CLOCK_* ids,
// struct_time, and timezone altzone daylight tzname (module __getattr__: they follow tzset()).
// Local time is Picolibc's localtime_r with TZ from the persistent environment (ports/rp2/env): a POSIX
// TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". Wall time is the RTC-backed clock of mphalport.c
// (ports/rp2/time/mprt_clock.c). Floats are single precision on this port, so time() and mktime()
// return int seconds (CPython: float); time_ns() is exact.
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include "py/runtime.h"
#include "py/objtuple.h"
#include "py/objint.h"
#include "py/mphal.h"
#include <sys/_tz_structs.h>
#include "mprt_clock.h"

// ---- struct_time: a 9-tuple with tm_* attributes, plus tm_zone and tm_gmtoff (not in the tuple) ----

#define ST_FIELDS (9)
#define ST_ZONE (9)
#define ST_GMTOFF (10)

static const qstr st_names[] = {
    MP_QSTR_tm_year, MP_QSTR_tm_mon, MP_QSTR_tm_mday, MP_QSTR_tm_hour, MP_QSTR_tm_min, MP_QSTR_tm_sec,
    MP_QSTR_tm_wday, MP_QSTR_tm_yday, MP_QSTR_tm_isdst, MP_QSTR_tm_zone, MP_QSTR_tm_gmtoff,
};

static const mp_obj_type_t time_struct_time_type;

static mp_obj_tuple_t *st_new(void) {
    mp_obj_tuple_t *t = m_new_obj_var(mp_obj_tuple_t, items, mp_obj_t, ST_FIELDS + 2);
    t->base.type = &time_struct_time_type;
    t->len = ST_FIELDS;
    t->items[ST_ZONE] = mp_const_none;
    t->items[ST_GMTOFF] = mp_const_none;
    return t;
}

static void st_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(self_in);
    mp_print_str(print, "time.struct_time(");
    for (size_t i = 0; i < ST_FIELDS; i++) {
        mp_printf(print, "%s%q=", i ? ", " : "", st_names[i]);
        mp_obj_print_helper(print, t->items[i], PRINT_REPR);
    }
    mp_print_str(print, ")");
}

static void st_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return; // read-only
    }
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(self_in);
    for (size_t i = 0; i < MP_ARRAY_SIZE(st_names); i++) {
        if (st_names[i] == attr) {
            dest[0] = t->items[i];
            return;
        }
    }
    if (attr == MP_QSTR_n_fields || attr == MP_QSTR_n_sequence_fields) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(attr == MP_QSTR_n_fields ? ST_FIELDS + 2 : ST_FIELDS);
    }
}

// The items of a struct_time, tuple or list.
static void get_items(mp_obj_t o, size_t *n, mp_obj_t **items) {
    if (mp_obj_is_type(o, &time_struct_time_type)) {
        mp_obj_tuple_get(o, n, items);
    } else {
        mp_obj_get_array(o, n, items);
    }
}

// struct_time(sequence of 9 (or 11: with tm_zone and tm_gmtoff))
static mp_obj_t st_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    (void)type;
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    size_t n;
    mp_obj_t *items;
    get_items(args[0], &n, &items);
    if (n < ST_FIELDS || n > ST_FIELDS + 2) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("time.struct_time() takes a 9-sequence (%d-sequence given)"), (int)n);
    }
    mp_obj_tuple_t *t = st_new();
    memcpy(t->items, items, n * sizeof(mp_obj_t));
    return MP_OBJ_FROM_PTR(t);
}

static MP_DEFINE_CONST_OBJ_TYPE(
    time_struct_time_type,
    MP_QSTR_struct_time,
    MP_TYPE_FLAG_ITER_IS_GETITER | MP_TYPE_FLAG_EQ_CHECKS_OTHER_TYPE,
    make_new, st_make_new,
    print, st_print,
    unary_op, mp_obj_tuple_unary_op,
    binary_op, mp_obj_tuple_binary_op,
    attr, st_attr,
    subscr, mp_obj_tuple_subscr,
    iter, mp_obj_tuple_getiter,
    parent, &mp_type_tuple
    );

// A struct_time from a C struct tm (CPython's numbering: month 1-12, Monday=0, yday from 1).
static mp_obj_t st_from_tm(const struct tm *tm, const char *zone, long gmtoff) {
    mp_obj_tuple_t *t = st_new();
    int v[ST_FIELDS] = {
        tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
        (tm->tm_wday + 6) % 7, tm->tm_yday + 1, tm->tm_isdst,
    };
    for (size_t i = 0; i < ST_FIELDS; i++) {
        t->items[i] = mp_obj_new_int(v[i]);
    }
    t->items[ST_ZONE] = mp_obj_new_str(zone, strlen(zone));
    t->items[ST_GMTOFF] = mp_obj_new_int(gmtoff);
    return MP_OBJ_FROM_PTR(t);
}

// A struct tm from a struct_time or a tuple of 9 (or MicroPython's 8: isdst -1).
static void tm_from_obj(mp_obj_t o, struct tm *tm) {
    size_t n;
    mp_obj_t *items;
    get_items(o, &n, &items);
    if (n != 8 && n != ST_FIELDS) {
        mp_raise_TypeError(MP_ERROR_TEXT("function takes a 9-sequence"));
    }
    memset(tm, 0, sizeof(*tm));
    tm->tm_year = mp_obj_get_int(items[0]) - 1900;
    tm->tm_mon = mp_obj_get_int(items[1]) - 1;
    tm->tm_mday = mp_obj_get_int(items[2]);
    tm->tm_hour = mp_obj_get_int(items[3]);
    tm->tm_min = mp_obj_get_int(items[4]);
    tm->tm_sec = mp_obj_get_int(items[5]);
    tm->tm_wday = (mp_obj_get_int(items[6]) + 1) % 7;
    tm->tm_yday = mp_obj_get_int(items[7]) - 1;
    tm->tm_isdst = n == ST_FIELDS ? mp_obj_get_int(items[8]) : -1;
}

// ---- seconds ----

static mp_obj_t new_int64(int64_t v) {
    return mp_obj_new_int_from_ll(v);
}

static int64_t get_int64(mp_obj_t o) {
    if (mp_obj_is_small_int(o)) {
        return MP_OBJ_SMALL_INT_VALUE(o);
    }
    #if MICROPY_PY_BUILTINS_FLOAT
    if (mp_obj_is_float(o)) {
        mp_float_t f = mp_obj_get_float(o);
        if (!isfinite(f)) {
            mp_raise_ValueError(MP_ERROR_TEXT("invalid value"));
        }
        return (int64_t)MICROPY_FLOAT_C_FUN(floor)(f);
    }
    #endif
    if (!mp_obj_is_int(o)) {
        mp_raise_msg_varg(&mp_type_TypeError, MP_ERROR_TEXT("'%s' object cannot be interpreted as an integer"), mp_obj_get_type_str(o));
    }
    int64_t v = 0;
    mp_obj_int_to_bytes_impl(o, false, sizeof(v), (byte *)&v);
    return v;
}

// Seconds from an optional argument: None or absent = now.
static time_t secs_arg(size_t n_args, const mp_obj_t *args) {
    if (n_args == 0 || args[0] == mp_const_none) {
        return (time_t)(mp_hal_time_ns() / 1000000000u);
    }
    return (time_t)get_int64(args[0]);
}

static mp_obj_t mp_time_time_get(void) {
    return new_int64(mp_hal_time_ns() / 1000000000u);
}

// monotonic(): float seconds since power-up; monotonic_ns()
static mp_obj_t time_monotonic(void) {
    return mp_obj_new_float((mp_float_t)(time_us_64() / 1e6));
}
static MP_DEFINE_CONST_FUN_OBJ_0(time_monotonic_obj, time_monotonic);

static mp_obj_t time_monotonic_ns(void) {
    return new_int64(time_us_64() * 1000);
}
static MP_DEFINE_CONST_FUN_OBJ_0(time_monotonic_ns_obj, time_monotonic_ns);

// ---- calendar ----

static mp_obj_t time_gmtime(size_t n_args, const mp_obj_t *args) {
    time_t t = secs_arg(n_args, args);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("timestamp out of range for platform time_t"));
    }
    return st_from_tm(&tm, "GMT", 0); // as glibc (CPython on Linux)
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_gmtime_obj, 0, 1, time_gmtime);

// 400 Gregorian years: the calendar, weekdays included, and so every POSIX TZ rule repeat after them.
// Picolibc gives no DST before 1970, so earlier instants are converted 400 years later.
#define GREGORIAN_CYCLE_SECS ((time_t)146097 * 86400)
#define GREGORIAN_CYCLE_YEARS (400)

static mp_obj_t local_struct_time(time_t t) {
    struct tm tm;
    time_t shifted = t < 0 ? t + GREGORIAN_CYCLE_SECS : t;
    if (localtime_r(&shifted, &tm) == NULL) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("timestamp out of range for platform time_t"));
    }
    // the offset from UTC: the local fields read as UTC, minus the instant
    struct tm copy = tm;
    long gmtoff = (long)(timegm(&copy) - shifted);
    if (shifted != t) {
        tm.tm_year -= GREGORIAN_CYCLE_YEARS;
    }
    return st_from_tm(&tm, _tzname[tm.tm_isdst > 0], gmtoff);
}

static mp_obj_t time_localtime(size_t n_args, const mp_obj_t *args) {
    return local_struct_time(secs_arg(n_args, args));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_localtime_obj, 0, 1, time_localtime);

static mp_obj_t time_mktime(mp_obj_t tuple) {
    struct tm tm;
    tm_from_obj(tuple, &tm);
    // before 1970: 400 years later, as localtime
    bool early = tm.tm_year < 70;
    if (early) {
        tm.tm_year += GREGORIAN_CYCLE_YEARS;
    }
    tm.tm_wday = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && tm.tm_wday == -1) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("mktime argument out of range"));
    }
    return new_int64(early ? t - GREGORIAN_CYCLE_SECS : t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(time_mktime_obj, time_mktime);

static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static mp_obj_t format_asctime(const struct tm *tm) {
    vstr_t v;
    vstr_init(&v, 26);
    mp_print_t p;
    vstr_init_print(&v, 26, &p);
    mp_printf(&p, "%s %s%3d %02d:%02d:%02d %d", day_names[((tm->tm_wday % 7) + 7) % 7],
        month_names[((tm->tm_mon % 12) + 12) % 12], tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, tm->tm_year + 1900);
    return mp_obj_new_str_from_vstr(&v);
}

// asctime([t]), ctime([secs])
static mp_obj_t time_asctime(size_t n_args, const mp_obj_t *args) {
    struct tm tm;
    tm_from_obj(n_args == 0 ? local_struct_time(secs_arg(0, NULL)) : args[0], &tm);
    return format_asctime(&tm);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_asctime_obj, 0, 1, time_asctime);

static mp_obj_t time_ctime(size_t n_args, const mp_obj_t *args) {
    time_t t = secs_arg(n_args, args);
    struct tm tm;
    localtime_r(&t, &tm);
    return format_asctime(&tm);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_ctime_obj, 0, 1, time_ctime);

// strftime(format[, t]): Picolibc's; %Z and %z come from the struct_time's tm_zone/tm_gmtoff when it has
// them (as CPython), since Picolibc's struct tm has no such fields and would give the local zone's.
static mp_obj_t time_strftime(size_t n_args, const mp_obj_t *args) {
    mp_obj_t t_in = n_args > 1 ? args[1] : local_struct_time(secs_arg(0, NULL));
    struct tm tm;
    tm_from_obj(t_in, &tm);
    // CPython's checks of the fields it formats
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 0 || tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23
        || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 61 || tm.tm_yday < -1 || tm.tm_yday > 365) {
        mp_raise_ValueError(MP_ERROR_TEXT("strftime() argument out of range"));
    }
    if (tm.tm_yday < 0) {
        tm.tm_yday = 0;
    }
    size_t flen;
    const char *fmt = mp_obj_str_get_data(args[0], &flen);
    mp_obj_t zone = mp_const_none, gmtoff = mp_const_none;
    if (mp_obj_is_type(t_in, &time_struct_time_type)) {
        mp_obj_tuple_t *t = MP_OBJ_TO_PTR(t_in);
        zone = t->items[ST_ZONE];
        gmtoff = t->items[ST_GMTOFF];
    }
    vstr_t f;
    vstr_init(&f, flen + 8);
    for (size_t i = 0; i < flen; i++) {
        if (fmt[i] == '%' && i + 1 < flen && fmt[i + 1] == 'Z' && zone != mp_const_none) {
            for (const char *z = mp_obj_str_get_str(zone); *z; z++) {
                vstr_add_strn(&f, *z == '%' ? "%%" : z, *z == '%' ? 2 : 1);
            }
            i++;
        } else if (fmt[i] == '%' && i + 1 < flen && fmt[i + 1] == 'z' && gmtoff != mp_const_none) {
            mp_int_t off = mp_obj_get_int(gmtoff);
            char buf[8];
            mp_int_t a = off < 0 ? -off : off;
            snprintf(buf, sizeof(buf), "%c%02d%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
            vstr_add_str(&f, buf);
            i++;
        } else {
            vstr_add_byte(&f, fmt[i]);
            if (fmt[i] == '%' && i + 1 < flen) {
                vstr_add_byte(&f, fmt[++i]);
            }
        }
    }
    const char *cfmt = vstr_null_terminated_str(&f);
    size_t cap = 64;
    for (;;) {
        char *buf = m_new(char, cap);
        size_t n = strftime(buf, cap, cfmt, &tm);
        if (n > 0 || f.len == 0 || cap >= 256 * (f.len + 1)) {
            mp_obj_t r = mp_obj_new_str(buf, n);
            m_del(char, buf, cap);
            vstr_clear(&f);
            return r;
        }
        m_del(char, buf, cap);
        cap *= 4;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_strftime_obj, 1, 2, time_strftime);

// Days from 1970-01-01 of a proleptic Gregorian date (month 1-12).
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// strptime(string, format="%a %b %d %H:%M:%S %Y"): Picolibc's parser; the fields it does not set are
// CPython's defaults (1900-01-01 00:00:00), weekday and day of the year computed from the date, isdst -1.
static mp_obj_t time_strptime(size_t n_args, const mp_obj_t *args) {
    const char *s = mp_obj_str_get_str(args[0]);
    const char *fmt = n_args > 1 ? mp_obj_str_get_str(args[1]) : "%a %b %d %H:%M:%S %Y";
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_mday = 1;
    const char *end = strptime(s, fmt, &tm);
    if (end == NULL || *end != 0) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("time data %R does not match format %R"), args[0],
            n_args > 1 ? args[1] : MP_OBJ_NEW_QSTR(MP_QSTR_));
    }
    static const uint8_t month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = tm.tm_year + 1900;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0 || tm.tm_hour > 23
        || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 61) {
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("time data %R does not match format %R"), args[0],
            n_args > 1 ? args[1] : MP_OBJ_NEW_QSTR(MP_QSTR_));
    }
    if (tm.tm_mday > month_days[tm.tm_mon] || (tm.tm_mon == 1 && tm.tm_mday == 29 && !leap)) {
        mp_raise_ValueError(MP_ERROR_TEXT("day is out of range for month"));
    }
    int64_t days = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    tm.tm_wday = (int)(((days + 4) % 7 + 7) % 7);
    tm.tm_yday = (int)(days - days_from_civil(tm.tm_year + 1900, 1, 1));
    tm.tm_isdst = -1;
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(st_from_tm(&tm, "", 0));
    t->items[ST_ZONE] = mp_const_none;
    t->items[ST_GMTOFF] = mp_const_none;
    return MP_OBJ_FROM_PTR(t);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(time_strptime_obj, 1, 2, time_strptime);

// tzset(): TZ from the environment again (Picolibc's tzset reads it with getenv, which is the store's)
static mp_obj_t time_tzset(void) {
    tzset();
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_0(time_tzset_obj, time_tzset);

// timezone altzone daylight tzname: Picolibc's values after the last tzset() (or localtime())
static mp_obj_t time_getattr(mp_obj_t attr_in) {
    qstr attr = mp_obj_str_get_qstr(attr_in);
    switch (attr) {
        case MP_QSTR_timezone:
            return mp_obj_new_int(_timezone);
        case MP_QSTR_altzone: {
            // Picolibc keeps the DST offset in its tz rules: the standard offset minus the DST saving
            __tzinfo_type *tz = __gettzinfo();
            return mp_obj_new_int(_daylight ? tz->__tzrule[1].offset : _timezone);
        }
        case MP_QSTR_daylight:
            return mp_obj_new_int(_daylight);
        case MP_QSTR_tzname: {
            mp_obj_t names[2] = {
                mp_obj_new_str(_tzname[0], strlen(_tzname[0])), mp_obj_new_str(_tzname[1], strlen(_tzname[1])),
            };
            return mp_obj_new_tuple(2, names);
        }
        default:
            // not found: the caller raises AttributeError (or, looking for __init__, carries on)
            return MP_OBJ_NULL;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_1(time_getattr_obj, time_getattr);

// ---- POSIX clocks ----

static clockid_t clock_arg(mp_obj_t o) {
    return (clockid_t)mp_obj_get_int(o);
}

static void clock_check(int r) {
    if (r != 0) {
        mp_raise_OSError(errno);
    }
}

static mp_obj_t time_clock_gettime_ns(mp_obj_t id) {
    struct timespec ts;
    clock_check(clock_gettime(clock_arg(id), &ts));
    return new_int64((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}
static MP_DEFINE_CONST_FUN_OBJ_1(time_clock_gettime_ns_obj, time_clock_gettime_ns);

// clock_gettime(id): float seconds, but int whole seconds for CLOCK_REALTIME (single-precision floats
// cannot hold today's date to the second)
static mp_obj_t time_clock_gettime(mp_obj_t id) {
    struct timespec ts;
    clock_check(clock_gettime(clock_arg(id), &ts));
    if (clock_arg(id) == CLOCK_REALTIME) {
        return new_int64(ts.tv_sec);
    }
    return mp_obj_new_float((mp_float_t)(ts.tv_sec + ts.tv_nsec / 1e9));
}
static MP_DEFINE_CONST_FUN_OBJ_1(time_clock_gettime_obj, time_clock_gettime);

static mp_obj_t time_clock_settime_ns(mp_obj_t id, mp_obj_t ns_in) {
    int64_t ns = get_int64(ns_in);
    struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000) };
    if (ts.tv_nsec < 0) {
        ts.tv_sec--;
        ts.tv_nsec += 1000000000;
    }
    clock_check(clock_settime(clock_arg(id), &ts));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(time_clock_settime_ns_obj, time_clock_settime_ns);

static mp_obj_t time_clock_settime(mp_obj_t id, mp_obj_t secs) {
    struct timespec ts = { .tv_sec = (time_t)get_int64(secs), .tv_nsec = 0 };
    clock_check(clock_settime(clock_arg(id), &ts));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(time_clock_settime_obj, time_clock_settime);

static mp_obj_t time_clock_getres(mp_obj_t id) {
    struct timespec ts;
    clock_check(clock_getres(clock_arg(id), &ts));
    return mp_obj_new_float((mp_float_t)(ts.tv_sec + ts.tv_nsec / 1e9));
}
static MP_DEFINE_CONST_FUN_OBJ_1(time_clock_getres_obj, time_clock_getres);

#define MICROPY_PY_TIME_EXTRA_GLOBALS \
    { MP_ROM_QSTR(MP_QSTR_monotonic), MP_ROM_PTR(&time_monotonic_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_monotonic_ns), MP_ROM_PTR(&time_monotonic_ns_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_gmtime), MP_ROM_PTR(&time_gmtime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_localtime), MP_ROM_PTR(&time_localtime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_mktime), MP_ROM_PTR(&time_mktime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_asctime), MP_ROM_PTR(&time_asctime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_ctime), MP_ROM_PTR(&time_ctime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_strftime), MP_ROM_PTR(&time_strftime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_strptime), MP_ROM_PTR(&time_strptime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_tzset), MP_ROM_PTR(&time_tzset_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_struct_time), MP_ROM_PTR(&time_struct_time_type) }, \
    { MP_ROM_QSTR(MP_QSTR_clock_gettime), MP_ROM_PTR(&time_clock_gettime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_clock_gettime_ns), MP_ROM_PTR(&time_clock_gettime_ns_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_clock_settime), MP_ROM_PTR(&time_clock_settime_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_clock_settime_ns), MP_ROM_PTR(&time_clock_settime_ns_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_clock_getres), MP_ROM_PTR(&time_clock_getres_obj) }, \
    { MP_ROM_QSTR(MP_QSTR_CLOCK_REALTIME), MP_ROM_INT(CLOCK_REALTIME) }, \
    { MP_ROM_QSTR(MP_QSTR_CLOCK_MONOTONIC), MP_ROM_INT(CLOCK_MONOTONIC) }, \
    { MP_ROM_QSTR(MP_QSTR___getattr__), MP_ROM_PTR(&time_getattr_obj) },
