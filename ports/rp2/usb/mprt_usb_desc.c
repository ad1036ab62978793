// MicroPythonRT rp2 port: the USB descriptors a saved usb.UsbConfig asks for (docs/usb.md).
//
// usb.UsbConfig.save() stores the descriptor set it built, as lowercase hex, in the environment variable
// MPRT_USB_DESC (the power-safe key-value store): the device descriptor (18 bytes), the configuration descriptor
// (wTotalLength bytes), a count N, then N string descriptors for indexes 1..N (a 2-byte one for the serial
// number means "the board's own"). It is read and checked once per power-up, when the host first asks
// for a descriptor (or Python asks why it was refused); a set that is not there or does not check out
// leaves MicroPython's built-in descriptors (one CDC ACM function: the console) and the reason for
// _usb.boot_status(). TinyUSB's descriptor callbacks are wrapped at link time (-Wl,--wrap), so
// MicroPython's shared/tinyusb/mp_usbd_descriptor.c stays unchanged and gives the default.

#include <string.h>
#include "mprt_usb_desc.h"
#include "mprt_env.h"
#include "mprt_usb_ncm.h"
#ifndef NO_QSTR
#include "tusb.h"
#include "class/net/net_device.h"
#endif

// the set is saved as hex text (environment values hold no NUL): 1536 characters, 768 bytes
#define DESC_MAX (768)

const uint8_t *__real_tud_descriptor_device_cb(void);
const uint16_t *__real_tud_descriptor_string_cb(uint8_t index, uint16_t langid);

static uint8_t desc[DESC_MAX * 2];
static size_t desc_len;
static const uint8_t *cfg_desc;
static const uint8_t *strings; // the first string descriptor (index 1)
static uint8_t string_count;
static volatile int state; // 0: not read yet, 1: the saved set is used, 2: the default is used
static const char *reason = "no saved configuration";
static uint16_t string_buf[128];

// The default configuration (no saved one, or one refused): MicroPython's CDC ACM console (interfaces 0-1,
// endpoints 0x81 0x02 0x82, as its built-in descriptor) and the CDC-NCM network function (interfaces
// 2-3, endpoints 0x83 0x04 0x84; ports/rp2/net/net_usb.c). MicroPython's device descriptor (class MISC,
// IAD) already announces a composite device.
#define DEFAULT_CFG_LEN (TUD_CONFIG_DESC_LEN + TUD_CDC_DESC_LEN + TUD_CDC_NCM_DESC_LEN)
static const uint8_t default_cfg[DEFAULT_CFG_LEN] = {
    TUD_CONFIG_DESCRIPTOR(1, 4, USBD_STR_0, DEFAULT_CFG_LEN, 0, USBD_MAX_POWER_MA),
    TUD_CDC_DESCRIPTOR(USBD_ITF_CDC, USBD_STR_CDC, USBD_CDC_EP_CMD, 8, USBD_CDC_EP_OUT, USBD_CDC_EP_IN, 64),
    TUD_CDC_NCM_DESCRIPTOR(2, MPRT_USB_NCM_STR_NAME, MPRT_USB_NCM_STR_MAC, 0x83, 16, 0x04, 0x84, 64, 1514),
};

// the default configuration's own strings (MicroPython's callback gives indexes 1-5)
static const uint16_t *default_string(uint8_t index) {
    if (index == MPRT_USB_NCM_STR_NAME) {
        static const char name[] = "Board network";
        for (size_t i = 0; i < sizeof(name) - 1; i++) {
            string_buf[1 + i] = name[i];
        }
        string_buf[0] = (TUSB_DESC_STRING << 8) | (2 + 2 * (sizeof(name) - 1));
        return string_buf;
    }
    // the MAC address as 12 hex digits (CDC ECM 1.2 5.4: the iMACAddress string)
    uint8_t mac[6];
    mprt_usb_ncm_mac(mac);
    for (int i = 0; i < 12; i++) {
        string_buf[1 + i] = "0123456789ABCDEF"[(mac[i / 2] >> (i & 1 ? 0 : 4)) & 15];
    }
    string_buf[0] = (TUSB_DESC_STRING << 8) | (2 + 2 * 12);
    return string_buf;
}

