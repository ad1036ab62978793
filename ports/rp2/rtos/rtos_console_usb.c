// MicroPythonRT rp2 port, rtos.kernel=builtin: the USB device task and the console over it.
//
// The TinyUSB device task (tud_task, built with CFG_TUSB_OS=OPT_OS_FREERTOS) blocks on its kernel
// event queue and runs at a higher priority than MicroPython. Console bytes cross between it and the
// MicroPython threads through two kernel stream buffers:
//   rx: USB task -> MicroPython. Ctrl-C (mp_interrupt_char) is taken out here and raised as a
//       KeyboardInterrupt in the main thread, which is woken even in a busy loop or a wait.
//   tx: MicroPython -> USB task. A writer wakes the USB task with a deferred call; the USB task moves
//       bytes into the CDC FIFO as USB transfers complete.

#include <string.h>
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/stream.h"
#include "py/mpthread.h"
#include "FreeRTOS.h"
#include "task.h"
#include "semphr.h"
#include "stream_buffer.h"
#include "FreeRTOSConfig.h"
#ifndef NO_QSTR
#include "tusb.h"
#include "device/usbd_pvt.h"
#endif
#include "shared/tinyusb/mp_usbd.h"
#include "mp_console.h"
#include "../posix/mp_signal.h"
#include "mprt_usb_tty.h"

#define RX_BUFFER_BYTES (512)
#define TX_BUFFER_BYTES (1024)
#define CHUNK (64)

static StaticStreamBuffer_t rx_sb_storage, tx_sb_storage;
static uint8_t rx_sb_bytes[RX_BUFFER_BYTES + 1], tx_sb_bytes[TX_BUFFER_BYTES + 1];
static StreamBufferHandle_t rx_sb, tx_sb;
static StaticSemaphore_t tx_lock_storage;
static SemaphoreHandle_t tx_lock;
static TaskHandle_t usb_task;
static volatile TaskHandle_t reader;  // the thread last waiting for console input
static volatile bool rx_paused;       // the rx stream buffer was full: TinyUSB still holds bytes
static volatile bool drain_queued;
static volatile bool rx_resume_queued; // one deferred rx resume at a time in TinyUSB's event queue
static volatile bool tx_wanted;        // a poll found the tx buffer full: tell the fd layer when it has room

// ---- the USB task side ----

static void usb_drain_tx(void) {
    uint8_t buf[CHUNK];
    bool moved = false;
    for (;;) {
        bool connected = tud_cdc_connected();
        // not connected: the CDC FIFO is overwritable and keeps the latest output for the host
        uint32_t room = connected ? tud_cdc_write_available() : CHUNK;
        if (room == 0) {
            break;
        }
        size_t n = xStreamBufferReceive(tx_sb, buf, room < CHUNK ? room : CHUNK, 0);
        if (n == 0) {
            break;
        }
        tud_cdc_write(buf, n);
        moved = true;
    }
    tud_cdc_write_flush();
    __asm volatile ("dmb" : : : "memory"); // a poller that set tx_wanted before we made room is seen
    if (moved && tx_wanted) {
        tx_wanted = false;
        mp_console_tx_ready(); // wakes tasks waiting in poll/select for the console's POLLOUT
    }
}

static void usb_drain_deferred(void *param) {
    (void)param;
    drain_queued = false;
    __asm volatile ("dmb" : : : "memory"); // a writer that sees the flag set knows we drain after this
    usb_drain_tx();
}

static void usb_pull_rx(void) {
    uint8_t buf[CHUNK];
    bool got = false;
    while (tud_cdc_available()) {
        size_t room = xStreamBufferSpacesAvailable(rx_sb);
        if (room == 0) {
            rx_paused = true;
            __asm volatile ("dmb" : : : "memory");
            // a reader on the other core may have made room before it could see the flag
            room = xStreamBufferSpacesAvailable(rx_sb);
            if (room == 0) {
                break;
            }
            rx_paused = false;
        }
        uint32_t n = tud_cdc_read(buf, room < CHUNK ? room : CHUNK);
        size_t keep = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (buf[i] == mp_interrupt_char) {
                // Drop what is queued and interrupt the main thread wherever it is (KeyboardInterrupt,
                // or its SIGINT handler: ports/rp2/posix/mp_signal.h).
                xStreamBufferReset(rx_sb);
                keep = 0;
                mprt_signal_interrupt_char();
            } else {
                buf[keep++] = buf[i];
            }
        }
        if (keep) {
            xStreamBufferSend(rx_sb, buf, keep, 0);
        }
        got = true;
    }
    if (got) {
        TaskHandle_t t = reader;
        if (t != NULL) {
            xTaskNotifyGiveIndexed(t, 1);
        }
        mprt_rtos_wake_main();
    }
}

static void usb_rx_deferred(void *param) {
    (void)param;
    rx_resume_queued = false;
    rx_paused = false;
    usb_pull_rx();
}

// CDC instances after the first are /dev/ttyUSB1.. (ports/rp2/usb/mprt_usb_tty.c)
void tud_cdc_rx_cb(uint8_t itf) {
    if (itf != 0) {
        mprt_usb_tty_event(itf);
        return;
    }
    usb_pull_rx();
}

void tud_cdc_tx_complete_cb(uint8_t itf) {
    if (itf != 0) {
        mprt_usb_tty_event(itf);
        return;
    }
    usb_drain_tx();
}

