# os.read, os.readinto and os.write on files of the VFS go straight to the file's stream, looking the fd
# up again only when what an fd names (or its status flags) changed: a dup2 onto it, a close, the same
# number opened again, the access mode and O_APPEND are all followed. Expected output: CPython's, but
# for os.readinto (CPython 3.14).
import os, errno


def err(f, *a):
    try:
        f(*a)
        print("no error")
    except OSError as e:
        print("OSError", errno.errorcode[e.errno])


with open("fdd_a.tmp", "wb") as f:
    f.write(b"aaaaaaaa")
with open("fdd_b.tmp", "wb") as f:
    f.write(b"bbbbbbbb")
fa = os.open("fdd_a.tmp", os.O_RDONLY)
fb = os.open("fdd_b.tmp", os.O_RDONLY)
print(os.read(fa, 2), os.read(fb, 2))
os.dup2(fb, fa)  # fa names b's file now, with its offset
print(os.read(fa, 2), os.read(fb, 2), os.read(fa, 2))
os.close(fa)
err(os.read, fa, 1)
fa2 = os.open("fdd_a.tmp", os.O_RDONLY)  # the lowest free number: fa again
print(fa2 == fa, os.read(fa, 3))
if hasattr(os, "readinto"):
    b = bytearray(4)
    print(os.readinto(fa, b), bytes(b))
else:
    print(4, os.read(fa, 4))
err(os.write, fa, b"x")
os.close(fa)
os.close(fb)

fw = os.open("fdd_a.tmp", os.O_WRONLY)
err(os.read, fw, 1)
print(os.write(fw, b"12"), os.write(fw, b"34"))
os.close(fw)
fw = os.open("fdd_a.tmp", os.O_WRONLY | os.O_APPEND)
print(os.write(fw, b"56"))
os.close(fw)
fw = os.open("fdd_a.tmp", os.O_RDWR)
print(os.read(fw, 2), os.write(fw, b"xy"), os.read(fw, 20))
os.close(fw)
print(open("fdd_a.tmp", "rb").read())
os.remove("fdd_a.tmp")
os.remove("fdd_b.tmp")
