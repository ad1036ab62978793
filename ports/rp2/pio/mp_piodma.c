// MicroPythonRT rp2 port: DMA ring buffers as lib/posix fds (module _piodma), for machine.PioStateMachine
// and machine.AudioOutPwm (docs/pio.md, docs/audio.md).
//
// A file has up to two rings: RX (a DMA channel copies from a peripheral register into the ring) and TX
// (a channel copies from the ring to a register), each paced by the peripheral's DREQ. The ring is a
// power of two in bytes and aligned to its size, so the channel's address wraps by itself (the DMA's
// ring feature). A channel moves `threshold` elements per start; its completion interrupt (DMA_IRQ_1,
// shared) counts them and starts the next chunk if the ring allows, then gives a small task ("piodma")
// a notification, which wakes the file's waiters (posix_file_notify cannot run in an interrupt). So the
// CPU takes one interrupt per chunk, never one per element.
//
// Counters are free-running element counts: TX: `head` (written by read/write), `done` (completed by
// the DMA); RX: `done` and `tail`. The chunk in flight (`active` elements) is read live from the
// channel's transfer count, so a read returns what has arrived even mid-chunk.
//
// Audio (AudioOutPwm): the TX ring holds 32-bit words for a PWM slice's CC register (A in the low half,
// B in the high half); write converts frames of 8-bit unsigned or 16-bit signed samples to levels
// 0..TOP.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "FreeRTOS.h"
#include "task.h"
#include "hardware/dma.h"
#include "hardware/irq.h"
#include "hardware/pio.h"
#include "hardware/sync.h"
#include "py/runtime.h"
#include "posix_file.h"
#include <fcntl.h>
#include <poll.h>

#define PIODMA_MAX_OPEN (12)

typedef struct {
    uint8_t *buf;             // aligned to size_bytes
    uint32_t mask;            // elements - 1
    uint8_t shift;            // log2 of the element size
    uint32_t thresh;          // elements per chunk
    int ch;                   // DMA channel, -1: no ring
    bool tx;
    volatile uint32_t head;   // TX: elements written by the CPU
    volatile uint32_t tail;   // RX: elements read by the CPU
    volatile uint32_t done;   // elements the DMA completed
    volatile uint32_t active; // elements of the chunk in flight, 0: idle
    volatile uint32_t chunks; // completed chunks (interrupts taken)
} piodma_ring_t;

typedef struct {
    posix_file_t file;
    piodma_ring_t rx, tx;
    uint8_t channels, bytes_per_sample; // audio: channels != 0
    uint32_t levels;                   // audio: PWM TOP + 1 (a level is 0..levels)
    bool swap;                                    // audio: channel 0 in CC's high half (B)
} piodma_file_t;

static piodma_file_t *open_files[PIODMA_MAX_OPEN];
static spin_lock_t *piodma_spin;
static TaskHandle_t piodma_task;
static bool piodma_irq_ready;

// ---- the rings (with piodma_spin held) ----

static uint32_t ring_live(const piodma_ring_t *r) {
    // elements of the chunk in flight already moved
    if (r->active == 0) {
        return 0;
    }
    uint32_t left = dma_channel_hw_addr(r->ch)->transfer_count;
    return left <= r->active ? r->active - left : 0;
}

static void ring_start(piodma_ring_t *r) {
    if (r->ch < 0 || r->active != 0) {
        return;
    }
    uint32_t n;
    if (r->tx) {
        n = r->head - r->done;
        if (n > r->thresh) {
            n = r->thresh;
        }
    } else {
        uint32_t used = r->done - r->tail;
        n = (r->mask + 1) - used >= r->thresh ? r->thresh : 0;
    }
    if (n > 0) {
        r->active = n;
        dma_channel_set_trans_count(r->ch, n, true);
    }
}

static void ring_irq(piodma_ring_t *r, uint32_t ints) {
    if (r->ch >= 0 && (ints & (1u << r->ch))) {
        r->done += r->active;
        r->active = 0;
        r->chunks++;
        ring_start(r);
    }
}

static void piodma_irq(void) {
    uint32_t ints = dma_hw->ints1;
    uint32_t mine = 0;
    uint32_t save = spin_lock_blocking(piodma_spin);
    for (int i = 0; i < PIODMA_MAX_OPEN; i++) {
        piodma_file_t *f = open_files[i];
        if (f != NULL) {
            uint32_t m = (f->rx.ch >= 0 ? 1u << f->rx.ch : 0) | (f->tx.ch >= 0 ? 1u << f->tx.ch : 0);
            if (ints & m) {
                dma_hw->ints1 = ints & m;
                ring_irq(&f->rx, ints);
                ring_irq(&f->tx, ints);
                mine |= ints & m;
            }
        }
    }
    spin_unlock(piodma_spin, save);
    if (mine && piodma_task != NULL) {
        BaseType_t woken = pdFALSE;
        vTaskNotifyGiveFromISR(piodma_task, &woken);
        portYIELD_FROM_ISR(woken);
    }
}

