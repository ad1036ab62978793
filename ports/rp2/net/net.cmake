# The network stack (ports/rp2/net, docs/network.md): lwIP 2.2.1 (the lwip component, by reference) as
# the tcpip task on ports/rp2/net/sys_arch.c, sockets as fds of lib/posix on the netconn API, the BSD
# socket functions, the socket and network modules. Included by ports/rp2/posix/posix.cmake: it needs the
# fd layer. The MPRT_NET_* lists are read by templates/CMakeLists.txt.hbs through the posix lists.

set(MPRT_LWIP_DIR "${MPRT_LWIP_SRC_DIR}/src")
set(MPRT_NET_LWIP_SOURCE
    ${MPRT_LWIP_DIR}/api/api_lib.c
    ${MPRT_LWIP_DIR}/api/api_msg.c
    ${MPRT_LWIP_DIR}/api/err.c
    ${MPRT_LWIP_DIR}/api/netbuf.c
    ${MPRT_LWIP_DIR}/api/tcpip.c
    ${MPRT_LWIP_DIR}/core/def.c
    ${MPRT_LWIP_DIR}/core/dns.c
    ${MPRT_LWIP_DIR}/core/inet_chksum.c
    ${MPRT_LWIP_DIR}/core/init.c
    ${MPRT_LWIP_DIR}/core/ip.c
    ${MPRT_LWIP_DIR}/core/mem.c
    ${MPRT_LWIP_DIR}/core/memp.c
    ${MPRT_LWIP_DIR}/core/netif.c
    ${MPRT_LWIP_DIR}/core/pbuf.c
    ${MPRT_LWIP_DIR}/core/raw.c
    ${MPRT_LWIP_DIR}/core/stats.c
    ${MPRT_LWIP_DIR}/core/sys.c
    ${MPRT_LWIP_DIR}/core/tcp.c
    ${MPRT_LWIP_DIR}/core/tcp_in.c
    ${MPRT_LWIP_DIR}/core/tcp_out.c
    ${MPRT_LWIP_DIR}/core/timeouts.c
    ${MPRT_LWIP_DIR}/core/udp.c
    ${MPRT_LWIP_DIR}/core/ipv4/acd.c
    ${MPRT_LWIP_DIR}/core/ipv4/dhcp.c
    ${MPRT_LWIP_DIR}/core/ipv4/etharp.c
    ${MPRT_LWIP_DIR}/core/ipv4/icmp.c
    ${MPRT_LWIP_DIR}/core/ipv4/igmp.c
    ${MPRT_LWIP_DIR}/core/ipv4/ip4.c
    ${MPRT_LWIP_DIR}/core/ipv4/ip4_addr.c
    ${MPRT_LWIP_DIR}/core/ipv4/ip4_frag.c
    ${MPRT_LWIP_DIR}/core/ipv6/ethip6.c
    ${MPRT_LWIP_DIR}/core/ipv6/icmp6.c
    ${MPRT_LWIP_DIR}/core/ipv6/inet6.c
    ${MPRT_LWIP_DIR}/core/ipv6/ip6.c
    ${MPRT_LWIP_DIR}/core/ipv6/ip6_addr.c
    ${MPRT_LWIP_DIR}/core/ipv6/ip6_frag.c
    ${MPRT_LWIP_DIR}/core/ipv6/mld6.c
    ${MPRT_LWIP_DIR}/core/ipv6/nd6.c
    ${MPRT_LWIP_DIR}/netif/ethernet.c
)
set(MPRT_NET_SOURCE
    ${MPRT_PORT_DIR}/net/sys_arch.c
    ${MPRT_PORT_DIR}/net/net_stack.c
    ${MPRT_PORT_DIR}/net/net_socket.c
    ${MPRT_PORT_DIR}/net/net_bsd.c
    ${MPRT_PORT_DIR}/net/net_usb.c
    ${MPRT_PORT_DIR}/net/net_dhcpd.c
)
# the Python modules join the port's sources, so their qstrs are scanned
set(MPRT_NET_SOURCE_PORT
    ${MPRT_PORT_DIR}/net/mp_modsocket.c
    ${MPRT_PORT_DIR}/net/mp_modnetwork.c
    ${MPRT_PORT_DIR}/net/net_telnet.c
)
set(MPRT_NET_INCLUDE_DIRS ${MPRT_PORT_DIR}/net ${MPRT_PORT_DIR}/net/include ${MPRT_LWIP_DIR}/include)
set(MPRT_NET_DEFINITIONS MPRT_NET=1)
set_source_files_properties(${MPRT_NET_SOURCE} PROPERTIES COMPILE_OPTIONS "-Werror;-Wextra;-Wno-unused-parameter")
