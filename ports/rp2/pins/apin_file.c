// machine.APin's C side (docs/apin.md): the pin as a file of lib/posix, the GPIO interrupt that stamps
// and queues edges, and the task that wakes the file's waiters (lib/posix is not usable from interrupt
// handlers: its lock is the kernel's scheduler lock).
//
// Concurrency: a pin's queue and the gpio -> file table are guarded by one hardware spin lock (taken with
// interrupts off, so from tasks on either core and from the interrupt); a file is freed only after it has
// left the table. The interrupt only queues and sets a pending bit, then gives the task a notification.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include "FreeRTOS.h"
#include "task.h"
#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/sync.h"
#include "hardware/timer.h"
#include "hardware/structs/iobank0.h"
#include "posix_file.h"
#include "apin_file.h"

#define EDGES (GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL)
#define LEVEL_BIT (UINT64_C(1) << 63)

static mprt_apin_t *apin_table[NUM_BANK0_GPIOS]; // under apin_spin
static volatile uint32_t apin_mask;              // gpios with an APin (bit n = gpio n)
static volatile uint32_t apin_pending;           // gpios whose waiters are to be woken
static spin_lock_t *apin_spin;
static TaskHandle_t apin_task;

static inline __attribute__((always_inline)) uint32_t apin_lock(void) {
    return spin_lock_blocking(apin_spin);
}

static inline __attribute__((always_inline)) void apin_unlock(uint32_t save) {
    spin_unlock(apin_spin, save);
}

// The timer's µs count, read without a call (the interrupt runs from RAM; a call to flash costs a veneer).
static inline __attribute__((always_inline)) uint64_t apin_now_us(void) {
    uint32_t hi = timer_hw->timerawh;
    uint32_t lo;
    for (;;) {
        lo = timer_hw->timerawl;
        uint32_t next = timer_hw->timerawh;
        if (next == hi) {
            break;
        }
        hi = next;
    }
    return ((uint64_t)hi << 32) | lo;
}

// ---- the interrupt ----

// Queues an edge; true when it was queued and its waiter wants to be woken for it. With a debounce time,
// an edge is queued only after that long without edges (each edge, queued or not, starts it again).
static inline __attribute__((always_inline)) bool apin_push(mprt_apin_t *a, uint64_t us, unsigned level) {
    bool quiet = a->debounce_us == 0 || !a->any || us - a->last_us >= a->debounce_us;
    a->any = true;
    a->last_us = us;
    a->last_level = level;
    if (!quiet || (level && !a->rise) || (!level && !a->fall)) {
        return false;
    }
    if (a->tail - a->head == MPRT_APIN_QUEUE_DEPTH) {
        a->head++;
        a->dropped++;
        if ((int32_t)(a->seen - a->head) < 0) {
            a->seen = a->head;
        }
    }
    a->q[a->tail % MPRT_APIN_QUEUE_DEPTH] = us | (level ? LEVEL_BIT : 0);
    a->tail++;
    return (a->want & (1u << level)) != 0;
}

static void __not_in_flash_func(apin_irq)(void) {
    uint32_t mask = apin_mask;
    if (mask == 0) {
        return;
    }
    uint64_t now = apin_now_us();
    uint32_t woken = 0;
    uint32_t save = apin_lock();
    for (unsigned gpio = 0; mask != 0; gpio++, mask >>= 1) {
        if (!(mask & 1)) {
            continue;
        }
        // the raw latches (gpio_get_irq_event_mask reads this core's INTS, which hides a disabled edge)
        uint32_t ev = (io_bank0_hw->intr[gpio / 8] >> (4 * (gpio % 8))) & EDGES;
        if (ev == 0) {
            continue;
        }
        io_bank0_hw->intr[gpio / 8] = ev << (4 * (gpio % 8)); // acknowledge (write 1 to clear)
        mprt_apin_t *a = apin_table[gpio];
        if (a == NULL) {
            continue;
        }
        bool wake;
        if (ev == EDGES) {
            // both edges since the last look: the one to the level the pad has now came last
            unsigned level = (sio_hw->gpio_in >> gpio) & 1;
            wake = apin_push(a, now, !level);
            wake |= apin_push(a, now, level);
        } else {
            wake = apin_push(a, now, ev == GPIO_IRQ_EDGE_RISE);
        }
        // no task blocked on the file: nothing to wake (a waiter links itself before it looks at the
        // queue under this lock, so it either sees this edge or is seen here)
        if (wake && a->file.waiters != NULL) {
            woken |= 1u << gpio;
        }
    }
    apin_pending |= woken;
    apin_unlock(save);
    if (woken != 0 && apin_task != NULL) {
        BaseType_t higher = pdFALSE;
        vTaskNotifyGiveFromISR(apin_task, &higher);
        portYIELD_FROM_ISR(higher);
    }
}

