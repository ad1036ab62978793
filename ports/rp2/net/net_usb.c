// MicroPythonRT rp2 port: the USB network link (docs/network.md "USB network link"): the CDC-NCM
// function of the USB configuration as an lwIP Ethernet interface (`us1`, 192.168.7.1/24 and an IPv6
// link-local address).
//
// Three tasks, each doing only its own part:
// - the `usb` task runs TinyUSB's NCM driver (ports/rp2/usb/mprt_usb_ncm_class.c): a received frame is
//   copied into a pbuf and posted to the tcpip task (tcpip_input); queued frames to send are copied into
//   the driver's transfer block there (tud_network_can_xmit/xmit are TinyUSB calls: USB task only);
// - the `tcpip` task runs lwIP: the interface's linkoutput copies a frame into a new pbuf, queues it for
//   the USB task and asks TinyUSB to run the queue there (usbd_defer_func); link up/down follows the
//   host's choice of the data interface's alternate setting (1: on, 0 or a bus reset: off);
// - the VM never touches either: sockets talk to the tcpip task (net_socket.c).
// Written from TinyUSB's net_device.h, lwIP's netif.h documentation and the CDC-NCM 1.0 specification.

#include <string.h>

#include "FreeRTOS.h"
#include "queue.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "pico/unique_id.h"
#include "tusb.h"
#include "device/usbd_pvt.h"
#include "class/net/net_device.h"
#include "mprt_usb_ncm.h"
#include "net_usb.h"

// frames waiting for the USB task (pbufs of our own, PBUF_RAM)
#define TX_QUEUE_LEN (8)

static struct netif usb_netif;
static QueueHandle_t tx_queue;
static volatile bool data_active; // the host selected alternate setting 1 of the data interface
static uint8_t ncm_itf = 0xff;    // the NCM communication interface's number

// TinyUSB wants this symbol (ECM/RNDIS use it; NCM does not); the MAC string of the descriptor is ours
uint8_t tud_network_mac_address[6];

void mprt_usb_ncm_mac(uint8_t host_mac[6]) {
    pico_unique_board_id_t id;
    pico_get_unique_board_id(&id);
    // locally administered, unicast; the host's address has bit 0 of the last byte clear
    host_mac[0] = 0x02;
    memcpy(host_mac + 1, id.id + 3, 5);
    host_mac[5] &= 0xfe;
}

// ---- the tcpip task ----

static void link_cb(void *arg) {
    if (arg) {
        netif_set_link_up(&usb_netif);
    } else {
        netif_set_link_down(&usb_netif);
    }
}

static void tx_pump(void *param);

static err_t usb_linkoutput(struct netif *netif, struct pbuf *p) {
    (void)netif;
    if (!data_active) {
        return ERR_IF;
    }
    // lwIP may reuse p's buffers after this returns: the USB task gets a copy of its own
    struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
    if (q == NULL) {
        return ERR_MEM;
    }
    if (xQueueSend(tx_queue, &q, 0) != pdTRUE) {
        pbuf_free(q);
        return ERR_MEM;
    }
    usbd_defer_func(tx_pump, NULL, false);
    return ERR_OK;
}

static err_t usb_netif_init(struct netif *netif) {
    netif->name[0] = 'u';
    netif->name[1] = 's';
    netif->mtu = 1500;
    netif->hwaddr_len = 6;
    mprt_usb_ncm_mac(netif->hwaddr);
    netif->hwaddr[5] ^= 1;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = usb_linkoutput;
    return ERR_OK;
}

void mprt_net_usb_start(void) {
    tx_queue = xQueueCreate(TX_QUEUE_LEN, sizeof(struct pbuf *));
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 192, 168, 7, 1);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&gw);
    netif_add(&usb_netif, &ip, &mask, &gw, NULL, usb_netif_init, tcpip_input);
    netif_create_ip6_linklocal_address(&usb_netif, 1);
    netif_set_up(&usb_netif);
    netif_set_default(&usb_netif);
    mprt_net_dhcpd_start(&usb_netif);
}

// ---- the usb task ----

