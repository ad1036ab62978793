// MicroPythonRT rp2 port: the network module (API spec, F13): network.netif lists lwIP's interfaces
// (lo0 always), indexable by index or name, with .default; an interface reports its addresses and can
// be configured, enabled, and run DHCP; network.dns_servers(). Every lwIP call runs in the tcpip task
// (tcpip_api_call); the module keeps no lwIP pointer, only interface indexes.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "net_socket.h"

#include "lwip/netif.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/ip_addr.h"
#include "lwip/priv/tcpip_priv.h"

// ---- calls in the tcpip task ----

typedef struct {
    char name[8];
    uint8_t index;
    uint8_t mac[6];
    uint8_t mac_len;
    uint16_t mtu;
    bool up, link_up, dhcp;
    ip4_addr_t ip, mask, gw;
    ip6_addr_t ip6[LWIP_IPV6_NUM_ADDRESSES];
    uint8_t ip6_valid[LWIP_IPV6_NUM_ADDRESSES];
} netif_info_t;

typedef struct {
    struct tcpip_api_call_data call;
    int op;
    int index; // in: interface index (0: the default), or a position with op OP_NTH
    netif_info_t info;
    ip4_addr_t ip, mask, gw;
    bool flag;
    ip_addr_t dns[DNS_MAX_SERVERS];
    int count;
} net_call_t;

enum { OP_COUNT, OP_NTH, OP_INFO, OP_CONFIGURE, OP_ENABLE, OP_DHCP_START, OP_DHCP_STOP, OP_DHCP_RENEW,
       OP_DNS_GET, OP_DNS_SET };

static void fill(struct netif *n, netif_info_t *i) {
    memset(i, 0, sizeof(*i));
    netif_index_to_name(netif_get_index(n), i->name);
    i->index = netif_get_index(n);
    i->mac_len = n->hwaddr_len > 6 ? 6 : n->hwaddr_len;
    memcpy(i->mac, n->hwaddr, i->mac_len);
    i->mtu = n->mtu;
    i->up = netif_is_up(n);
    i->link_up = netif_is_link_up(n);
    i->dhcp = netif_dhcp_data(n) != NULL && dhcp_supplied_address(n);
    i->ip = *netif_ip4_addr(n);
    i->mask = *netif_ip4_netmask(n);
    i->gw = *netif_ip4_gw(n);
    for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++) {
        i->ip6[k] = *netif_ip6_addr(n, k);
        i->ip6_valid[k] = ip6_addr_isvalid(netif_ip6_addr_state(n, k));
    }
}

static err_t net_call_in_tcpip(struct tcpip_api_call_data *call) {
    net_call_t *c = (net_call_t *)call;
    struct netif *n = NULL;
    if (c->op == OP_COUNT || c->op == OP_NTH) {
        int k = 0;
        NETIF_FOREACH(n) {
            if (c->op == OP_NTH && k == c->index) {
                fill(n, &c->info);
                return ERR_OK;
            }
            k++;
        }
        c->count = k;
        return c->op == OP_COUNT ? ERR_OK : ERR_ARG;
    }
    if (c->op == OP_DNS_GET || c->op == OP_DNS_SET) {
        for (int k = 0; k < DNS_MAX_SERVERS; k++) {
            if (c->op == OP_DNS_SET) {
                dns_setserver(k, k < c->count ? &c->dns[k] : IP_ADDR_ANY);
            } else {
                c->dns[k] = *dns_getserver(k);
            }
        }
        return ERR_OK;
    }
    n = c->index == 0 ? netif_default : netif_get_by_index(c->index);
    if (n == NULL) {
        return ERR_ARG;
    }
    switch (c->op) {
        case OP_CONFIGURE:
            netif_set_addr(n, &c->ip, &c->mask, &c->gw);
            break;
        case OP_ENABLE:
            if (c->flag) {
                netif_set_up(n);
            } else {
                netif_set_down(n);
            }
            break;
        case OP_DHCP_START:
            if (dhcp_start(n) != ERR_OK) {
                return ERR_MEM;
            }
            break;
        case OP_DHCP_STOP:
            dhcp_release_and_stop(n);
            break;
        case OP_DHCP_RENEW:
            dhcp_renew(n);
            break;
        default:
            break;
    }
    fill(n, &c->info);
    return ERR_OK;
}