// ---- the task that wakes the waiters ----

static void apin_task_main(void *arg) {
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        uint32_t save = apin_lock();
        uint32_t pending = apin_pending;
        apin_pending = 0;
        apin_unlock(save);
        // posix_lock keeps every file in the table alive (release takes it to leave the table)
        posix_lock();
        for (unsigned gpio = 0; pending != 0; gpio++, pending >>= 1) {
            if (pending & 1) {
                mprt_apin_t *a = apin_table[gpio];
                if (a != NULL) {
                    posix_file_notify_locked(&a->file);
                }
            }
        }
        posix_unlock();
    }
}

// ---- interrupt enables: the current core's set, the other core's cleared ----

static void apin_irq_enable(unsigned gpio, uint32_t events) {
    taskENTER_CRITICAL(); // no migration to the other core meanwhile
    unsigned core = get_core_num();
    io_bank0_irq_ctrl_hw_t *other = core == 0 ? &io_bank0_hw->proc1_irq_ctrl : &io_bank0_hw->proc0_irq_ctrl;
    hw_clear_bits(&other->inte[gpio / 8], EDGES << (4 * (gpio % 8)));
    gpio_set_irq_enabled(gpio, EDGES & ~events, false);
    if (events != 0) {
        gpio_acknowledge_irq(gpio, EDGES); // edges latched before are not ours
        gpio_set_irq_enabled(gpio, events, true);
        // above the other interrupts (USB, UART, timers): an edge is stamped when it comes, not after them
        irq_set_priority(IO_IRQ_BANK0, PICO_HIGHEST_IRQ_PRIORITY);
        irq_set_enabled(IO_IRQ_BANK0, true);
    }
    taskEXIT_CRITICAL();
}

static void apin_update_irq(mprt_apin_t *a) {
    uint32_t events = 0;
    if (!a->output && !a->closing) {
        events = (a->rise ? GPIO_IRQ_EDGE_RISE : 0) | (a->fall ? GPIO_IRQ_EDGE_FALL : 0);
    }
    apin_irq_enable(a->gpio, events);
}

// ---- the file ----

static ssize_t apin_read_op(posix_file_t *f, void *buf, size_t len) {
    mprt_apin_t *a = (mprt_apin_t *)f;
    if (len < sizeof(mprt_apin_record_t)) {
        return -EINVAL;
    }
    size_t n = 0;
    mprt_apin_record_t *out = buf;
    while (n + sizeof(mprt_apin_record_t) <= len) {
        uint32_t save = apin_lock();
        if (a->head == a->tail) {
            apin_unlock(save);
            break;
        }
        uint64_t e = a->q[a->head % MPRT_APIN_QUEUE_DEPTH];
        a->head++;
        a->want = 3;
        if ((int32_t)(a->seen - a->head) < 0) {
            a->seen = a->head;
        }
        apin_unlock(save);
        mprt_apin_record_t r = { (e & ~LEVEL_BIT) * 1000, (e & LEVEL_BIT) ? 1 : 0, a->gpio };
        memcpy(out++, &r, sizeof(r));
        n += sizeof(r);
    }
    return n == 0 ? -EAGAIN : (ssize_t)n;
}

static unsigned apin_poll_op(posix_file_t *f) {
    mprt_apin_t *a = (mprt_apin_t *)f;
    uint32_t save = apin_lock();
    bool ready = a->tail != a->seen;
    apin_unlock(save);
    return ready ? POLLIN : 0;
}

