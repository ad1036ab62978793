# settimeout semantics: None blocks (only the calling thread), 0 raises BlockingIOError (EAGAIN),
# t > 0 raises TimeoutError (ETIMEDOUT) after t seconds; gettimeout/getblocking; connect to a closed
# port is refused.
import errno
import socket
import time
import _thread

s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.gettimeout(), s.getblocking())
s.settimeout(0)
print(s.gettimeout(), s.getblocking())
try:
    s.accept()
except OSError as e:
    print("timeout 0:", e.errno == errno.EAGAIN)
s.settimeout(0.2)
print(s.gettimeout())
t0 = time.time_ns()
try:
    s.accept()
except OSError as e:
    print("timeout 0.2:", e.errno == errno.ETIMEDOUT or str(e) == "timed out")
dt = (time.time_ns() - t0) / 1e9
print("waited about 0.2 s:", 0.1 < dt < 1.0)
s.settimeout(None)
print(s.gettimeout(), s.getblocking())

# None: a blocked accept leaves other threads running
ticks = []


def ticker():
    for i in range(5):
        ticks.append(i)
        time.sleep(0.02)
    c = socket.create_connection(s.getsockname())
    c.sendall(b"done")
    c.close()


_thread.start_new_thread(ticker, ())
a, _ = s.accept()
print("ticks while blocked:", len(ticks))
print(a.recv(16))
a.settimeout(0.1)
try:
    a.recv(16) == b"" or a.recv(16)
    print("eof")
except OSError as e:
    print(e)
a.close()

port = s.getsockname()[1]
s.close()
c = socket.socket()
try:
    c.connect(("127.0.0.1", port))
except OSError as e:
    print("refused:", e.errno == errno.ECONNREFUSED)
c.close()
print(socket.getdefaulttimeout())