static void piodma_task_main(void *arg) {
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        posix_lock();
        for (int i = 0; i < PIODMA_MAX_OPEN; i++) {
            if (open_files[i] != NULL) {
                posix_file_notify_locked(&open_files[i]->file);
            }
        }
        posix_unlock();
    }
}

// ---- file operations ----

static ssize_t piodma_read_op(posix_file_t *pf, void *buf, size_t len) {
    piodma_file_t *f = (piodma_file_t *)pf;
    piodma_ring_t *r = &f->rx;
    if (r->ch < 0) {
        return -EINVAL;
    }
    uint32_t save = spin_lock_blocking(piodma_spin);
    uint32_t avail = r->done + ring_live(r) - r->tail;
    spin_unlock(piodma_spin, save);
    uint32_t n = len >> r->shift;
    if (n > avail) {
        n = avail;
    }
    if (n == 0) {
        return len >> r->shift == 0 ? -EINVAL : -EAGAIN;
    }
    uint32_t esz = 1u << r->shift;
    uint32_t at = r->tail & r->mask;
    uint32_t first = (r->mask + 1) - at;
    if (first > n) {
        first = n;
    }
    memcpy(buf, r->buf + (at << r->shift), first * esz);
    memcpy((uint8_t *)buf + first * esz, r->buf, (n - first) * esz);
    save = spin_lock_blocking(piodma_spin);
    r->tail += n;
    ring_start(r);
    spin_unlock(piodma_spin, save);
    return n * esz;
}

// 8-bit unsigned or 16-bit signed little-endian sample -> PWM level 0..levels-1 (the sample's share of
// the full range, rounded down)
static uint32_t audio_level(const uint8_t *s, uint8_t bps, uint32_t levels) {
    if (bps == 1) {
        return (s[0] * levels) >> 8;
    }
    int32_t v = (int16_t)(s[0] | (s[1] << 8));
    return ((uint32_t)(v + 32768) * levels) >> 16;
}

static ssize_t piodma_write_op(posix_file_t *pf, const void *buf, size_t len) {
    piodma_file_t *f = (piodma_file_t *)pf;
    piodma_ring_t *r = &f->tx;
    if (r->ch < 0) {
        return -EINVAL;
    }
    uint32_t in_size = f->channels ? f->channels * f->bytes_per_sample : 1u << r->shift;
    uint32_t n = len / in_size;
    if (n == 0) {
        return len == 0 ? 0 : -EINVAL;
    }
    uint32_t save = spin_lock_blocking(piodma_spin);
    uint32_t space = (r->mask + 1) - (r->head - r->done);
    spin_unlock(piodma_spin, save);
    if (n > space) {
        n = space;
    }
    if (n == 0) {
        return -EAGAIN;
    }
    const uint8_t *src = buf;
    if (f->channels) {
        uint32_t *ring = (uint32_t *)r->buf;
        for (uint32_t i = 0; i < n; i++, src += in_size) {
            uint32_t a = audio_level(src, f->bytes_per_sample, f->levels);
            uint32_t b = f->channels > 1 ? audio_level(src + f->bytes_per_sample, f->bytes_per_sample, f->levels) : a;
            ring[(r->head + i) & r->mask] = f->swap ? b | (a << 16) : a | (b << 16);
        }
    } else {
        uint32_t at = r->head & r->mask;
        uint32_t first = (r->mask + 1) - at;
        if (first > n) {
            first = n;
        }
        memcpy(r->buf + (at << r->shift), src, first << r->shift);
        memcpy(r->buf, src + (first << r->shift), (n - first) << r->shift);
    }
    save = spin_lock_blocking(piodma_spin);
    r->head += n;
    ring_start(r);
    spin_unlock(piodma_spin, save);
    return n * in_size;
}

static unsigned piodma_poll_op(posix_file_t *pf) {
    piodma_file_t *f = (piodma_file_t *)pf;
    unsigned m = 0;
    uint32_t save = spin_lock_blocking(piodma_spin);
    if (f->rx.ch >= 0 && f->rx.done + ring_live(&f->rx) != f->rx.tail) {
        m |= POLLIN;
    }
    if (f->tx.ch >= 0 && f->tx.head - f->tx.done <= f->tx.mask) {
        m |= POLLOUT;
    }
    spin_unlock(piodma_spin, save);
    return m;
}

static void ring_free(piodma_ring_t *r) {
    if (r->ch >= 0) {
        dma_channel_set_irq1_enabled(r->ch, false);
        dma_channel_abort(r->ch);
        dma_hw->ints1 = 1u << r->ch;
        dma_channel_unclaim(r->ch);
        r->ch = -1;
    }
    free(r->buf);
    r->buf = NULL;
}