static void apin_release_op(posix_file_t *f) {
    mprt_apin_t *a = (mprt_apin_t *)f;
    a->closing = true;
    apin_update_irq(a);
    posix_lock(); // the waking task looks files up under it
    uint32_t save = apin_lock();
    apin_table[a->gpio] = NULL;
    apin_mask &= ~(1u << a->gpio);
    apin_unlock(save);
    posix_unlock();
    free(a);
}

static const posix_file_ops_t apin_ops = {
    .read = apin_read_op,
    .poll = apin_poll_op,
    .release = apin_release_op,
    .mode = S_IFCHR | 0400,
};

// ---- the calls of the Python type ----

int mprt_apin_open(unsigned gpio) {
    if (gpio >= NUM_BANK0_GPIOS) {
        return -EINVAL;
    }
    if (apin_spin == NULL) {
        apin_spin = spin_lock_instance(spin_lock_claim_unused(true));
        irq_add_shared_handler(IO_IRQ_BANK0, apin_irq, PICO_SHARED_IRQ_HANDLER_HIGHEST_ORDER_PRIORITY);
        if (xTaskCreate(apin_task_main, "apin", MPRT_APIN_TASK_STACK_WORDS, NULL, MPRT_APIN_TASK_PRIORITY,
            &apin_task) != pdPASS) {
            apin_task = NULL;
        }
    }
    if (apin_task == NULL) {
        return -ENOMEM;
    }
    mprt_apin_t *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return -ENOMEM;
    }
    posix_file_init(&a->file, &apin_ops, O_RDONLY);
    a->gpio = gpio;
    a->rise = a->fall = true;
    a->want = 3;
    uint32_t save = apin_lock();
    bool busy = apin_table[gpio] != NULL;
    if (!busy) {
        apin_table[gpio] = a;
        apin_mask |= 1u << gpio;
    }
    apin_unlock(save);
    if (busy) {
        free(a);
        return -EBUSY;
    }
    int fd = posix_fd_install(&a->file, 0);
    if (fd < 0) {
        save = apin_lock();
        apin_table[gpio] = NULL;
        apin_mask &= ~(1u << gpio);
        apin_unlock(save);
        free(a);
        return fd;
    }
    gpio_set_function(gpio, GPIO_FUNC_SIO);
    gpio_set_dir(gpio, GPIO_IN);
    gpio_set_input_enabled(gpio, true);
    a->last_level = gpio_get(gpio);
    apin_update_irq(a);
    return fd;
}

mprt_apin_t *mprt_apin_get(int fd) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return NULL;
    }
    if (f->ops != &apin_ops) {
        posix_file_put(f);
        return NULL;
    }
    return (mprt_apin_t *)f;
}

void mprt_apin_put(mprt_apin_t *a) {
    posix_file_put(&a->file);
}

int mprt_apin_set_edges(mprt_apin_t *a, bool rise, bool fall) {
    if (a->output && (rise || fall)) {
        return -EINVAL;
    }
    uint32_t save = apin_lock();
    a->rise = rise;
    a->fall = fall;
    apin_unlock(save);
    apin_update_irq(a);
    return 0;
}

void mprt_apin_set_output(mprt_apin_t *a, int value) {
    if (value < 0) {
        gpio_set_dir(a->gpio, GPIO_IN);
        uint32_t save = apin_lock();
        a->output = false;
        a->any = false;
        a->last_level = gpio_get(a->gpio);
        apin_unlock(save);
    } else {
        gpio_put(a->gpio, value);
        gpio_set_dir(a->gpio, GPIO_OUT);
        a->output = true;
    }
    apin_update_irq(a);
}

void mprt_apin_set_debounce(mprt_apin_t *a, uint32_t us) {
    uint32_t save = apin_lock();
    a->debounce_us = us;
    apin_unlock(save);
}

static bool edge_wanted(uint64_t e, int event, bool rise, bool fall) {
    bool level = (e & LEVEL_BIT) != 0;
    switch (event) {
        case MPRT_APIN_EDGE_RISE:
        case MPRT_APIN_LEVEL_HIGH:
        case MPRT_APIN_PULSE_UP:
            return level;
        case MPRT_APIN_EDGE_FALL:
        case MPRT_APIN_LEVEL_LOW:
        case MPRT_APIN_PULSE_DOWN:
            return !level;
        default:
            return level ? rise : fall;
    }
}

