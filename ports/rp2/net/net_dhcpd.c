// MicroPythonRT rp2 port: a small DHCP server (RFC 2131/2132) for the USB network link (docs/network.md
// "USB network link"), so the host gets an address on 192.168.7.0/24 with no configuration. It runs in
// the tcpip task on lwIP's raw UDP API (port 67 on us1 only): DISCOVER -> OFFER, REQUEST -> ACK or NAK,
// RELEASE and DECLINE free the lease. Leases: 192.168.7.16 .. 192.168.7.16 + LEASES - 1, one per client
// hardware address, the oldest given away when all are taken. No router and no DNS server is offered (the
// board routes nowhere). Written from the RFCs.

#include <stdbool.h>
#include <string.h>

#include "lwip/udp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/sys.h"
#include "net_usb.h"

#define LEASES (8)
#define FIRST_HOST (16)
#define LEASE_SECONDS (86400)

#define OP_REQUEST (1)
#define OP_REPLY (2)
#define MAGIC (0x63825363u)
// the fixed part of a message: op .. file, then the magic cookie
#define FIXED_LEN (236)

enum {
    OPT_PAD = 0, OPT_MASK = 1, OPT_REQUESTED_IP = 50, OPT_LEASE = 51, OPT_TYPE = 53, OPT_SERVER_ID = 54, OPT_END = 255,
};
enum {
    DISCOVER = 1, OFFER = 2, REQUEST = 3, DECLINE = 4, ACK = 5, NAK = 6, RELEASE = 7, INFORM = 8,
};

typedef struct {
    uint8_t mac[6];
    bool used;
    uint32_t stamp; // sys_now() when last given
} lease_t;

static lease_t leases[LEASES];
static struct udp_pcb *pcb;
static struct netif *link;

static uint32_t host_addr(int i) {
    // network byte order as lwIP keeps it
    return PP_HTONL((192u << 24) | (168u << 16) | (7u << 8) | (uint32_t)(FIRST_HOST + i));
}

static int lease_of(const uint8_t *mac) {
    for (int i = 0; i < LEASES; i++) {
        if (leases[i].used && memcmp(leases[i].mac, mac, 6) == 0) {
            return i;
        }
    }
    return -1;
}

static int lease_new(const uint8_t *mac) {
    int pick = 0;
    for (int i = 0; i < LEASES; i++) {
        if (!leases[i].used) {
            pick = i;
            break;
        }
        if ((int32_t)(leases[i].stamp - leases[pick].stamp) < 0) {
            pick = i;
        }
    }
    memcpy(leases[pick].mac, mac, 6);
    leases[pick].used = true;
    leases[pick].stamp = sys_now();
    return pick;
}

// the value of option `code` in the options area (NULL if absent), its length in *len
static const uint8_t *option(const uint8_t *opt, size_t n, uint8_t code, uint8_t *len) {
    for (size_t i = 0; i < n;) {
        if (opt[i] == OPT_PAD) {
            i++;
            continue;
        }
        if (opt[i] == OPT_END || i + 1 >= n || i + 2 + opt[i + 1] > n) {
            break;
        }
        if (opt[i] == code) {
            *len = opt[i + 1];
            return opt + i + 2;
        }
        i += 2 + opt[i + 1];
    }
    return NULL;
}

