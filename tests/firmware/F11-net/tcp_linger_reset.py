# SO_LINGER {1, 0}: close() resets the connection (RST). The other end polls POLLIN|POLLERR|POLLHUP,
# reads the data sent before the reset, then ECONNRESET once, then the end of the stream (as Linux).
import socket, struct, time, select

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 8123))
srv.listen(1)
c = socket.socket()
print("default", struct.unpack("ii", c.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
c.connect(("127.0.0.1", 8123))
a, _ = srv.accept()
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
print("set", struct.unpack("ii", c.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
c.send(b"hello")
time.sleep(0.1)
c.close()
time.sleep(0.2)
p = select.poll()
p.register(a, select.POLLIN)
print("poll", [ev for _, ev in p.poll(1000)])
print(a.recv(10))
try:
    print(a.recv(10))
except OSError as e:
    print("error", e.errno)
print("poll", [ev for _, ev in p.poll(1000)])
print(a.recv(10))
a.close()

# without SO_LINGER the close is graceful: the other end reads the data, then the end of the stream
c = socket.socket()
c.connect(("127.0.0.1", 8123))
a, _ = srv.accept()
c.send(b"bye")
c.close()
time.sleep(0.2)
print(a.recv(10), a.recv(10))
a.close()
srv.close()
