# IPv6 over the loopback interface (::1): TCP and UDP, addresses as 4-tuples, inet_pton/inet_ntop.
import socket

s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", 0))
s.listen(1)
host, port, flow, scope = s.getsockname()
print(host, port > 0, flow, scope)
c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
c.connect(("::1", port))
a, peer = s.accept()
print(peer[0], peer[1] == c.getsockname()[1])
c.sendall(b"over ipv6")
print(a.recv(32))
a.sendall(b"back")
print(c.recv(32))
for x in (a, c, s):
    x.close()

u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.bind(("::1", 0))
u.sendto(b"dgram6", u.getsockname())
data, peer = u.recvfrom(64)
print(data, peer[0])
u.close()

for text in ("::1", "fe80::1:2", "2001:db8::ff00:42:8329", "::"):
    packed = socket.inet_pton(socket.AF_INET6, text)
    print(len(packed), socket.inet_ntop(socket.AF_INET6, packed))
print(socket.inet_pton(socket.AF_INET, "192.168.1.20"))
print(socket.inet_ntop(socket.AF_INET, b"\x7f\x00\x00\x01"))
for bad in ("1.2.3", "256.1.1.1", "1.2.3.4x"):
    try:
        socket.inet_pton(socket.AF_INET, bad)
    except OSError:
        print("bad", bad)
print(socket.getaddrinfo("::1", 80, socket.AF_INET6, socket.SOCK_STREAM)[0][4][:2])