static void drop_queue(void) {
    struct pbuf *p;
    while (xQueueReceive(tx_queue, &p, 0) == pdTRUE) {
        pbuf_free(p);
    }
}

static void tx_pump(void *param) {
    (void)param;
    struct pbuf *p;
    if (!data_active) {
        drop_queue();
        return;
    }
    while (xQueuePeek(tx_queue, &p, 0) == pdTRUE && tud_network_can_xmit(p->tot_len)) {
        xQueueReceive(tx_queue, &p, 0);
        tud_network_xmit(p, 0);
    }
}

uint16_t tud_network_xmit_cb(uint8_t *dst, void *ref, uint16_t arg) {
    (void)arg;
    struct pbuf *p = ref;
    uint16_t len = pbuf_copy_partial(p, dst, p->tot_len, 0);
    pbuf_free(p);
    return len;
}

bool tud_network_recv_cb(const uint8_t *src, uint16_t size) {
    // a frame from the host: a copy goes to the tcpip task, the driver's block is free again at once
    struct pbuf *p = size >= SIZEOF_ETH_HDR && size <= 1514 ? pbuf_alloc(PBUF_RAW, size, PBUF_RAM) : NULL;
    if (p != NULL) {
        memcpy(p->payload, src, size);
        if (usb_netif.input(p, &usb_netif) != ERR_OK) {
            pbuf_free(p); // the tcpip task's mailbox is full: dropped, as a busy NIC does
        }
    }
    tud_network_recv_renew();
    return true;
}

void tud_network_init_cb(void) {
}

static void set_active(bool on) {
    if (data_active != on) {
        data_active = on;
        if (!on) {
            drop_queue();
        }
        tcpip_try_callback(link_cb, on ? (void *)1 : NULL);
    }
}

static void ncm_init(void) {
    netd_init();
}

static bool ncm_deinit(void) {
    return netd_deinit();
}

static void ncm_reset(uint8_t rhport) {
    ncm_itf = 0xff;
    if (tx_queue != NULL) {
        set_active(false);
    }
    netd_reset(rhport);
}

static uint16_t ncm_open(uint8_t rhport, const tusb_desc_interface_t *itf, uint16_t max_len) {
    // TinyUSB's netd_open takes any interface: only an NCM communication interface is ours
    if (itf->bInterfaceClass != TUSB_CLASS_CDC || itf->bInterfaceSubClass != CDC_COMM_SUBCLASS_NETWORK_CONTROL_MODEL) {
        return 0;
    }
    uint16_t n = netd_open(rhport, itf, max_len);
    if (n) {
        ncm_itf = itf->bInterfaceNumber;
    }
    return n;
}

static bool ncm_control_xfer_cb(uint8_t rhport, uint8_t stage, const tusb_control_request_t *request) {
    bool ok = netd_control_xfer_cb(rhport, stage, request);
    if (ok && stage == CONTROL_STAGE_SETUP && request->bmRequestType_bit.type == TUSB_REQ_TYPE_STANDARD
        && request->bRequest == TUSB_REQ_SET_INTERFACE && request->wIndex == ncm_itf + 1) {
        set_active(request->wValue == 1);
    }
    return ok;
}

static bool ncm_xfer_cb(uint8_t rhport, uint8_t ep_addr, xfer_result_t result, uint32_t xferred_bytes) {
    // TinyUSB's netd_xfer_cb behind a stricter check of received blocks (mprt_usb_ncm_class.c)
    bool ok = mprt_usb_ncm_xfer_cb(rhport, ep_addr, result, xferred_bytes);
    // a transfer block went out: queued frames may fit now
    tx_pump(NULL);
    return ok;
}

static const usbd_class_driver_t ncm_driver = {
    #if CFG_TUSB_DEBUG >= 2
    .name = "NCM",
    #endif
    .init = ncm_init,
    .deinit = ncm_deinit,
    .reset = ncm_reset,
    .open = ncm_open,
    .control_xfer_cb = ncm_control_xfer_cb,
    .xfer_cb = ncm_xfer_cb,
    .sof = NULL,
};

const usbd_class_driver_t *mprt_usb_ncm_driver(void) {
    return &ncm_driver;
}