static void net_call(net_call_t *c) {
    if (tcpip_api_call(net_call_in_tcpip, &c->call) != ERR_OK) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("no such interface"));
    }
}

static mp_obj_t ip4_str(const ip4_addr_t *a) {
    char buf[16];
    ip4addr_ntoa_r(a, buf, sizeof(buf));
    return mp_obj_new_str_from_cstr(buf);
}

static void ip4_parse(mp_obj_t s, ip4_addr_t *out) {
    if (!ip4addr_aton(mp_obj_str_get_str(s), out)) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid IPv4 address"));
    }
}

// ---- an interface ----

typedef struct {
    mp_obj_base_t base;
    int index;
} netif_obj_t;

static const mp_obj_type_t netif_type;

static mp_obj_t netif_new(int index) {
    netif_obj_t *o = mp_obj_malloc(netif_obj_t, &netif_type);
    o->index = index;
    return MP_OBJ_FROM_PTR(o);
}

static void netif_get(mp_obj_t self_in, net_call_t *c, int op) {
    netif_obj_t *self = MP_OBJ_TO_PTR(self_in);
    memset(c, 0, sizeof(*c));
    c->op = op;
    c->index = self->index;
}

static void netif_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    net_call_t c;
    netif_get(self_in, &c, OP_INFO);
    net_call(&c);
    char buf[16];
    ip4addr_ntoa_r(&c.info.ip, buf, sizeof(buf));
    mp_printf(print, "<netif %s index=%d address=%s %s>", c.info.name, c.info.index, buf, c.info.up ? "up" : "down");
}

static void netif_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return;
    }
    static const qstr data_attrs[] = { MP_QSTR_index, MP_QSTR_name, MP_QSTR_address, MP_QSTR_netmask,
                                       MP_QSTR_gateway, MP_QSTR_addresses, MP_QSTR_mac, MP_QSTR_mtu,
                                       MP_QSTR_enabled, MP_QSTR_link_up, MP_QSTR_dhcp };
    bool data = false;
    for (size_t k = 0; k < MP_ARRAY_SIZE(data_attrs); k++) {
        data |= attr == data_attrs[k];
    }
    if (!data) {
        dest[1] = MP_OBJ_SENTINEL;
        return;
    }
    net_call_t c;
    netif_get(self_in, &c, OP_INFO);
    net_call(&c);
    netif_info_t *i = &c.info;
    switch (attr) {
        case MP_QSTR_index:
            dest[0] = MP_OBJ_NEW_SMALL_INT(i->index);
            break;
        case MP_QSTR_name:
            dest[0] = mp_obj_new_str_from_cstr(i->name);
            break;
        case MP_QSTR_address:
            dest[0] = ip4_str(&i->ip);
            break;
        case MP_QSTR_netmask:
            dest[0] = ip4_str(&i->mask);
            break;
        case MP_QSTR_gateway:
            dest[0] = ip4_str(&i->gw);
            break;
        case MP_QSTR_addresses: {
            mp_obj_t list = mp_obj_new_list(0, NULL);
            if (!ip4_addr_isany_val(i->ip)) {
                mp_obj_list_append(list, ip4_str(&i->ip));
            }
            for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES; k++) {
                if (i->ip6_valid[k]) {
                    char buf[INET6_ADDRSTRLEN];
                    ip6_addr_clear_zone(&i->ip6[k]);
                    inet_ntop(AF_INET6, i->ip6[k].addr, buf, sizeof(buf));
                    mp_obj_list_append(list, mp_obj_new_str_from_cstr(buf));
                }
            }
            dest[0] = list;
            break;
        }
        case MP_QSTR_mac:
            dest[0] = mp_obj_new_bytes(i->mac, i->mac_len);
            break;
        case MP_QSTR_mtu:
            dest[0] = MP_OBJ_NEW_SMALL_INT(i->mtu);
            break;
        case MP_QSTR_enabled:
            dest[0] = mp_obj_new_bool(i->up);
            break;
        case MP_QSTR_link_up:
            dest[0] = mp_obj_new_bool(i->link_up);
            break;
        default:
            dest[0] = mp_obj_new_bool(i->dhcp);
            break;
    }
}

