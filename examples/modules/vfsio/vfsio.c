// A module that uses the firmware's files and /dev from C (lib/posix, docs/vfs.md): the same files as
// Python's open() and os (needs a firmware with a kernel):
//   vfsio.write_text(path, text)   C fopen(path, "w") + fputs + fclose -> bytes written (ftell)
//   vfsio.read(path)               C open() + read() to the end + close() -> bytes
//   vfsio.size(path)               C stat() -> st_size
//   vfsio.ramdisk(name)            registers /dev/<name>, an 8 KB RAM block device (16 blocks of 512
//                                  bytes; its bss is reserved at the reset after installing) that Python can format and mount: os.mkfs("/dev/<name>", ...)
//   vfsio.hello(name)              registers /dev/<name>, a character device whose reads give
//                                  "hello from C\n" once, then end of file; writes count bytes
//   vfsio.unregister(name)         posix_dev_unregister
//   vfsio.start_task(out, n, inp)  an RTOS task (no Python thread) writes n lines "C task line <i>\n" to
//                                  `out` with open/write/close, then reads `inp` with open/read
//   vfsio.task_result()            None while the task runs, then (0 or errno, bytes read from `inp`)
//   vfsio.tty_raw(path, speed)     C open() of a tty, tcgetattr + cfmakeraw + cfsetspeed + tcsetattr,
//                                  write "C\n", tcdrain, tcgetattr again -> cfgetospeed (termios.h)
// Errors come back as OSError(errno) (read through posix_errno(): errno is thread-local).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "FreeRTOS.h"
#include "task.h"
#include <sys/stat.h>
#include <termios.h>
#include "posix.h"
#include "posix_vfs.h"

#define ERRNO (*posix_errno())

NORETURN static void raise_errno(void) {
    mp_raise_OSError(ERRNO);
}

