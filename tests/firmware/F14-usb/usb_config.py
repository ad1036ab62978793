# usb (F14, docs/usb.md): the bus state in the emulator (enumerated and configured by the harness's USB
# host), every ValueError of the UsbConfig builder (order, hardware fit, functions this build cannot
# do: ECM/RNDIS; an msc() before the console's cdc()), save/exists/load/delete through the key-value store, and a corrupt saved configuration.
import os
import usb

print(usb.connected(), usb.mounted(), usb.suspended(), usb.speed())


def err(f, *a, **k):
    try:
        f(*a, **k)
    except ValueError as e:
        print("ValueError:", e)
    else:
        print("no error")


usb.UsbConfig.delete()
print(usb.UsbConfig.exists(), usb.UsbConfig.load())
c = usb.UsbConfig()
err(c.configuration)
err(c.cdc)
err(c.save)
err(c.device, vid=0x10000)
err(c.device, pid=-1)
err(c.device, product=b"x")
err(c.device, serial="s" * 127)
print(c.device(vid=0x1234, pid=0x5678, manufacturer="mprt", product="five ports", serial="s" * 126))
err(c.device)
err(c.cdc)
err(c.msc)
err(c.save)
err(c.configuration, attribute=0x40)
err(c.configuration, attribute=0x81)
err(c.configuration, power_ma=501)
err(c.configuration, str="x" * 127)
print(c.configuration(str="main", power_ma=100))
err(c.save)
err(c.cdc, str="p" * 127)
err(c.msc, vendor="too long vendor")
err(c.msc, product="a product name too long")
err(c.msc, revision="1\x01")
c.msc(vendor="MPRT", product="RAM disk", revision="0.1")
err(c.save)
for i in range(5):
    c.cdc(str="port %d" % i)
err(c.cdc)
err(c.msc)
err(c.net_ncm, b"\x03\x00\x00\x00\x00\x01")
err(c.net_ncm, "02:00:00:00:01")
err(c.net_ncm, 5)
err(c.net_ecm, b"\x02\x00\x00\x00\x00\x01")
err(c.net_rndis)
c.net_ncm("02:00:00:00:00:10")
err(c.net)
err(c.configuration)
err(c.save)
# none of the refused calls was saved or changed the builder
print(usb.UsbConfig.exists())
c = usb.UsbConfig()
c.device()
print(c.configuration(attribute=0xC0, power_ma=0))
for i in range(5):
    c.cdc()
c.save()
print(usb.UsbConfig.exists())
# a console and a disk: saved; the disk's INQUIRY fields come back from load()
e = usb.UsbConfig()
e.device()
e.configuration()
e.cdc()
e.msc(vendor="V", product="P", revision="R")
e.save()
print(usb.UsbConfig.load() == e, sorted(usb.UsbConfig.load()._calls[-1][1].items()))
c.save()
d = usb.UsbConfig.load()
print(d == c, d is c)
# saved: presented from the next power-up, so not yet now
print(usb.boot_status())
print(usb.UsbConfig.delete(), usb.UsbConfig.exists(), usb.UsbConfig.load(), usb.UsbConfig.delete())
# too big to save: the descriptors (three 126-character strings, 254 bytes each) or the saved JSON (control
# characters are saved as 6-byte escapes); device= out of range
big = usb.UsbConfig()
err(big.device, device=0x10000)
big.device(manufacturer="m" * 126, product="p" * 126, serial="s" * 126)
big.configuration()
big.cdc()
err(big.save)
big = usb.UsbConfig()
big.device(manufacturer="\x01" * 126, product="\x01" * 126, serial="\x01" * 126)
big.configuration(str="\x01" * 126)
for i in range(5):
    big.cdc(str="\x01" * 126)
err(big.save)
print(usb.UsbConfig.exists())
# a corrupt or invalid saved configuration: load() says why
for text in ('[1, [["cdc", {}]]]', "{garbage", '[2, []]', '[1, [["device", {}], ["configuration", {}], ["hid", {}]]]', '[1, [["device", {}], ["configuration", {}], ["msc", {}]]]'):
    os.putenv("MPRT_USB", text)
    err(usb.UsbConfig.load)
usb.UsbConfig.delete()