static mp_obj_t netif_configure(size_t n_args, const mp_obj_t *args) {
    net_call_t c;
    netif_get(args[0], &c, OP_CONFIGURE);
    ip4_parse(args[1], &c.ip);
    ip4_parse(args[2], &c.mask);
    if (n_args > 3) {
        ip4_parse(args[3], &c.gw);
    }
    net_call(&c);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(netif_configure_obj, 3, 4, netif_configure);

static mp_obj_t netif_op(mp_obj_t self_in, int op, bool flag) {
    net_call_t c;
    netif_get(self_in, &c, op);
    c.flag = flag;
    net_call(&c);
    return mp_const_none;
}

static mp_obj_t netif_enable(mp_obj_t self_in, mp_obj_t b) {
    return netif_op(self_in, OP_ENABLE, mp_obj_is_true(b));
}
static MP_DEFINE_CONST_FUN_OBJ_2(netif_enable_obj, netif_enable);

static mp_obj_t netif_dhcp_start(mp_obj_t self_in) {
    return netif_op(self_in, OP_DHCP_START, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(netif_dhcp_start_obj, netif_dhcp_start);

static mp_obj_t netif_dhcp_stop(mp_obj_t self_in) {
    return netif_op(self_in, OP_DHCP_STOP, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(netif_dhcp_stop_obj, netif_dhcp_stop);

static mp_obj_t netif_dhcp_renew(mp_obj_t self_in) {
    return netif_op(self_in, OP_DHCP_RENEW, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(netif_dhcp_renew_obj, netif_dhcp_renew);

static mp_obj_t netif_eq(mp_binary_op_t op, mp_obj_t a, mp_obj_t b) {
    if (op == MP_BINARY_OP_EQUAL && mp_obj_is_type(b, &netif_type)) {
        return mp_obj_new_bool(((netif_obj_t *)MP_OBJ_TO_PTR(a))->index == ((netif_obj_t *)MP_OBJ_TO_PTR(b))->index);
    }
    return MP_OBJ_NULL;
}

static const mp_rom_map_elem_t netif_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_configure), MP_ROM_PTR(&netif_configure_obj) },
    { MP_ROM_QSTR(MP_QSTR_enable), MP_ROM_PTR(&netif_enable_obj) },
    { MP_ROM_QSTR(MP_QSTR_dhcp_start), MP_ROM_PTR(&netif_dhcp_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_dhcp_stop), MP_ROM_PTR(&netif_dhcp_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_dhcp_renew), MP_ROM_PTR(&netif_dhcp_renew_obj) },
};
static MP_DEFINE_CONST_DICT(netif_locals, netif_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(netif_type, MP_QSTR_Netif, MP_TYPE_FLAG_NONE,
    print, netif_print, attr, netif_attr, binary_op, netif_eq, locals_dict, &netif_locals);

// ---- network.netif: the list of interfaces ----

static int netif_count(void) {
    net_call_t c = { .op = OP_COUNT };
    net_call(&c);
    return c.count;
}

static int netif_index_at(int pos) {
    net_call_t c = { .op = OP_NTH, .index = pos };
    net_call(&c);
    return c.info.index;
}

static mp_obj_t netifs_subscr(mp_obj_t self_in, mp_obj_t key, mp_obj_t value) {
    if (value != MP_OBJ_SENTINEL) {
        return MP_OBJ_NULL;
    }
    if (mp_obj_is_str(key)) {
        const char *name = mp_obj_str_get_str(key);
        int n = netif_count();
        for (int k = 0; k < n; k++) {
            net_call_t c = { .op = OP_NTH, .index = k };
            net_call(&c);
            if (strcmp(c.info.name, name) == 0) {
                return netif_new(c.info.index);
            }
        }
        mp_raise_type_arg(&mp_type_KeyError, key);
    }
    int n = netif_count();
    mp_int_t k = mp_obj_get_int(key);
    if (k < 0) {
        k += n;
    }
    if (k < 0 || k >= n) {
        mp_raise_type(&mp_type_IndexError);
    }
    return netif_new(netif_index_at(k));
}

static mp_obj_t netifs_unary(mp_unary_op_t op, mp_obj_t self_in) {
    if (op == MP_UNARY_OP_LEN) {
        return MP_OBJ_NEW_SMALL_INT(netif_count());
    }
    return MP_OBJ_NULL;
}

static mp_obj_t netifs_getiter(mp_obj_t self_in, mp_obj_iter_buf_t *iter_buf) {
    int n = netif_count();
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (int k = 0; k < n; k++) {
        mp_obj_list_append(list, netif_new(netif_index_at(k)));
    }
    return mp_getiter(list, iter_buf);
}

static void netifs_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_default) {
        net_call_t c = { .op = OP_INFO, .index = 0 };
        if (tcpip_api_call(net_call_in_tcpip, &c.call) != ERR_OK) {
            dest[0] = mp_const_none;
        } else {
            dest[0] = netif_new(c.info.index);
        }
    }
}

static MP_DEFINE_CONST_OBJ_TYPE(netifs_type, MP_QSTR_Netifs, MP_TYPE_FLAG_ITER_IS_GETITER,
    subscr, netifs_subscr, unary_op, netifs_unary, iter, netifs_getiter, attr, netifs_attr);

static const mp_obj_base_t netifs_obj = { &netifs_type };

// network.dns_servers([list]) -> the DNS servers (a list of str); with a list, sets them.
static mp_obj_t mod_dns_servers(size_t n_args, const mp_obj_t *args) {
    net_call_t c = { .op = OP_DNS_GET };
    if (n_args > 0) {
        size_t n;
        mp_obj_t *items;
        mp_obj_get_array(args[0], &n, &items);
        if (n > DNS_MAX_SERVERS) {
            mp_raise_ValueError(MP_ERROR_TEXT("too many DNS servers"));
        }
        for (size_t k = 0; k < n; k++) {
            if (!ipaddr_aton(mp_obj_str_get_str(items[k]), &c.dns[k])) {
                mp_raise_ValueError(MP_ERROR_TEXT("invalid address"));
            }
        }
        c.op = OP_DNS_SET;
        c.count = n;
        net_call(&c);
        return mp_const_none;
    }
    net_call(&c);
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (int k = 0; k < DNS_MAX_SERVERS; k++) {
        if (!ip_addr_isany(&c.dns[k])) {
            char buf[INET6_ADDRSTRLEN];
            ipaddr_ntoa_r(&c.dns[k], buf, sizeof(buf));
            mp_obj_list_append(list, mp_obj_new_str_from_cstr(buf));
        }
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_dns_servers_obj, 0, 1, mod_dns_servers);

static const mp_rom_map_elem_t mp_module_network_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_network) },
    { MP_ROM_QSTR(MP_QSTR_netif), MP_ROM_PTR(&netifs_obj) },
    { MP_ROM_QSTR(MP_QSTR_dns_servers), MP_ROM_PTR(&mod_dns_servers_obj) },
};
static MP_DEFINE_CONST_DICT(mp_module_network_globals, mp_module_network_globals_table);

const mp_obj_module_t mp_module_network = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mp_module_network_globals,
};

MP_REGISTER_MODULE(MP_QSTR_network, mp_module_network);