static mp_obj_t vfsio_write_text(mp_obj_t path_in, mp_obj_t text_in) {
    FILE *f = fopen(mp_obj_str_get_str(path_in), "w");
    if (f == NULL) {
        raise_errno();
    }
    int ok = fputs(mp_obj_str_get_str(text_in), f) >= 0;
    long n = ftell(f);
    if (fclose(f) != 0 || !ok) {
        raise_errno();
    }
    return mp_obj_new_int(n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(vfsio_write_text_obj, vfsio_write_text);

static mp_obj_t vfsio_read(mp_obj_t path_in) {
    int fd = open(mp_obj_str_get_str(path_in), O_RDONLY);
    if (fd < 0) {
        raise_errno();
    }
    char *data = NULL;
    size_t len = 0;
    for (;;) {
        char *more = realloc(data, len + 64);
        if (more == NULL) {
            free(data);
            close(fd);
            mp_raise_OSError(ENOMEM);
        }
        data = more;
        ssize_t n = read(fd, data + len, 64);
        if (n < 0) {
            int e = ERRNO;
            free(data);
            close(fd);
            mp_raise_OSError(e);
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    mp_obj_t r = mp_obj_new_bytes((const byte *)data, len);
    free(data);
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_1(vfsio_read_obj, vfsio_read);

static mp_obj_t vfsio_size(mp_obj_t path_in) {
    struct stat st;
    if (stat(mp_obj_str_get_str(path_in), &st) != 0) {
        raise_errno();
    }
    return mp_obj_new_int((mp_int_t)st.st_size);
}
static MP_DEFINE_CONST_FUN_OBJ_1(vfsio_size_obj, vfsio_size);

// ---- a RAM block device ----
#define RAM_BLOCK (512)
#define RAM_BLOCKS (16)
static uint8_t ram[RAM_BLOCKS * RAM_BLOCK];

static int ram_read(void *ctx, uint32_t block, uint32_t offset, void *buf, uint32_t len) {
    (void)ctx;
    memcpy(buf, ram + block * RAM_BLOCK + offset, len);
    return 0;
}

static int ram_write(void *ctx, uint32_t block, const void *buf, uint32_t count) {
    (void)ctx;
    memcpy(ram + block * RAM_BLOCK, buf, count * RAM_BLOCK);
    return 0;
}

static const posix_blockdev_t ram_dev = {
    .read = ram_read,
    .write = ram_write,
    .block_size = RAM_BLOCK,
    .block_count = RAM_BLOCKS,
};

static mp_obj_t vfsio_ramdisk(mp_obj_t name_in) {
    if (posix_blockdev_register(mp_obj_str_get_str(name_in), &ram_dev, NULL) != 0) {
        raise_errno();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(vfsio_ramdisk_obj, vfsio_ramdisk);

// ---- a character device ----
static const char message[] = "hello from C\n";

typedef struct {
    posix_file_t file;
    size_t pos; // next byte of the message; under posix_lock
} hello_file_t;

static hello_file_t hello_files[4];
static uint8_t hello_used[4];

static ssize_t hello_read(posix_file_t *f, void *buf, size_t len) {
    hello_file_t *h = (hello_file_t *)f;
    posix_lock();
    size_t n = sizeof(message) - 1 - h->pos;
    if (n > len) {
        n = len;
    }
    memcpy(buf, message + h->pos, n);
    h->pos += n;
    posix_unlock();
    return (ssize_t)n;
}

static ssize_t hello_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    (void)buf;
    return (ssize_t)len;
}

static unsigned hello_poll(posix_file_t *f) {
    (void)f;
    return POLLIN | POLLOUT;
}

static void hello_release(posix_file_t *f) {
    hello_used[(hello_file_t *)f - hello_files] = 0;
}

static const posix_file_ops_t hello_ops = {
    .read = hello_read,
    .write = hello_write,
    .poll = hello_poll,
    .release = hello_release,
    .mode = S_IFCHR | 0666,
};

static int hello_open(void *ctx, int flags, posix_file_t **out) {
    (void)ctx;
    for (size_t i = 0; i < 4; i++) {
        if (!hello_used[i]) {
            hello_used[i] = 1;
            hello_files[i].pos = 0;
            posix_file_init(&hello_files[i].file, &hello_ops, flags);
            *out = &hello_files[i].file;
            return 0;
        }
    }
    return -ENFILE;
}

static const posix_chardev_t hello_dev = { .open = hello_open, .mode = 0666 };

static mp_obj_t vfsio_hello(mp_obj_t name_in) {
    if (posix_chardev_register(mp_obj_str_get_str(name_in), &hello_dev, NULL) != 0) {
        raise_errno();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(vfsio_hello_obj, vfsio_hello);

static mp_obj_t vfsio_unregister(mp_obj_t name_in) {
    if (posix_dev_unregister(mp_obj_str_get_str(name_in)) != 0) {
        raise_errno();
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(vfsio_unregister_obj, vfsio_unregister);

// ---- files from a task that is no Python thread ----
#define TASK_STACK_WORDS (512)
#define TASK_PRIORITY (3)

static char task_out[48], task_in[48];
static volatile int task_lines;
static volatile int task_state; // 0 running, 1 done
static volatile int task_error;
static volatile int task_read;
static volatile int task_progress;

static void file_task(void *arg) {
    (void)arg;
    // open/write/read, not stdio: Picolibc's FILE lock is the scheduler lock, held around the FILE's
    // I/O, and a task that is no Python thread must wait for the VM there (docs/vfs.md)
    int err = 0;
    int fd = open(task_out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        err = ERRNO;
    } else {
        char line[32];
        for (int i = 0; i < task_lines && err == 0; i++) {
            task_progress = i;
            int len = snprintf(line, sizeof(line), "C task line %d\n", i);
            if (write(fd, line, (size_t)len) != len) {
                err = ERRNO;
            }
        }
        if (close(fd) != 0 && err == 0) {
            err = ERRNO;
        }
    }
    int total = 0;
    fd = err == 0 ? open(task_in, O_RDONLY) : -1;
    if (fd < 0 && err == 0) {
        err = ERRNO;
    }
    if (fd >= 0) {
        char buf[32];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0) {
            total += (int)n;
        }
        if (n < 0) {
            err = ERRNO;
        }
        close(fd);
    }
    task_error = err;
    task_read = total;
    task_state = 1;
    vTaskDelete(NULL);
}

static mp_obj_t vfsio_start_task(mp_obj_t out_in, mp_obj_t n_in, mp_obj_t in_in) {
    snprintf(task_out, sizeof(task_out), "%s", mp_obj_str_get_str(out_in));
    snprintf(task_in, sizeof(task_in), "%s", mp_obj_str_get_str(in_in));
    task_lines = mp_obj_get_int(n_in);
    task_state = 0;
    if (xTaskCreate(file_task, "vfsio", TASK_STACK_WORDS, NULL, TASK_PRIORITY, NULL) != pdPASS) {
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("cannot create the task"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(vfsio_start_task_obj, vfsio_start_task);

static mp_obj_t vfsio_task_result(void) {
    if (task_state == 0) {
        return mp_const_none;
    }
    (void)task_progress;
    mp_obj_t t[2] = { mp_obj_new_int(task_error), mp_obj_new_int(task_read) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_0(vfsio_task_result_obj, vfsio_task_result);

static mp_obj_t vfsio_task_progress(void) {
    return mp_obj_new_int(task_progress);
}
static MP_DEFINE_CONST_FUN_OBJ_0(vfsio_task_progress_obj, vfsio_task_progress);

static mp_obj_t vfsio_tty_raw(mp_obj_t path_in, mp_obj_t speed_in) {
    int fd = open(mp_obj_str_get_str(path_in), O_RDWR);
    if (fd < 0) {
        raise_errno();
    }
    struct termios t;
    int ok = tcgetattr(fd, &t) == 0;
    if (ok) {
        cfmakeraw(&t);
        ok = cfsetspeed(&t, mp_obj_get_int(speed_in)) == 0 && tcsetattr(fd, TCSANOW, &t) == 0
            && write(fd, "C\n", 2) == 2 && tcdrain(fd) == 0 && tcgetattr(fd, &t) == 0;
    }
    int err = ERRNO;
    close(fd);
    if (!ok) {
        mp_raise_OSError(err);
    }
    return mp_obj_new_int(cfgetospeed(&t));
}
static MP_DEFINE_CONST_FUN_OBJ_2(vfsio_tty_raw_obj, vfsio_tty_raw);

static const mp_rom_map_elem_t vfsio_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_vfsio) },
    { MP_ROM_QSTR(MP_QSTR_write_text), MP_ROM_PTR(&vfsio_write_text_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&vfsio_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_size), MP_ROM_PTR(&vfsio_size_obj) },
    { MP_ROM_QSTR(MP_QSTR_ramdisk), MP_ROM_PTR(&vfsio_ramdisk_obj) },
    { MP_ROM_QSTR(MP_QSTR_hello), MP_ROM_PTR(&vfsio_hello_obj) },
    { MP_ROM_QSTR(MP_QSTR_unregister), MP_ROM_PTR(&vfsio_unregister_obj) },
    { MP_ROM_QSTR(MP_QSTR_start_task), MP_ROM_PTR(&vfsio_start_task_obj) },
    { MP_ROM_QSTR(MP_QSTR_task_result), MP_ROM_PTR(&vfsio_task_result_obj) },
    { MP_ROM_QSTR(MP_QSTR_task_progress), MP_ROM_PTR(&vfsio_task_progress_obj) },
    { MP_ROM_QSTR(MP_QSTR_tty_raw), MP_ROM_PTR(&vfsio_tty_raw_obj) },
};
static MP_DEFINE_CONST_DICT(vfsio_globals, vfsio_globals_table);

MPRT_MODULE(vfsio_module, vfsio_globals);
