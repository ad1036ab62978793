// MicroPythonRT rp2 port: the USB network link (ports/rp2/net/net_usb.c, docs/network.md).
#ifndef MICROPY_INCLUDED_NET_USB_H
#define MICROPY_INCLUDED_NET_USB_H

// the board's fixed address on the link
#define MPRT_NET_USB_IP "192.168.7.1"

// adds the interface (tcpip task: tcpip_init's callback)
void mprt_net_usb_start(void);

struct netif;
// the DHCP server on the link (net_dhcpd.c; tcpip task)
void mprt_net_dhcpd_start(struct netif *netif);

#endif