static void piodma_release_op(posix_file_t *pf) {
    piodma_file_t *f = (piodma_file_t *)pf;
    uint32_t save = spin_lock_blocking(piodma_spin);
    for (int i = 0; i < PIODMA_MAX_OPEN; i++) {
        if (open_files[i] == f) {
            open_files[i] = NULL;
        }
    }
    spin_unlock(piodma_spin, save);
    ring_free(&f->rx);
    ring_free(&f->tx);
    free(f);
}

static const posix_file_ops_t piodma_ops = {
    .read = piodma_read_op,
    .write = piodma_write_op,
    .poll = piodma_poll_op,
    .release = piodma_release_op,
    .mode = S_IFCHR | 0600,
};

// ---- Python: the _piodma module ----

static piodma_file_t *piodma_get(mp_obj_t fd_in) {
    int fd = mp_obj_get_int(fd_in);
    posix_file_t *pf = posix_file_get(fd);
    if (pf == NULL) {
        mp_raise_OSError(EBADF);
    }
    posix_file_put(pf); // the fd keeps it; the caller holds the GIL and uses it at once
    if (pf->ops != &piodma_ops) {
        mp_raise_OSError(EBADF);
    }
    return (piodma_file_t *)pf;
}

// _piodma.open() -> fd of a file with no ring yet
static mp_obj_t piodma_open(void) {
    if (!piodma_irq_ready) {
        piodma_spin = spin_lock_instance(spin_lock_claim_unused(true));
        xTaskCreate(piodma_task_main, "piodma", 192, NULL, configMAX_PRIORITIES - 2, &piodma_task);
        irq_add_shared_handler(DMA_IRQ_1, piodma_irq, PICO_SHARED_IRQ_HANDLER_DEFAULT_ORDER_PRIORITY);
        irq_set_enabled(DMA_IRQ_1, true);
        piodma_irq_ready = true;
    }
    piodma_file_t *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        mp_raise_OSError(ENOMEM);
    }
    f->rx.ch = -1;
    f->tx.ch = -1;
    f->tx.tx = true;
    uint32_t save = spin_lock_blocking(piodma_spin);
    int slot = -1;
    for (int i = 0; i < PIODMA_MAX_OPEN; i++) {
        if (open_files[i] == NULL) {
            open_files[i] = f;
            slot = i;
            break;
        }
    }
    spin_unlock(piodma_spin, save);
    if (slot < 0) {
        free(f);
        mp_raise_OSError(EMFILE);
    }
    posix_file_init(&f->file, &piodma_ops, O_RDWR);
    int fd = posix_fd_install(&f->file, 3);
    if (fd < 0) {
        save = spin_lock_blocking(piodma_spin);
        open_files[slot] = NULL;
        spin_unlock(piodma_spin, save);
        free(f);
        mp_raise_OSError(-fd);
    }
    return MP_OBJ_NEW_SMALL_INT(fd);
}
static MP_DEFINE_CONST_FUN_OBJ_0(piodma_open_obj, piodma_open);

// _piodma.ring(fd, tx, dreq, reg_addr, size_bytes, threshold_bytes, dsize, bswap)
static mp_obj_t piodma_ring(size_t n_args, const mp_obj_t *args) {
    piodma_file_t *f = piodma_get(args[0]);
    bool tx = mp_obj_is_true(args[1]);
    uint dreq = mp_obj_get_int(args[2]);
    uint32_t reg = mp_obj_get_int_truncated(args[3]);
    uint32_t size = mp_obj_get_int(args[4]);
    uint32_t thresh = mp_obj_get_int(args[5]);
    uint dsize = mp_obj_get_int(args[6]);
    bool bswap = mp_obj_is_true(args[7]);
    if (dsize > 2 || size < (4u << dsize) || size > 32768 || (size & (size - 1))) {
        mp_raise_ValueError(MP_ERROR_TEXT("fifo_size must be a power of two, 4 elements to 32 KB"));
    }
    uint32_t elems = size >> dsize;
    uint32_t te = thresh >> dsize;
    if (te == 0) {
        te = 1;
    }
    if (te > elems || (te & (te - 1)) != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("threshold must be a power of two up to fifo_size"));
    }
    piodma_ring_t *r = tx ? &f->tx : &f->rx;
    if (r->ch >= 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("fifo already configured"));
    }
    uint8_t *buf = aligned_alloc(size, size);
    if (buf == NULL) {
        mp_raise_OSError(ENOMEM);
    }
    int ch = dma_claim_unused_channel(false);
    if (ch < 0) {
        free(buf);
        mp_raise_OSError(EBUSY);
    }
    uint size_bits = 0;
    while ((1u << size_bits) < size) {
        size_bits++;
    }
    dma_channel_config c = dma_channel_get_default_config(ch);
    channel_config_set_transfer_data_size(&c, (enum dma_channel_transfer_size)dsize);
    channel_config_set_dreq(&c, dreq);
    channel_config_set_bswap(&c, bswap);
    channel_config_set_read_increment(&c, tx);
    channel_config_set_write_increment(&c, !tx);
    channel_config_set_ring(&c, !tx, size_bits);
    dma_channel_configure(ch, &c, tx ? (void *)reg : buf, tx ? (const void *)buf : (const void *)reg, 0, false);
    dma_hw->ints1 = 1u << ch;
    dma_channel_set_irq1_enabled(ch, true);
    uint32_t save = spin_lock_blocking(piodma_spin);
    r->buf = buf;
    r->mask = elems - 1;
    r->shift = dsize;
    r->thresh = te;
    r->head = r->tail = r->done = r->active = r->chunks = 0;
    r->ch = ch;
    ring_start(r);
    spin_unlock(piodma_spin, save);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(piodma_ring_obj, 8, 8, piodma_ring);

