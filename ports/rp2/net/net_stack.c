// MicroPythonRT rp2 port: the network stack's start: lwIP's tcpip task, once at boot (not at each soft
// reset: connections and interfaces outlive the VM; the VM's sockets are fds, closed by mp_posix_start).
// lwIP's loopback interface (lo0: 127.0.0.1 and ::1) is added by lwip_init, the USB network link's (us1)
// by net_usb.c when the task starts; then the telnet REPL (net_telnet.c), if TELNET asks for it.
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "net_socket.h"
#include "net_usb.h"
#include "net_telnet.h"

static void started(void *arg) {
    (void)arg;
    // the USB network link's interface (us1), in the tcpip task
    mprt_net_usb_start();
    // the telnet REPL's task, when the environment asks for it
    mprt_net_telnet_start();
}

void mprt_net_start(void) {
    tcpip_init(started, NULL);
}