static void reply(const uint8_t *req, uint8_t type, uint32_t yiaddr) {
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, FIXED_LEN + 4 + 32, PBUF_RAM);
    if (p == NULL) {
        return;
    }
    uint8_t *m = p->payload;
    memset(m, 0, p->len);
    m[0] = OP_REPLY;
    m[1] = 1; // Ethernet
    m[2] = 6;
    memcpy(m + 4, req + 4, 4);   // xid
    memcpy(m + 10, req + 10, 2); // flags
    memcpy(m + 16, &yiaddr, 4);  // yiaddr
    memcpy(m + 24, req + 24, 4); // giaddr
    memcpy(m + 28, req + 28, 16); // chaddr
    uint8_t *o = m + FIXED_LEN;
    *o++ = MAGIC >> 24;
    *o++ = (MAGIC >> 16) & 0xff;
    *o++ = (MAGIC >> 8) & 0xff;
    *o++ = MAGIC & 0xff;
    *o++ = OPT_TYPE;
    *o++ = 1;
    *o++ = type;
    *o++ = OPT_SERVER_ID;
    *o++ = 4;
    memcpy(o, netif_ip4_addr(link), 4);
    o += 4;
    if (type != NAK) {
        *o++ = OPT_LEASE;
        *o++ = 4;
        *o++ = (LEASE_SECONDS >> 24) & 0xff;
        *o++ = (LEASE_SECONDS >> 16) & 0xff;
        *o++ = (LEASE_SECONDS >> 8) & 0xff;
        *o++ = LEASE_SECONDS & 0xff;
        *o++ = OPT_MASK;
        *o++ = 4;
        memcpy(o, netif_ip4_netmask(link), 4);
        o += 4;
    }
    *o++ = OPT_END;
    // the client has no address yet: broadcast on the link (RFC 2131 4.1)
    udp_sendto_if(pcb, p, IP_ADDR_BROADCAST, 68, link);
    pbuf_free(p);
}

static void handle(const uint8_t *msg, size_t n);

static void recv_cb(void *arg, struct udp_pcb *upcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)arg;
    (void)upcb;
    (void)addr;
    (void)port;
    // frames from the link arrive in one pbuf (net_usb.c): read the message in place (the tcpip task's
    // stack is small)
    struct netif *in = ip_current_input_netif();
    const uint8_t *msg = p->payload;
    size_t n = p->len;
    if (p->tot_len != p->len || in != link || n < FIXED_LEN + 4 || msg[0] != OP_REQUEST || msg[1] != 1 || msg[2] != 6) {
        pbuf_free(p);
        return;
    }
    uint32_t magic = ((uint32_t)msg[236] << 24) | (msg[237] << 16) | (msg[238] << 8) | msg[239];
    if (magic == MAGIC) {
        handle(msg, n);
    }
    pbuf_free(p);
}

static void handle(const uint8_t *msg, size_t n) {
    const uint8_t *opts = msg + FIXED_LEN + 4;
    size_t olen = n - FIXED_LEN - 4;
    uint8_t len;
    const uint8_t *t = option(opts, olen, OPT_TYPE, &len);
    if (t == NULL || len != 1) {
        return;
    }
    const uint8_t *mac = msg + 28;
    int i = lease_of(mac);
    switch (*t) {
        case DISCOVER:
            if (i < 0) {
                i = lease_new(mac);
            }
            reply(msg, OFFER, host_addr(i));
            break;
        case REQUEST: {
            const uint8_t *sid = option(opts, olen, OPT_SERVER_ID, &len);
            if (sid != NULL && (len != 4 || memcmp(sid, netif_ip4_addr(link), 4) != 0)) {
                // the client chose another server
                break;
            }
            uint32_t want;
            const uint8_t *req = option(opts, olen, OPT_REQUESTED_IP, &len);
            if (req != NULL && len == 4) {
                memcpy(&want, req, 4);
            } else {
                memcpy(&want, msg + 12, 4); // ciaddr (renewing)
            }
            if (i < 0 && sid != NULL) {
                i = lease_new(mac); // its lease was taken back meanwhile: a new one, if it asked for it
                if (want != host_addr(i)) {
                    leases[i].used = false;
                    reply(msg, NAK, 0);
                    break;
                }
            }
            if (i < 0 || want != host_addr(i)) {
                reply(msg, NAK, 0);
                break;
            }
            leases[i].stamp = sys_now();
            reply(msg, ACK, host_addr(i));
            break;
        }
        case DECLINE:
        case RELEASE:
            if (i >= 0) {
                leases[i].used = false;
            }
            break;
        default:
            break;
    }
}

void mprt_net_dhcpd_start(struct netif *netif) {
    link = netif;
    pcb = udp_new();
    if (pcb == NULL) {
        return;
    }
    ip_set_option(pcb, SOF_BROADCAST);
    udp_bind_netif(pcb, netif);
    if (udp_bind(pcb, IP4_ADDR_ANY, 67) != ERR_OK) {
        udp_remove(pcb);
        pcb = NULL;
        return;
    }
    udp_recv(pcb, recv_cb, NULL);
}