// Checks the configuration descriptor at cfg (len bytes available): NULL when it fits this build.
static const char *check_configuration(const uint8_t *cfg, size_t len, size_t *total) {
    if (len < 9 || cfg[0] != 9 || cfg[1] != TUSB_DESC_CONFIGURATION) {
        return "not a configuration descriptor";
    }
    size_t t = cfg[2] | (cfg[3] << 8);
    if (t < 9 || t > len) {
        return "configuration descriptor length out of range";
    }
    unsigned interfaces = 0, cdc = 0, ncm = 0;
    uint16_t ep_used_in = 0, ep_used_out = 0;
    bool first = true;
    for (size_t i = 9; i < t;) {
        uint8_t l = cfg[i];
        if (l < 2 || i + l > t) {
            return "a descriptor overruns the configuration";
        }
        uint8_t type = cfg[i + 1];
        if (type == TUSB_DESC_INTERFACE) {
            if (l < 9) {
                return "short interface descriptor";
            }
            uint8_t cls = cfg[i + 5], sub = cfg[i + 6];
            if (first && !(cls == TUSB_CLASS_CDC && sub == CDC_COMM_SUBCLASS_ABSTRACT_CONTROL_MODEL)) {
                return "the first interface is not CDC ACM (the console)";
            }
            first = false;
            if (cls == TUSB_CLASS_CDC && sub == CDC_COMM_SUBCLASS_NETWORK_CONTROL_MODEL) {
                if (++ncm > 1) {
                    return "more than one network function";
                }
            } else if (cls == TUSB_CLASS_CDC) {
                if (sub != CDC_COMM_SUBCLASS_ABSTRACT_CONTROL_MODEL) {
                    return "a CDC function this build has no driver for (ACM and NCM only)";
                }
                if (++cdc > CFG_TUD_CDC) {
                    return "more CDC functions than this build has (5)";
                }
            } else if (cls == TUSB_CLASS_MSC) {
                if (!MPRT_USB_HAS_MSC) {
                    return "an MSC function: this build has no MSC driver";
                }
            } else if (cls != TUSB_CLASS_CDC_DATA) {
                return "an interface class this build has no driver for";
            }
            if (cfg[i + 3] == 0) {
                interfaces++;
            }
        } else if (type == TUSB_DESC_ENDPOINT) {
            if (l < 7) {
                return "short endpoint descriptor";
            }
            uint8_t addr = cfg[i + 2], num = addr & 0x0f;
            uint16_t size = cfg[i + 4] | (cfg[i + 5] << 8);
            if (num == 0 || size > 64) {
                return "an endpoint number or size the RP2040 cannot serve";
            }
            uint16_t *used = (addr & TUSB_DIR_IN_MASK) ? &ep_used_in : &ep_used_out;
            if (*used & (1u << num)) {
                return "an endpoint used twice";
            }
            *used |= 1u << num;
        }
        i += l;
    }
    if (interfaces != cfg[4] || cdc == 0) {
        return "bNumInterfaces does not match the interfaces";
    }
    *total = t;
    return NULL;
}

static const char *check(size_t len) {
    if (len < 18 + 9 + 1) {
        return "too short";
    }
    if (desc[0] != 18 || desc[1] != TUSB_DESC_DEVICE || desc[7] != CFG_TUD_ENDPOINT0_SIZE || desc[17] != 1) {
        return "not a device descriptor this build can present";
    }
    size_t total;
    const char *err = check_configuration(desc + 18, len - 18, &total);
    if (err) {
        return err;
    }
    size_t i = 18 + total;
    if (i >= len) {
        return "no string table";
    }
    uint8_t n = desc[i++];
    const uint8_t *first = desc + i;
    for (unsigned k = 0; k < n; k++) {
        if (i + 2 > len || desc[i] < 2 || i + desc[i] > len || desc[i + 1] != TUSB_DESC_STRING) {
            return "a bad string descriptor";
        }
        i += desc[i];
    }
    if (i != len) {
        return "bytes after the string table";
    }
    cfg_desc = desc + 18;
    strings = first;
    string_count = n;
    return NULL;
}

static void load(void) {
    if (state) {
        return;
    }
    int n = mprt_env_get("MPRT_USB_DESC", desc, sizeof(desc));
    const char *err;
    if (n < 0) {
        err = "no saved configuration";
    } else if ((size_t)n > sizeof(desc) || (n & 1)) {
        err = "the saved descriptors are too long or cut short";
    } else {
        err = NULL;
        // hex to bytes, in place (byte i comes from characters 2i and 2i+1)
        for (int i = 0; i < n / 2 && !err; i++) {
            int v = 0;
            for (int k = 0; k < 2; k++) {
                uint8_t c = desc[2 * i + k];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0) {
                    err = "the saved descriptors are not hex";
                    break;
                }
                v = v * 16 + d;
            }
            desc[i] = v;
        }
        desc_len = n / 2;
        if (!err) {
            err = check(desc_len);
        }
    }
    reason = err;
    state = err ? 2 : 1;
}

void mprt_usb_desc_reload(void) {
    state = 0;
    cfg_desc = NULL;
    strings = NULL;
    string_count = 0;
}

unsigned mprt_usb_desc_cdc_count(void) {
    load();
    if (state != 1) {
        return 1;
    }
    unsigned n = 0;
    size_t total = cfg_desc[2] | (cfg_desc[3] << 8);
    for (size_t i = 9; i < total; i += cfg_desc[i]) {
        if (cfg_desc[i + 1] == TUSB_DESC_INTERFACE && cfg_desc[i + 5] == TUSB_CLASS_CDC
            && cfg_desc[i + 6] == CDC_COMM_SUBCLASS_ABSTRACT_CONTROL_MODEL && cfg_desc[i + 3] == 0) {
            n++;
        }
    }
    return n;
}

const char *mprt_usb_desc_status(void) {
    load();
    return reason;
}

const uint8_t *__wrap_tud_descriptor_device_cb(void) {
    load();
    return state == 1 ? desc : __real_tud_descriptor_device_cb();
}

const uint8_t *__wrap_tud_descriptor_configuration_cb(uint8_t index) {
    load();
    (void)index;
    return state == 1 ? cfg_desc : default_cfg;
}

const uint16_t *__wrap_tud_descriptor_string_cb(uint8_t index, uint16_t langid) {
    load();
    if (state != 1 && (index == MPRT_USB_NCM_STR_NAME || index == MPRT_USB_NCM_STR_MAC)) {
        return default_string(index);
    }
    if (state != 1 || index == 0 || index > string_count) {
        return state == 1 && index > string_count ? NULL : __real_tud_descriptor_string_cb(index, langid);
    }
    const uint8_t *s = strings;
    for (unsigned k = 1; k < index; k++) {
        s += s[0];
    }
    if (s[0] == 2) {
        // the board's serial number (MicroPython's default string 3)
        return __real_tud_descriptor_string_cb(3, langid);
    }
    memcpy(string_buf, s, s[0]);
    return string_buf;
}
