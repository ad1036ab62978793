// MicroPythonRT rp2 port: TinyUSB's CDC-NCM class driver (class/net/ncm_device.c, unchanged), compiled
// here with CFG_TUD_NCM set for this unit only (ports/rp2/usb/tusb_config.h). Its glue (the tud_network_*
// callbacks, the lwIP interface) and its registration as an application driver are in
// ports/rp2/net/net_usb.c.
#define MPRT_USB_NCM_CLASS (1)
#ifndef NO_QSTR
#include "class/net/ncm_device.c"
#endif

#ifndef NO_QSTR
// Received blocks the driver must not keep, dropped here with the receive buffer given back. TinyUSB
// 0.18's netd_xfer_cb, on a block that fails recv_validate_datagram(), forgets the buffer without putting
// it back on the free list: with one receive buffer, reception stops for good after one bad block. And
// its check accepts blocks its glue logic cannot consume: an NDP whose first datagram pointer has a zero
// index or length (the block is then never freed either), or an NDP reaching past the block (the check
// reads the terminator there). Both found by tests/firmware/F15-usb-net.test.ts's malformed blocks. This
// unit includes ncm_device.c, so it reaches the driver's state and helpers without a patch.
static bool block_consumable(const recv_ntb_t *ntb, uint32_t len) {
    if (len < sizeof(nth16_t) + sizeof(ndp16_t) + 2 * sizeof(ndp16_datagram_t) || len > sizeof(ntb->data)) {
        return false;
    }
    uint32_t ndp = ntb->nth.wNdpIndex;
    if (ndp < sizeof(nth16_t) || ndp + sizeof(ndp16_t) + 2 * sizeof(ndp16_datagram_t) > len) {
        return false;
    }
    const ndp16_t *n = (const ndp16_t *)(ntb->data + ndp);
    const ndp16_datagram_t *d = (const ndp16_datagram_t *)(ntb->data + ndp + sizeof(ndp16_t));
    return ndp + n->wLength <= len && d[0].wDatagramIndex != 0 && d[0].wDatagramLength != 0
           && recv_validate_datagram(ntb, len);
}

bool mprt_usb_ncm_xfer_cb(uint8_t rhport, uint8_t ep_addr, xfer_result_t result, uint32_t xferred_bytes) {
    recv_ntb_t *ntb = ncm_interface.recv_tinyusb_ntb;
    if (ep_addr == ncm_interface.ep_out && ntb != NULL && !block_consumable(ntb, xferred_bytes)) {
        recv_put_ntb_into_free_list(ntb);
        ncm_interface.recv_tinyusb_ntb = NULL;
        tud_network_recv_renew_r(rhport);
        return true;
    }
    return netd_xfer_cb(rhport, ep_addr, result, xferred_bytes);
}
#endif