void tud_cdc_line_state_cb(uint8_t itf, bool dtr, bool rts) {
    (void)rts;
    if (itf != 0) {
        mprt_usb_tty_event(itf);
        return;
    }
    if (dtr) {
        usb_drain_tx();
    }
}

static void usb_task_main(void *arg) {
    (void)arg;
    mp_usbd_init_tud();
    for (;;) {
        tud_task(); // blocks on the kernel until the USB interrupt or a deferred call posts an event
    }
}

// Used by the upstream rp2 usbd.c for the serial number string.
void mp_usbd_hex_str(char *out_str, const uint8_t *bytes, size_t bytes_len) {
    static const char hexdig[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes_len; i++) {
        out_str[2 * i] = hexdig[bytes[i] >> 4];
        out_str[2 * i + 1] = hexdig[bytes[i] & 0x0f];
    }
    out_str[2 * bytes_len] = 0;
}

// ---- the MicroPython side (mp_console.h) ----

void mp_console_init(void) {
    rx_sb = xStreamBufferCreateStatic(RX_BUFFER_BYTES, 1, rx_sb_bytes, &rx_sb_storage);
    tx_sb = xStreamBufferCreateStatic(TX_BUFFER_BYTES, 1, tx_sb_bytes, &tx_sb_storage);
    tx_lock = xSemaphoreCreateMutexStatic(&tx_lock_storage);
    // Pinned to core 0: tusb_init enables the USB interrupt on the core that runs it, and the device
    // task must run where its interrupt is taken.
    xTaskCreateAffinitySet(usb_task_main, "usb", MPRT_RTOS_USB_TASK_STACK_WORDS, NULL, MPRT_RTOS_USB_TASK_PRIORITY,
        1u << 0, &usb_task);
}

void mp_console_start(void) {
    reader = NULL;
}

static void wake_usb_drain(void) {
    if (!drain_queued && tusb_inited()) {
        drain_queued = true;
        usbd_defer_func(usb_drain_deferred, NULL, false);
    }
}

// Writes of at most TX_PIECE bytes: a kernel stream buffer cannot take a write longer than itself in one
// call (lib/rtos asserts; the FreeRTOS-Kernel waits the whole timeout for room that never comes).
#define TX_PIECE (TX_BUFFER_BYTES / 2)

static size_t write_piece(const char *buf, size_t len) {
    if (xTaskGetSchedulerState() == taskSCHEDULER_NOT_STARTED || xPortIsInsideInterrupt()) {
        size_t n = xPortIsInsideInterrupt() ? xStreamBufferSendFromISR(tx_sb, buf, len, NULL) : 0;
        return n;
    }
    size_t done = xStreamBufferSend(tx_sb, buf, len, 0);
    if (done < len) {
        // The buffer is full: wait for the USB task, a Python thread with the GIL released (other threads
        // run); a task that is no Python thread (C code writing to fd 1) holds no GIL.
        bool python = mp_thread_get_state() != NULL;
        wake_usb_drain();
        if (python) {
            MP_THREAD_GIL_EXIT();
        }
        xSemaphoreTake(tx_lock, portMAX_DELAY);
        TickType_t start = xTaskGetTickCount();
        while (done < len) {
            TickType_t waited = xTaskGetTickCount() - start;
            if (waited >= pdMS_TO_TICKS(MICROPY_HW_USB_CDC_TX_TIMEOUT)) {
                break; // the host does not read: drop the rest, as the stock firmware does
            }
            size_t n = xStreamBufferSend(tx_sb, buf + done, len - done, pdMS_TO_TICKS(MICROPY_HW_USB_CDC_TX_TIMEOUT) - waited);
            done += n;
            wake_usb_drain();
        }
        xSemaphoreGive(tx_lock);
        if (python) {
            MP_THREAD_GIL_ENTER();
        }
    }
    wake_usb_drain();
    return done;
}

size_t mp_console_write(const char *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        size_t piece = len - done < TX_PIECE ? len - done : TX_PIECE;
        size_t n = write_piece(buf + done, piece);
        done += n;
        if (n < piece) {
            break; // dropped: the host does not read, or no room from an interrupt handler
        }
    }
    return done;
}

void mp_console_poll_rx(void) {
    reader = xTaskGetCurrentTaskHandle();
    uint8_t buf[32];
    for (;;) {
        size_t room = ringbuf_free(&stdin_ringbuf);
        if (room == 0) {
            break;
        }
        size_t n = xStreamBufferReceive(rx_sb, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
        if (n == 0) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            ringbuf_put(&stdin_ringbuf, buf[i]);
        }
    }
    __asm volatile ("dmb" : : : "memory");
    if (rx_paused && !rx_resume_queued && xStreamBufferSpacesAvailable(rx_sb) > 0 && tusb_inited()) {
        rx_resume_queued = true;
        usbd_defer_func(usb_rx_deferred, NULL, false);
    }
}

uintptr_t mp_console_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    mp_console_poll_rx();
    if ((poll_flags & MP_STREAM_POLL_RD) && ringbuf_peek(&stdin_ringbuf) != -1) {
        ret |= MP_STREAM_POLL_RD;
    }
    if (poll_flags & MP_STREAM_POLL_WR) {
        if (xStreamBufferSpacesAvailable(tx_sb) == 0) {
            // full: ask the USB task for a wake-up, then look again (it may have made room meanwhile)
            tx_wanted = true;
            __asm volatile ("dmb" : : : "memory");
        }
        if (xStreamBufferSpacesAvailable(tx_sb) > 0) {
            ret |= MP_STREAM_POLL_WR;
        }
    }
    return ret;
}
