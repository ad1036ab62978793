# UDP over the loopback interface: an echo server thread, sendto/recvfrom, addresses, a connected
# UDP socket, MSG_PEEK, and a datagram larger than the receive buffer being cut.
import socket
import _thread
import time

srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 0))
addr = srv.getsockname()
print(addr[0], addr[1] > 0)


def echo():
    for _ in range(20):
        data, peer = srv.recvfrom(256)
        srv.sendto(data, peer)


_thread.start_new_thread(echo, ())
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.bind(("127.0.0.1", 0))
good = 0
for i in range(10):
    c.sendto(b"ping %d" % i, addr)
    data, peer = c.recvfrom(256)
    good += data == b"ping %d" % i and peer == addr
print("echoed", good)
c.connect(addr)
print(c.getpeername() == addr)
for i in range(10):
    c.send(b"x" * (i + 1))
    assert c.recv(256, socket.MSG_PEEK) == b"x" * (i + 1)
    good += len(c.recv(256)) == i + 1
print("echoed", good)
c.close()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.sendto(b"0123456789", u.getsockname())
print(u.recv(4))
u.settimeout(0)
try:
    u.recv(4)
except OSError as e:
    print("empty:", e.errno == 11)
u.close()
time.sleep(0.1)
srv.close()
