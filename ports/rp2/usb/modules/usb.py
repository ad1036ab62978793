# usb: the USB device at run time (docs/usb.md). The bus state comes from TinyUSB through `_usb`;
# UsbConfig builds a descriptor set, checks that it fits the RP2040's USB controller and this build,
# and saves it in the power-safe key-value store (the environment variable MPRT_USB, lib/kvstore).
import os
import json
import binascii
import errno
import _usb
from _usb import speed, connected, mounted, suspended, connect, disconnect, boot_status, MAX_CDC, MAX_ENDPOINTS

_KEY = "MPRT_USB"
# the descriptor set the firmware presents from the next power-up (ports/rp2/usb/mprt_usb_desc.c)
_DESC_KEY = "MPRT_USB_DESC"
_VERSION = 1
# a string descriptor holds at most 126 UTF-16 units (bLength is one byte)
_MAX_STR = 126
# MSC INQUIRY fields: vendor 8, product 16, revision 4 ASCII bytes
_MSC_FIELDS = (("vendor", 8), ("product", 16), ("revision", 4))
# TinyUSB presents one configuration
_MAX_CONFIGURATIONS = 1
# a kvstore value holds at most 4095 bytes
_MAX_SAVED = 4095
# the descriptor set the firmware holds (mprt_usb_desc.c DESC_MAX)
_MAX_DESC = 768
_STR = type("")
# TinyUSB 0.18 builds CDC-NCM or ECM/RNDIS, never both (class/net/net_device.h): this build has NCM
_NO_ECM = "%s: this build's USB network function is CDC-NCM (TinyUSB builds NCM or ECM/RNDIS, not both); use net_ncm()"


