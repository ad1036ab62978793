// MicroPythonRT rp2 port: the disk behind a saved configuration's msc() function (usb.MscDevice,
// docs/usb.md). TinyUSB's MSC class driver (mprt_usb_msc_class.c) runs in the `usb` task and calls the
// tud_msc_* callbacks below there; they read and write the inserted RAM disk's bytes directly and never
// call Python. The VM only inserts (a buffer, whether the host may write) and ejects.

#define MPRT_USB_MSC_CLASS (1)
#include <string.h>
#include "py/runtime.h"
#include "mprt_usb_msc.h"
#include "mprt_usb_ncm.h"
#ifndef NO_QSTR
#include "tusb.h"
#include "device/usbd_pvt.h"
#endif

#define MSC_BLOCK (512)

static uint8_t *volatile disk; // NULL: no medium
static volatile uint32_t disk_blocks;
static volatile bool host_may_write;
// the host sent START STOP UNIT with "eject" (it unmounted the disk); cleared by "load" or a new insert
static volatile bool host_ejected;
static volatile uint32_t host_read_blocks, host_written_blocks;
// SCSI INQUIRY: vendor 8, product 16, revision 4 (space padded)
static uint8_t inquiry[28] = "MPRT    Disk            1.0 ";

// TinyUSB: the MSC driver as an application class driver (tried before the built-in ones; it takes
// only MSC/SCSI/BOT interfaces).
static const usbd_class_driver_t msc_driver = {
    #if CFG_TUSB_DEBUG >= 2
    .name = "MSC",
    #endif
    .init = mscd_init,
    .deinit = mscd_deinit,
    .reset = mscd_reset,
    .open = mscd_open,
    .control_xfer_cb = mscd_control_xfer_cb,
    .xfer_cb = mscd_xfer_cb,
    .sof = NULL,
};

// with the NCM network function's driver (ports/rp2/net/net_usb.c), which takes only NCM interfaces
static usbd_class_driver_t app_drivers[2];

usbd_class_driver_t const *usbd_app_driver_get_cb(uint8_t *driver_count) {
    app_drivers[0] = msc_driver;
    app_drivers[1] = *mprt_usb_ncm_driver();
    *driver_count = 2;
    return app_drivers;
}

void tud_msc_inquiry_cb(uint8_t lun, uint8_t vendor_id[8], uint8_t product_id[16], uint8_t product_rev[4]) {
    (void)lun;
    memcpy(vendor_id, inquiry, 8);
    memcpy(product_id, inquiry + 8, 16);
    memcpy(product_rev, inquiry + 24, 4);
}

bool tud_msc_test_unit_ready_cb(uint8_t lun) {
    if (disk == NULL || host_ejected) {
        // NOT READY, MEDIUM NOT PRESENT
        tud_msc_set_sense(lun, SCSI_SENSE_NOT_READY, 0x3a, 0x00);
        return false;
    }
    return true;
}

void tud_msc_capacity_cb(uint8_t lun, uint32_t *block_count, uint16_t *block_size) {
    (void)lun;
    *block_count = disk ? disk_blocks : 0;
    *block_size = MSC_BLOCK;
}

bool tud_msc_start_stop_cb(uint8_t lun, uint8_t power_condition, bool start, bool load_eject) {
    (void)lun;
    (void)power_condition;
    if (load_eject) {
        host_ejected = !start;
    }
    return true;
}

bool tud_msc_is_writable_cb(uint8_t lun) {
    (void)lun;
    return host_may_write;
}

// The byte range [lba * 512 + offset, + size) of the medium, or NULL when it is not all there.
static uint8_t *range(uint8_t lun, uint32_t lba, uint32_t offset, uint32_t size) {
    uint8_t *d = disk;
    uint64_t start = (uint64_t)lba * MSC_BLOCK + offset;
    if (d == NULL || host_ejected || start + size > (uint64_t)disk_blocks * MSC_BLOCK) {
        // NOT READY, MEDIUM NOT PRESENT, or ILLEGAL REQUEST, LBA OUT OF RANGE
        if (d == NULL || host_ejected) {
            tud_msc_set_sense(lun, SCSI_SENSE_NOT_READY, 0x3a, 0x00);
        } else {
            tud_msc_set_sense(lun, SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0x00);
        }
        return NULL;
    }
    return d + start;
}

int32_t tud_msc_read10_cb(uint8_t lun, uint32_t lba, uint32_t offset, void *buffer, uint32_t bufsize) {
    uint8_t *p = range(lun, lba, offset, bufsize);
    if (p == NULL) {
        return -1;
    }
    memcpy(buffer, p, bufsize);
    host_read_blocks += (offset + bufsize) / MSC_BLOCK - offset / MSC_BLOCK;
    return (int32_t)bufsize;
}

int32_t tud_msc_write10_cb(uint8_t lun, uint32_t lba, uint32_t offset, uint8_t *buffer, uint32_t bufsize) {
    uint8_t *p = range(lun, lba, offset, bufsize);
    if (p == NULL) {
        return -1;
    }
    if (!host_may_write) {
        tud_msc_set_sense(lun, SCSI_SENSE_DATA_PROTECT, 0x27, 0x00);
        return -1;
    }
    memcpy(p, buffer, bufsize);
    host_written_blocks += (offset + bufsize) / MSC_BLOCK - offset / MSC_BLOCK;
    return (int32_t)bufsize;
}

int32_t tud_msc_scsi_cb(uint8_t lun, uint8_t const scsi_cmd[16], void *buffer, uint16_t bufsize) {
    (void)scsi_cmd;
    (void)buffer;
    (void)bufsize;
    // every other command: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE
    tud_msc_set_sense(lun, SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0x00);
    return -1;
}

// _usb.msc_insert(buffer, host_may_write, inquiry): the medium is the buffer's whole 512-byte blocks.
static mp_obj_t mp_usb_msc_insert(mp_obj_t buf_in, mp_obj_t writable_in, mp_obj_t inquiry_in) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_RW);
    size_t n;
    const char *inq = mp_obj_str_get_data(inquiry_in, &n);
    if (buf.len < MSC_BLOCK || n != sizeof(inquiry)) {
        mp_raise_ValueError(MP_ERROR_TEXT("a disk needs at least one 512-byte block"));
    }
    disk = NULL;
    memcpy(inquiry, inq, sizeof(inquiry));
    disk_blocks = buf.len / MSC_BLOCK;
    host_may_write = mp_obj_is_true(writable_in);
    host_ejected = false;
    host_read_blocks = host_written_blocks = 0;
    disk = buf.buf;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mp_usb_msc_insert_obj, mp_usb_msc_insert);

static mp_obj_t mp_usb_msc_eject(void) {
    disk = NULL;
    host_may_write = false;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_msc_eject_obj, mp_usb_msc_eject);

// _usb.msc_state() -> (inserted, host_ejected, blocks read by the host, blocks written by the host)
static mp_obj_t mp_usb_msc_state(void) {
    mp_obj_t t[4] = {
        mp_obj_new_bool(disk != NULL),
        mp_obj_new_bool(host_ejected),
        mp_obj_new_int_from_uint(host_read_blocks),
        mp_obj_new_int_from_uint(host_written_blocks),
    };
    return mp_obj_new_tuple(4, t);
}
MP_DEFINE_CONST_FUN_OBJ_0(mp_usb_msc_state_obj, mp_usb_msc_state);
