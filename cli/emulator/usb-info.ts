/** `mprt emulate --usb-info`: the enumerated device as `lsusb -v` prints it (from the descriptors the host read). */
import type { UsbDeviceInfo, UsbEndpoint } from './usb-host.js';

const hex = (v: number, digits: number): string => '0x' + v.toString(16).padStart(digits, '0');
const bcd = (v: number): string => `${(v >> 8).toString(16)}.${(v & 0xff).toString(16).padStart(2, '0')}`;

const CLASS_NAMES: Record<number, string> = {
    0: '(Defined at Interface level)',
    2: 'Communications',
    8: 'Mass Storage',
    10: 'CDC Data',
    0xef: 'Miscellaneous Device',
    0xff: 'Vendor Specific Class',
};

function endpointLines(e: UsbEndpoint, indent: string): string[] {
    const types = ['Control', 'Isochronous', 'Bulk', 'Interrupt'];
    return [
        `${indent}Endpoint Descriptor:`,
        `${indent}  bEndpointAddress     ${hex(e.address, 2)}  EP ${e.address & 0xf} ${e.address & 0x80 ? 'IN' : 'OUT'}`,
        `${indent}  bmAttributes            ${e.attributes}`,
        `${indent}    Transfer Type            ${types[e.attributes & 3]}`,
        `${indent}  wMaxPacketSize     ${hex(e.maxPacketSize, 4)}  1x ${e.maxPacketSize} bytes`,
        `${indent}  bInterval              ${e.interval}`,
    ];
}

export function formatUsbInfo(d: UsbDeviceInfo): string {
    const str = (i: number): string => (i ? `${i} ${d.strings.get(i) ?? ''}`.trimEnd() : '0');
    const c = d.configuration;
    const lines = [
        `Bus 001 Device 001: ID ${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')} ${d.strings.get(d.iManufacturer) ?? ''} ${d.strings.get(d.iProduct) ?? ''}`.trimEnd(),
        'Device Descriptor:',
        `  bcdUSB               ${bcd(d.usbVersion)}`,
        `  bDeviceClass          ${d.cls} ${CLASS_NAMES[d.cls] ?? ''}`.trimEnd(),
        `  bDeviceSubClass       ${d.subclass}`,
        `  bDeviceProtocol       ${d.protocol}`,
        `  bMaxPacketSize0      ${d.maxPacketSize0}`,
        `  idVendor           ${hex(d.vendorId, 4)}`,
        `  idProduct          ${hex(d.productId, 4)}`,
        `  bcdDevice            ${bcd(d.deviceVersion)}`,
        `  iManufacturer         ${str(d.iManufacturer)}`,
        `  iProduct              ${str(d.iProduct)}`,
        `  iSerial               ${str(d.iSerial)}`,
        `  bNumConfigurations    ${d.numConfigurations}`,
        '  Configuration Descriptor:',
        `    wTotalLength       ${hex(c.totalLength, 4)}`,
        `    bNumInterfaces        ${new Set(c.interfaces.map((f) => f.number)).size}`,
        `    bConfigurationValue   ${c.value}`,
        `    iConfiguration        ${str(c.iConfiguration)}`,
        `    bmAttributes       ${hex(c.attributes, 2)}`,
        `    MaxPower            ${c.maxPowerMa}mA`,
    ];
    for (const f of c.interfaces) {
        lines.push(
            '    Interface Descriptor:',
            `      bInterfaceNumber      ${f.number}`,
            `      bAlternateSetting     ${f.alternate}`,
            `      bNumEndpoints         ${f.endpoints.length}`,
            `      bInterfaceClass       ${f.cls} ${CLASS_NAMES[f.cls] ?? ''}`.trimEnd(),
            `      bInterfaceSubClass    ${f.subclass}`,
            `      bInterfaceProtocol    ${f.protocol}`,
            `      iInterface            ${str(f.iInterface)}`,
        );
        for (const e of f.endpoints) lines.push(...endpointLines(e, '      '));
    }
    return lines.join('\n') + '\n';
}
