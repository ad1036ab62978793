// MicroPythonRT rp2 port: lwIP's configuration (lwIP 2.2.1 as the tcpip task, docs/network.md).
//
// NO_SYS=0: lwIP runs in its own kernel task (tcpip thread) over ports/rp2/net/sys_arch.c. Sockets are
// built on the netconn API (ports/rp2/net/net_socket.c), which messages that task; lwIP's own socket
// layer (sockets.c, with its fixed array) is not compiled. Memory comes from the C heap: MEM_LIBC_MALLOC
// for the heap and MEMP_MEM_MALLOC for the pools, so no count of sockets, PCBs or pbufs is fixed.
#ifndef MPRT_LWIPOPTS_H
#define MPRT_LWIPOPTS_H

#define NO_SYS                          0
#define SYS_LIGHTWEIGHT_PROT            1
#define LWIP_TCPIP_CORE_LOCKING         0
#define LWIP_TCPIP_CORE_LOCKING_INPUT   0

// ---- memory: all of it from malloc ----
#define MEM_LIBC_MALLOC                 1
#define MEMP_MEM_MALLOC                 1
#define MEM_ALIGNMENT                   4
#define MEMP_NUM_TCPIP_MSG_INPUT        8

// ---- the tcpip task ----
#define TCPIP_THREAD_NAME               "tcpip"
#define TCPIP_THREAD_STACKSIZE          1536 // bytes
#define TCPIP_THREAD_PRIO               MPRT_NET_TCPIP_PRIORITY
#define TCPIP_MBOX_SIZE                 32
#define DEFAULT_RAW_RECVMBOX_SIZE       8
#define DEFAULT_UDP_RECVMBOX_SIZE       8
#define DEFAULT_TCP_RECVMBOX_SIZE       8
#define DEFAULT_ACCEPTMBOX_SIZE         32
#define DEFAULT_THREAD_STACKSIZE        1024

// ---- protocols ----
#define LWIP_IPV4                       1
#define LWIP_IPV6                       1
#define LWIP_ARP                        1
#define LWIP_ETHERNET                   1
#define LWIP_ICMP                       1
#define LWIP_RAW                        1
#define LWIP_UDP                        1
#define LWIP_TCP                        1
#define LWIP_DHCP                       1
#define LWIP_DNS                        1
#define LWIP_IGMP                       1
#define LWIP_AUTOIP                     0
#define LWIP_IPV6_DHCP6                 0
#define LWIP_IPV6_MLD                   1
#define LWIP_ND6_NUM_DESTINATIONS       4
#define SO_REUSE                        1
#define LWIP_TCP_KEEPALIVE              1
#define LWIP_SO_RCVBUF                  0
#define LWIP_SO_SNDTIMEO                0
#define LWIP_SO_RCVTIMEO                0 // timeouts are the fd layer's (docs/network.md)
#define LWIP_NETIF_HOSTNAME             1
#define LWIP_NETIF_STATUS_CALLBACK      1
#define LWIP_NETIF_LINK_CALLBACK        1
#define LWIP_NETIF_API                  0

#define TCP_MSS                         1460
#define TCP_WND                         (4 * TCP_MSS)
#define TCP_SND_BUF                     (4 * TCP_MSS)
#define TCP_SND_QUEUELEN                ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
#define TCP_QUEUE_OOSEQ                 1
#define TCP_MSL                         2000 // ms: TIME_WAIT lasts 4 s (RFC 793 says 2 min); a PCB in it is
                                             // reused first when memory runs out
#define TCP_LISTEN_BACKLOG              0
#define LWIP_TCP_SACK_OUT               0
#define PBUF_POOL_SIZE                  16 // only a limit on pool pbufs (from malloc), none at start
#define DNS_MAX_SERVERS                 2
#define LWIP_DHCP_DOES_ACD_CHECK        0

// ---- the loopback interface lo0 (127.0.0.1, ::1), always present ----
#define LWIP_NETIF_LOOPBACK             1
#define LWIP_HAVE_LOOPIF                1
#define LWIP_LOOPBACK_MAX_PBUFS         0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 1

// ---- APIs: netconn only (no sockets.c) ----
#define LWIP_NETCONN                    1
#define LWIP_SOCKET                     0
#define LWIP_NETCONN_SEM_PER_THREAD     0
#define LWIP_NETCONN_FULLDUPLEX         0
#define LWIP_NETDB                      0
#define LWIP_COMPAT_SOCKETS             0
#define LWIP_POSIX_SOCKETS_IO_NAMES     0

// ---- checks and statistics ----
#define LWIP_STATS                      0
#define LWIP_CHKSUM_ALGORITHM           3
#define LWIP_NOASSERT                   0

#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1 // <arpa/inet.h> (include/mprt_socket.h) has them
#define LWIP_RAND()                     (mprt_net_rand())
#include <stdint.h>
uint32_t mprt_net_rand(void);

#endif // MPRT_LWIPOPTS_H