// The edges (bit 0 falls, bit 1 rises) that may end a wait for event.
static uint8_t apin_wakers(int event) {
    switch (event) {
        case MPRT_APIN_EDGE_RISE:
        case MPRT_APIN_LEVEL_HIGH:
        case MPRT_APIN_PULSE_DOWN:
            return 2;
        case MPRT_APIN_EDGE_FALL:
        case MPRT_APIN_LEVEL_LOW:
        case MPRT_APIN_PULSE_UP:
            return 1;
        default:
            return 3;
    }
}

int mprt_apin_take(mprt_apin_t *a, int event, uint64_t *result) {
    bool need_rise = event == MPRT_APIN_EDGE_RISE || event == MPRT_APIN_LEVEL_HIGH
        || event == MPRT_APIN_PULSE_UP || event == MPRT_APIN_PULSE_DOWN;
    bool need_fall = event == MPRT_APIN_EDGE_FALL || event == MPRT_APIN_LEVEL_LOW
        || event == MPRT_APIN_PULSE_UP || event == MPRT_APIN_PULSE_DOWN;
    if (event != 0 && event != MPRT_APIN_LEVEL_LOW && event != MPRT_APIN_LEVEL_HIGH
        && event != MPRT_APIN_EDGE_FALL && event != MPRT_APIN_EDGE_RISE
        && event != MPRT_APIN_PULSE_DOWN && event != MPRT_APIN_PULSE_UP) {
        return -EINVAL;
    }
    bool pulse = event == MPRT_APIN_PULSE_UP || event == MPRT_APIN_PULSE_DOWN;
    bool level_ev = event == MPRT_APIN_LEVEL_HIGH || event == MPRT_APIN_LEVEL_LOW;
    int r = -EAGAIN;
    uint32_t save = apin_lock();
    if (a->output && !level_ev) {
        r = -EINVAL; // an output queues no edges
    } else if (!a->output && ((need_rise && !a->rise) || (need_fall && !a->fall) || (event == 0 && !a->rise && !a->fall))) {
        r = -EINVAL; // set_edges turned off an edge this event needs
    } else {
        uint32_t i = a->head;
        while (i != a->tail && !edge_wanted(a->q[i % MPRT_APIN_QUEUE_DEPTH], event, a->rise, a->fall)) {
            i++;
        }
        if (i != a->tail) {
            uint64_t e = a->q[i % MPRT_APIN_QUEUE_DEPTH];
            if (!pulse) {
                *result = (e & ~LEVEL_BIT) * 1000;
                a->head = i + 1;
                r = 0;
            } else {
                // the first edge after it to the other level ends the pulse
                uint32_t j = i + 1;
                while (j != a->tail && ((a->q[j % MPRT_APIN_QUEUE_DEPTH] ^ e) & LEVEL_BIT) == 0) {
                    j++;
                }
                if (j != a->tail) {
                    uint64_t end = a->q[j % MPRT_APIN_QUEUE_DEPTH];
                    *result = (end & ~LEVEL_BIT) - (e & ~LEVEL_BIT);
                    a->head = j + 1;
                    r = 0;
                } else {
                    a->head = i; // the pulse has begun: keep its start
                }
            }
        } else {
            a->head = i;
        }
        if (r != 0 && level_ev && gpio_get(a->gpio) == (event == MPRT_APIN_LEVEL_HIGH)) {
            *result = time_us_64() * 1000; // at the level now, with no edge to it queued
            r = 0;
        }
        if (r != 0 && a->output) {
            r = -EINVAL; // an output queues no edges: its level is the one it is given
        }
        // what is left unread after a success is news to poll; after a miss, only what comes next is,
        // and only the edges that can end the wait wake the waiter (a pulse's first edge does not: no
        // wake-up work on the core between the two edges of a short pulse)
        a->seen = r != 0 ? a->tail : a->head;
        a->want = r == 0 ? 3 : apin_wakers(event);
    }
    apin_unlock(save);
    return r;
}

unsigned mprt_apin_level(mprt_apin_t *a) {
    return gpio_get(a->gpio);
}