def _str(name, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("%s must be a str" % name)
    if len(value) > _MAX_STR:
        raise ValueError("%s is longer than %d characters (a string descriptor's limit)" % (name, _MAX_STR))
    return value


def _u16(name, value):
    if not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise ValueError("%s must be an int in 0..0xffff" % name)
    return value


class UsbConfig:
    def __init__(self):
        self._calls = []
        self._device = None
        self._configs = []

    def __repr__(self):
        return "UsbConfig(%r)" % (self._calls,)

    def __eq__(self, other):
        return isinstance(other, UsbConfig) and self._calls == other._calls

    def device(self, vid=0x2E8A, pid=0x0005, device=0x0100, manufacturer=None, product=None, serial=None):
        if self._device is not None:
            raise ValueError("device() may be called only once")
        d = {
            "vid": _u16("vid", vid),
            "pid": _u16("pid", pid),
            "device": _u16("device", device),
            "manufacturer": _str("manufacturer", manufacturer),
            "product": _str("product", product),
            "serial": _str("serial", serial),
        }
        self._device = d
        self._calls.append(["device", d])

    def configuration(self, str=None, attribute=0x80, power_ma=100):
        if self._device is None:
            raise ValueError("device() must come before configuration()")
        if len(self._configs) >= _MAX_CONFIGURATIONS:
            raise ValueError("this build presents %d configuration" % _MAX_CONFIGURATIONS)
        if not isinstance(attribute, int) or attribute & ~0xE0 or not attribute & 0x80:
            raise ValueError("attribute must have bit 7 set and only bits 5-7 (0x80 | 0x40 self-powered | 0x20 remote wakeup)")
        if not isinstance(power_ma, int) or not 0 <= power_ma <= 500:
            raise ValueError("power_ma must be an int in 0..500")
        c = {"str": _str("str", str), "attribute": attribute, "power_ma": power_ma}
        self._configs.append({"cdc": 0, "msc": 0, "net": 0, "endpoints": 0, "interfaces": 0})
        self._calls.append(["configuration", c])
        return len(self._configs) - 1

    def _function(self, kind, endpoint_numbers, interfaces, limit, limit_name):
        if not self._configs:
            raise ValueError("configuration() must come before %s()" % kind)
        c = self._configs[-1]
        if c[kind] + 1 > limit:
            raise ValueError("at most %d %s per configuration (%s)" % (limit, limit_name, "this build's TinyUSB"))
        if c["endpoints"] + endpoint_numbers > MAX_ENDPOINTS:
            raise ValueError(
                "configuration %d needs %d endpoint numbers, the RP2040 has %d"
                % (len(self._configs) - 1, c["endpoints"] + endpoint_numbers, MAX_ENDPOINTS)
            )
        c[kind] += 1
        c["endpoints"] += endpoint_numbers
        c["interfaces"] += interfaces

    def cdc(self, str=None):
        s = _str("str", str)
        # notification IN + a data IN/OUT pair: two endpoint numbers, two interfaces
        self._function("cdc", 2, 2, MAX_CDC, "CDC functions")
        self._calls.append(["cdc", {"str": s}])

    def msc(self, str=None, vendor="MPRT", product="Disk", revision="1.0"):
        s = _str("str", str)
        f = {"str": s}
        for (name, size), value in zip(_MSC_FIELDS, (vendor, product, revision)):
            if not isinstance(value, _STR) or len(value) > size or any(not 32 <= ord(ch) < 127 for ch in value):
                raise ValueError("%s must be printable ASCII of at most %d characters (SCSI INQUIRY)" % (name, size))
            f[name] = value
        self._function("msc", 1, 1, 1, "MSC function")
        self._calls.append(["msc", f])

    def net_ecm(self, mac=None, str=None):
        raise ValueError(_NO_ECM % "net_ecm")

    def net_rndis(self, str=None):
        raise ValueError(_NO_ECM % "net_rndis")

    def net_ncm(self, mac=None, str=None):
        # mac: the host side's Ethernet address (the function's iMACAddress), 6 bytes or "xx:xx:xx:xx:xx:xx";
        # None: the board's default (as in the default configuration). The board's own address on the
        # link stays its default (docs/network.md "USB network link").
        s = _str("str", str)
        m = _mac(mac)
        # notification IN + a data IN/OUT pair: two endpoint numbers, two interfaces
        self._function("net", 2, 2, 1, "network function")
        self._calls.append(["net_ncm", {"mac": m, "str": s}])

    def net(self, str=None):
        # the network function this build has (CDC-NCM), with the board's default address
        self.net_ncm(None, str)

    def _check(self):
        if self._device is None:
            raise ValueError("no device(): nothing to save")
        if not self._configs:
            raise ValueError("no configuration()")
        for i, c in enumerate(self._configs):
            if c["cdc"] + c["msc"] + c["net"] == 0:
                raise ValueError("configuration %d has no function" % i)
        if self._configs[0]["cdc"] == 0:
            raise ValueError("configuration 0 has no cdc(): the console would have no port")
        first = [name for name, _ in self._calls if name not in ("device", "configuration")][0]
        if first != "cdc":
            raise ValueError("the first function must be cdc(): the console is the first interface")

    def _encode(self):
        self._check()
        text = json.dumps([_VERSION, self._calls])
        if len(text) > _MAX_SAVED:
            raise ValueError("the configuration takes %d bytes saved, the store holds %d" % (len(text), _MAX_SAVED))
        return text

    def save(self):
        text = self._encode()
        blob = self._descriptors()
        if len(blob) > _MAX_DESC:
            raise ValueError("the descriptors take %d bytes, the firmware holds %d" % (len(blob), _MAX_DESC))
        os.putenv(_DESC_KEY, binascii.hexlify(blob))
        os.putenv(_KEY, text)

    def _descriptors(self):
        # device descriptor, configuration descriptor, string count and string descriptors 1..N
        d = self._device
        strings = [d["manufacturer"] or "MicroPython", d["product"] or "Board in FS mode", d["serial"]]

        def string(text):
            if text is None:
                return 0
            strings.append(text)
            return len(strings)

        dev = bytes([18, 1, 0x00, 0x02, 0xEF, 2, 1, 64])
        dev += bytes([d["vid"] & 0xFF, d["vid"] >> 8, d["pid"] & 0xFF, d["pid"] >> 8, d["device"] & 0xFF, d["device"] >> 8, 1, 2, 3, 1])
        body = b""
        itf = 0
        ep = 1
        conf = None
        for name, kw in self._calls[1:]:
            if name == "configuration":
                conf = kw
                continue
            s = string(kw["str"])
            if name == "cdc":
                body += bytes([8, 0x0B, itf, 2, 2, 2, 0, 0])
                body += bytes([9, 4, itf, 0, 1, 2, 2, 0, s])
                body += bytes([5, 0x24, 0x00, 0x20, 0x01, 5, 0x24, 0x01, 0x00, itf + 1, 4, 0x24, 0x02, 0x02, 5, 0x24, 0x06, itf, itf + 1])
                body += bytes([7, 5, 0x80 | ep, 3, 8, 0, 16])
                body += bytes([9, 4, itf + 1, 0, 2, 10, 0, 0, 0])
                body += bytes([7, 5, ep + 1, 2, 64, 0, 0, 7, 5, 0x80 | (ep + 1), 2, 64, 0, 0])
                itf += 2
                ep += 2
            elif name == "net_ncm":
                # CDC-NCM 1.0: IAD, communication interface (header, union, Ethernet, NCM functional
                # descriptors, notification IN), data interface alternate 0 (no endpoints) and 1 (bulk pair)
                m = string(kw["mac"] or _default_mac())
                body += bytes([8, 0x0B, itf, 2, 2, 0x0D, 0, 0])
                body += bytes([9, 4, itf, 0, 1, 2, 0x0D, 0, s])
                body += bytes([5, 0x24, 0x00, 0x10, 0x01, 5, 0x24, 0x06, itf, itf + 1])
                body += bytes([13, 0x24, 0x0F, m, 0, 0, 0, 0, 1514 & 0xFF, 1514 >> 8, 0, 0, 0])
                body += bytes([6, 0x24, 0x1A, 0x00, 0x01, 0])
                body += bytes([7, 5, 0x80 | ep, 3, 16, 0, 50])
                body += bytes([9, 4, itf + 1, 0, 0, 10, 0, 1, 0, 9, 4, itf + 1, 1, 2, 10, 0, 1, 0])
                body += bytes([7, 5, 0x80 | (ep + 1), 2, 64, 0, 0, 7, 5, ep + 1, 2, 64, 0, 0])
                itf += 2
                ep += 2
            else:
                body += bytes([9, 4, itf, 0, 2, 8, 6, 0x50, s])
                body += bytes([7, 5, ep, 2, 64, 0, 0, 7, 5, 0x80 | ep, 2, 64, 0, 0])
                itf += 1
                ep += 1
        total = 9 + len(body)
        cfg = bytes([9, 2, total & 0xFF, total >> 8, itf, 1, string(conf["str"]), conf["attribute"], conf["power_ma"] // 2]) + body
        table = bytes([len(strings)])
        for text in strings:
            if text is None:
                table += b"\x02\x03"
                continue
            u = _to_utf16(text)
            table += bytes([2 + len(u), 3]) + u
        return dev + cfg + table

    @staticmethod
    def exists():
        return os.getenv(_KEY) is not None

    @staticmethod
    def load():
        text = os.getenv(_KEY)
        if text is None:
            return None
        return _decode(text)

    @staticmethod
    def delete():
        try:
            os.unsetenv(_DESC_KEY)
        except OSError:
            pass
        if os.getenv(_KEY) is None:
            return False
        os.unsetenv(_KEY)
        return True


def _mac(mac):
    if mac is None:
        return None
    if isinstance(mac, str):
        parts = mac.split(":")
        try:
            b = bytes(int(x, 16) for x in parts if len(x) == 2)
        except ValueError:
            b = b""
        if len(parts) != 6:
            b = b""
    else:
        try:
            b = bytes(mac)
        except TypeError:
            b = b""
    if len(b) != 6:
        raise ValueError('mac must be 6 bytes or "xx:xx:xx:xx:xx:xx"')
    if b[0] & 1:
        raise ValueError("mac must be a unicast address")
    return binascii.hexlify(b).decode().upper()


def _default_mac():
    # the default configuration's host-side address (ports/rp2/net/net_usb.c): 02 and bytes 3-7 of the
    # board's unique id, bit 0 of the last byte clear
    import machine

    i = machine.unique_id()
    return binascii.hexlify(bytes([2, i[3], i[4], i[5], i[6], i[7] & 0xFE])).decode().upper()


def _to_utf16(text):
    out = bytearray()
    for ch in text:
        c = ord(ch)
        if c > 0xFFFF:
            c -= 0x10000
            out += bytes([(0xD800 | (c >> 10)) & 0xFF, (0xD800 | (c >> 10)) >> 8, (0xDC00 | (c & 0x3FF)) & 0xFF, (0xDC00 | (c & 0x3FF)) >> 8])
        else:
            out += bytes([c & 0xFF, c >> 8])
    return bytes(out)


def _decode(text):
    # the saved calls are replayed through the builder, so a saved configuration passes the same checks
    try:
        version, calls = json.loads(text)
        if version != _VERSION:
            raise ValueError("version %r" % (version,))
        cfg = UsbConfig()
        for name, kwargs in calls:
            if name not in ("device", "configuration", "cdc", "msc", "net_ncm"):
                raise ValueError("unknown function %r" % (name,))
            getattr(cfg, name)(**kwargs)
        cfg._check()
    except Exception as e:
        raise ValueError("the saved USB configuration is invalid: %s" % (e,))
    return cfg


_BLOCK = 512


class RamDisk:
    # A block device in RAM (readblocks/writeblocks/ioctl, for vfs.VfsFat) that MscDevice can give the
    # host. While the host may write it, the board's writes are refused (EROFS) and so is a new mount.
    def __init__(self, blocks, block_size=_BLOCK):
        if block_size != _BLOCK:
            raise ValueError("block_size must be 512 (the MSC block)")
        if not isinstance(blocks, int) or blocks < 1:
            raise ValueError("blocks must be a positive int")
        self._buf = bytearray(blocks * _BLOCK)
        self._host_rw = False

    def readblocks(self, n, buf, off=0):
        start = n * _BLOCK + off
        buf[:] = memoryview(self._buf)[start : start + len(buf)]

    def writeblocks(self, n, buf, off=0):
        if self._host_rw:
            raise OSError(errno.EROFS)
        start = n * _BLOCK + off
        self._buf[start : start + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 1:  # init (a mount): refused while the host may write
            return errno.EROFS if self._host_rw else 0
        if op == 4:  # block count
            return len(self._buf) // _BLOCK
        if op == 5:  # block size
            return _BLOCK
        if op in (2, 3, 6):  # deinit, sync, erase
            return 0
        return None


def _inquiry():
    # vendor, product and revision of the saved msc(), padded to the SCSI INQUIRY fields
    f = {"vendor": "MPRT", "product": "Disk", "revision": "1.0"}
    try:
        cfg = UsbConfig.load()
    except ValueError:
        cfg = None
    for name, kw in cfg._calls if cfg else ():
        if name == "msc":
            f = kw
    return "".join(f[k] + " " * (n - len(f[k])) for k, n in _MSC_FIELDS)


class MscDevice:
    # The disk of the configuration's msc() function (one per configuration): a RamDisk or any object
    # with a writable buffer (its whole 512-byte blocks). The USB task serves the host's SCSI commands
    # from the buffer directly; the board should unmount it before insert() and mount it again after
    # eject() (its own FAT cache does not see the host's writes).
    READ_ONLY = 1

    def __init__(self):
        self._dev = None

    def insert(self, device, flags=0):
        if not isinstance(flags, int) or flags & ~MscDevice.READ_ONLY:
            raise ValueError("flags must be 0 or MscDevice.READ_ONLY")
        buf = device._buf if isinstance(device, RamDisk) else device
        try:
            size = len(memoryview(buf))
        except TypeError:
            raise ValueError("the device must be a usb.RamDisk or a writable buffer")
        if size < _BLOCK:
            raise ValueError("the device must hold at least one 512-byte block")
        if self._dev is not None:
            self.eject()
        host_rw = not flags & MscDevice.READ_ONLY
        try:
            _usb.msc_insert(buf, host_rw, _inquiry())
        except TypeError:
            raise ValueError("the device must be a usb.RamDisk or a writable buffer")
        if isinstance(device, RamDisk):
            device._host_rw = host_rw
        self._dev = device

    def eject(self):
        _usb.msc_eject()
        if isinstance(self._dev, RamDisk):
            self._dev._host_rw = False
        self._dev = None

    def ready(self):
        # a medium is inserted, the host configured the device and has not ejected the medium
        inserted, host_ejected, _, _ = _usb.msc_state()
        return inserted and not host_ejected and mounted()

    def stats(self):
        # (blocks the host read, blocks the host wrote) since insert()
        return _usb.msc_state()[2:]
