// MicroPythonRT rp2 port: the termios module (CPython's names on lib/posix's <termios.h>): tcgetattr,
// tcsetattr, tcdrain, tcflush and the constants, for tty fds (/dev/ttyS0, docs/vfs.md). The attribute
// list is CPython's: [iflag, oflag, cflag, lflag, ispeed, ospeed, cc], cc a list of NCCS one-byte bytes
// (VMIN and VTIME ints without ICANON; tcsetattr takes either). termios.error is OSError (CPython: a class of its own).
#include <errno.h>
#include <termios.h>
#include "py/runtime.h"
#include "py/objlist.h"
#include "posix.h"
#include "mp_posix.h"
#include "mp_vfs_posix.h"

static int fd_of(mp_obj_t obj) {
    if (!mp_obj_is_int(obj)) {
        // a file object: its fileno(), as CPython takes it
        mp_obj_t dest[2];
        mp_load_method(obj, MP_QSTR_fileno, dest);
        obj = mp_call_method_n_kw(0, 0, dest);
    }
    return mp_obj_get_int(obj);
}

static void check(int r) {
    if (r == -1) {
        mp_posix_raise(errno);
    }
}

static mp_obj_t termios_tcgetattr(mp_obj_t fd_in) {
    struct termios t;
    int r;
    MP_POSIX_CALL(r, tcgetattr(fd_of(fd_in), &t));
    check(r);
    mp_obj_t cc[NCCS];
    for (int i = 0; i < NCCS; i++) {
        cc[i] = mp_obj_new_bytes(&t.c_cc[i], 1);
    }
    if (!(t.c_lflag & ICANON)) {
        // as CPython: VMIN and VTIME are ints in non-canonical mode
        cc[VMIN] = MP_OBJ_NEW_SMALL_INT(t.c_cc[VMIN]);
        cc[VTIME] = MP_OBJ_NEW_SMALL_INT(t.c_cc[VTIME]);
    }
    mp_obj_t items[7] = {
        mp_obj_new_int_from_uint(t.c_iflag), mp_obj_new_int_from_uint(t.c_oflag),
        mp_obj_new_int_from_uint(t.c_cflag), mp_obj_new_int_from_uint(t.c_lflag),
        mp_obj_new_int_from_uint(cfgetispeed(&t)), mp_obj_new_int_from_uint(cfgetospeed(&t)),
        mp_obj_new_list(NCCS, cc),
    };
    return mp_obj_new_list(7, items);
}
static MP_DEFINE_CONST_FUN_OBJ_1(termios_tcgetattr_obj, termios_tcgetattr);

