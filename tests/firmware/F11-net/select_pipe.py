# select and selectors over sockets and a pipe together.
import os
import select
import selectors
import socket

a, b = socket.socketpair()
r, w = os.pipe()
print(select.select([a, b, r], [], [], 0))
os.write(w, b"p")
b.send(b"s")
rl, wl, xl = select.select([a, b, r], [a], [], 1)
print(sorted("pipe" if x == r else "a" if x is a else "b" for x in rl), wl == [a])
print(a.recv(1), os.read(r, 1))

sel = selectors.DefaultSelector()
sel.register(a, selectors.EVENT_READ, "sock")
sel.register(r, selectors.EVENT_READ, "pipe")
print(sel.select(0))
os.write(w, b"q")
print([k.data for k, ev in sel.select(1)])
os.read(r, 1)
b.send(b"t")
print([k.data for k, ev in sel.select(1)])
a.recv(1)
b.close()
print([(k.data, ev) for k, ev in sel.select(1)])
print(a.recv(1))
sel.close()
a.close()
os.close(r)
os.close(w)
