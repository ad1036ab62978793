// MicroPythonRT rp2 port: the telnet REPL (ports/rp2/net/net_telnet.c, docs/network.md "Telnet REPL").
#ifndef MICROPY_INCLUDED_NET_TELNET_H
#define MICROPY_INCLUDED_NET_TELNET_H

// below the tcpip task, above MicroPython's: Ctrl-C gets through while Python runs
#define MPRT_NET_TELNET_PRIORITY (MPRT_NET_TCPIP_PRIORITY - 1)

// Starts the server's task when TELNET in the environment asks for it (once, at power-up; tcpip task).
void mprt_net_telnet_start(void);

#endif