static mp_obj_t termios_tcsetattr(mp_obj_t fd_in, mp_obj_t when_in, mp_obj_t attr_in) {
    int fd = fd_of(fd_in);
    int when = mp_obj_get_int(when_in);
    size_t n;
    mp_obj_t *a;
    if (!mp_obj_is_type(attr_in, &mp_type_list)) {
        mp_raise_TypeError(MP_ERROR_TEXT("tcsetattr, arg 3: must be 7 element list"));
    }
    mp_obj_list_get(attr_in, &n, &a);
    if (n != 7) {
        mp_raise_TypeError(MP_ERROR_TEXT("tcsetattr, arg 3: must be 7 element list"));
    }
    struct termios t;
    int r;
    MP_POSIX_CALL(r, tcgetattr(fd, &t));
    check(r);
    t.c_iflag = mp_obj_get_int_truncated(a[0]);
    t.c_oflag = mp_obj_get_int_truncated(a[1]);
    t.c_cflag = mp_obj_get_int_truncated(a[2]);
    t.c_lflag = mp_obj_get_int_truncated(a[3]);
    size_t ncc;
    mp_obj_t *cc;
    mp_obj_get_array(a[6], &ncc, &cc);
    if (ncc != NCCS) {
        mp_raise_TypeError(MP_ERROR_TEXT("tcsetattr: attributes[6] must be 32 element list"));
    }
    for (int i = 0; i < NCCS; i++) {
        if (mp_obj_is_int(cc[i])) {
            t.c_cc[i] = mp_obj_get_int(cc[i]);
        } else {
            mp_buffer_info_t b;
            mp_get_buffer_raise(cc[i], &b, MP_BUFFER_READ);
            if (b.len != 1) {
                mp_raise_TypeError(MP_ERROR_TEXT("tcsetattr: elements of attributes must be characters or integers"));
            }
            t.c_cc[i] = ((const uint8_t *)b.buf)[0];
        }
    }
    if (cfsetispeed(&t, mp_obj_get_int(a[4])) == -1 || cfsetospeed(&t, mp_obj_get_int(a[5])) == -1) {
        mp_posix_raise(EINVAL);
    }
    MP_THREAD_GIL_EXIT(); // TCSADRAIN/TCSAFLUSH wait for the output to leave
    r = tcsetattr(fd, when, &t);
    int err = errno;
    MP_THREAD_GIL_ENTER();
    if (r == -1) {
        mp_posix_raise(err);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(termios_tcsetattr_obj, termios_tcsetattr);

static mp_obj_t termios_tcdrain(mp_obj_t fd_in) {
    int fd = fd_of(fd_in);
    MP_THREAD_GIL_EXIT();
    int r = tcdrain(fd);
    int err = errno;
    MP_THREAD_GIL_ENTER();
    if (r == -1) {
        mp_posix_raise(err);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(termios_tcdrain_obj, termios_tcdrain);

static mp_obj_t termios_tcflush(mp_obj_t fd_in, mp_obj_t queue_in) {
    int r;
    MP_POSIX_CALL(r, tcflush(fd_of(fd_in), mp_obj_get_int(queue_in)));
    check(r);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(termios_tcflush_obj, termios_tcflush);

#define C(name) { MP_ROM_QSTR(MP_QSTR_##name), MP_ROM_INT(name) }

static const mp_rom_map_elem_t termios_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_termios) },
    { MP_ROM_QSTR(MP_QSTR_tcgetattr), MP_ROM_PTR(&termios_tcgetattr_obj) },
    { MP_ROM_QSTR(MP_QSTR_tcsetattr), MP_ROM_PTR(&termios_tcsetattr_obj) },
    { MP_ROM_QSTR(MP_QSTR_tcdrain), MP_ROM_PTR(&termios_tcdrain_obj) },
    { MP_ROM_QSTR(MP_QSTR_tcflush), MP_ROM_PTR(&termios_tcflush_obj) },
    { MP_ROM_QSTR(MP_QSTR_error), MP_ROM_PTR(&mp_type_OSError) },
    C(NCCS), C(VINTR), C(VQUIT), C(VERASE), C(VKILL), C(VEOF), C(VTIME), C(VMIN), C(VSWTC), C(VSTART),
    C(VSTOP), C(VSUSP), C(VEOL), C(VREPRINT), C(VDISCARD), C(VWERASE), C(VLNEXT), C(VEOL2),
    C(IGNBRK), C(BRKINT), C(IGNPAR), C(PARMRK), C(INPCK), C(ISTRIP), C(INLCR), C(IGNCR), C(ICRNL),
    C(IUCLC), C(IXON), C(IXANY), C(IXOFF), C(IMAXBEL), C(IUTF8),
    C(OPOST), C(OLCUC), C(ONLCR), C(OCRNL), C(ONOCR), C(ONLRET),
    C(CBAUD), C(CBAUDEX), C(CSIZE), C(CS5), C(CS6), C(CS7), C(CS8), C(CSTOPB), C(CREAD), C(PARENB),
    C(PARODD), C(HUPCL), C(CLOCAL),
    C(ISIG), C(ICANON), C(ECHO), C(ECHOE), C(ECHOK), C(ECHONL), C(NOFLSH), C(TOSTOP), C(ECHOCTL),
    C(ECHOPRT), C(ECHOKE), C(IEXTEN),
    C(B0), C(B50), C(B75), C(B110), C(B134), C(B150), C(B200), C(B300), C(B600), C(B1200), C(B1800),
    C(B2400), C(B4800), C(B9600), C(B19200), C(B38400), C(B57600), C(B115200), C(B230400), C(B460800),
    C(B500000), C(B576000), C(B921600), C(B1000000),
    C(TCSANOW), C(TCSADRAIN), C(TCSAFLUSH), C(TCIFLUSH), C(TCOFLUSH), C(TCIOFLUSH),
    C(TCGETS), C(TCSETS), C(TCSETSW), C(TCSETSF), C(TCSBRK), C(TCFLSH),
};
static MP_DEFINE_CONST_DICT(termios_globals, termios_globals_table);

const mp_obj_module_t mp_module_termios = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&termios_globals,
};

MP_REGISTER_MODULE(MP_QSTR_termios, mp_module_termios);