// _piodma.audio(fd, channels, bytes_per_sample, levels, swap): TX writes take sample frames
static mp_obj_t piodma_audio(size_t n_args, const mp_obj_t *args) {
    piodma_file_t *f = piodma_get(args[0]);
    f->channels = mp_obj_get_int(args[1]);
    f->bytes_per_sample = mp_obj_get_int(args[2]);
    f->levels = mp_obj_get_int(args[3]);
    f->swap = mp_obj_is_true(args[4]);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(piodma_audio_obj, 5, 5, piodma_audio);

// _piodma.status(fd, tx) -> (elements in the ring, elements moved by the DMA, chunks) or None
static mp_obj_t piodma_status(mp_obj_t fd_in, mp_obj_t tx_in) {
    piodma_file_t *f = piodma_get(fd_in);
    piodma_ring_t *r = mp_obj_is_true(tx_in) ? &f->tx : &f->rx;
    if (r->ch < 0) {
        return mp_const_none;
    }
    uint32_t save = spin_lock_blocking(piodma_spin);
    uint32_t moved = r->done + ring_live(r);
    uint32_t level = r->tx ? r->head - moved : moved - r->tail;
    uint32_t chunks = r->chunks;
    spin_unlock(piodma_spin, save);
    mp_obj_t t[3] = { mp_obj_new_int_from_uint(level), mp_obj_new_int_from_uint(moved), mp_obj_new_int_from_uint(chunks) };
    return mp_obj_new_tuple(3, t);
}
static MP_DEFINE_CONST_FUN_OBJ_2(piodma_status_obj, piodma_status);

// _piodma.clear(fd, tx): drops what the ring holds (TX: not yet sent)
static mp_obj_t piodma_clear(mp_obj_t fd_in, mp_obj_t tx_in) {
    piodma_file_t *f = piodma_get(fd_in);
    piodma_ring_t *r = mp_obj_is_true(tx_in) ? &f->tx : &f->rx;
    if (r->ch >= 0) {
        uint32_t save = spin_lock_blocking(piodma_spin);
        if (r->tx) {
            r->head = r->done + r->active;
        } else {
            r->tail = r->done + ring_live(r);
        }
        ring_start(r);
        spin_unlock(piodma_spin, save);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(piodma_clear_obj, piodma_clear);

// _piodma.sm_claimed(pio, sm) -> whether pico-sdk's claim bit is set (by rp2.StateMachine or C code)
static mp_obj_t piodma_sm_claimed(mp_obj_t pio_in, mp_obj_t sm_in) {
    PIO pio = mp_obj_get_int(pio_in) ? pio1 : pio0;
    return mp_obj_new_bool(pio_sm_is_claimed(pio, mp_obj_get_int(sm_in) & 3));
}
static MP_DEFINE_CONST_FUN_OBJ_2(piodma_sm_claimed_obj, piodma_sm_claimed);

static const mp_rom_map_elem_t piodma_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__piodma) },
    { MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&piodma_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_ring), MP_ROM_PTR(&piodma_ring_obj) },
    { MP_ROM_QSTR(MP_QSTR_audio), MP_ROM_PTR(&piodma_audio_obj) },
    { MP_ROM_QSTR(MP_QSTR_status), MP_ROM_PTR(&piodma_status_obj) },
    { MP_ROM_QSTR(MP_QSTR_clear), MP_ROM_PTR(&piodma_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_sm_claimed), MP_ROM_PTR(&piodma_sm_claimed_obj) },
};
static MP_DEFINE_CONST_DICT(piodma_module_globals, piodma_module_globals_table);

const mp_obj_module_t mp_module_piodma = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&piodma_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__piodma, mp_module_piodma);
