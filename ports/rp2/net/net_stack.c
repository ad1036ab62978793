// MicroPythonRT rp2 port: the network stack's start: lwIP's tcpip task, once at boot (not at each soft
// reset: connections and interfaces outlive the VM; the VM's sockets are fds, closed by mp_posix_start).
// lwIP's loopback interface (lo0: 127.0.0.1 and ::1) is added by lwip_init.
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "net_socket.h"

void mprt_net_start(void) {
    tcpip_init(NULL, NULL);
}
