# A TCP echo server in a thread serves 100 client connections that are all open at the same time
# (over the loopback interface; the server closes its end after echoing, the clients stay open until
# every echo has been read). The C heap grows into the RAM pool it shares with the GC heap for them
# (docs/memory.md): the default firmware's own 32 KB part holds about 45.
import socket
import _thread
import time

N = 100
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(N)
addr = srv.getsockname()
served = []
lock = _thread.allocate_lock()


def server():
    n = 0
    for _ in range(N):
        conn, _peer = srv.accept()
        data = conn.recv(64)
        conn.sendall(data)
        conn.close()
        n += 1
    with lock:
        served.append(n)


_thread.start_new_thread(server, ())
clients = []
for i in range(N):
    c = socket.create_connection(addr)
    c.sendall(b"hello %d" % i)
    clients.append(c)
ok = 0
for i, c in enumerate(clients):
    if c.recv(64) == b"hello %d" % i and c.recv(64) == b"":
        ok += 1
print("clients open at once:", len(clients))
print("echoes right:", ok)
for c in clients:
    c.close()
for _ in range(200):
    with lock:
        if served:
            break
    time.sleep(0.05)
print("served:", served)
srv.close()
