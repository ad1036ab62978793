// Message buffers: length-delimited messages over a stream buffer (FreeRTOS message_buffer.h API).
// Each message costs sizeof(configMESSAGE_BUFFER_LENGTH_TYPE) extra bytes.
#ifndef FREERTOS_MESSAGE_BUFFER_H
#define FREERTOS_MESSAGE_BUFFER_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before message_buffer.h"
#endif

#include "stream_buffer.h"

typedef StreamBufferHandle_t MessageBufferHandle_t;

#define xMessageBufferCreate(size) xStreamBufferGenericCreate((size), 0, sbTYPE_MESSAGE_BUFFER, NULL, NULL)
#define xMessageBufferCreateWithCallback(size, send_cb, receive_cb) \
    xStreamBufferGenericCreate((size), 0, sbTYPE_MESSAGE_BUFFER, (send_cb), (receive_cb))
#define xMessageBufferCreateStatic(size, storage, buf) \
    xStreamBufferGenericCreateStatic((size), 0, sbTYPE_MESSAGE_BUFFER, (storage), (buf), NULL, NULL)
#define xMessageBufferCreateStaticWithCallback(size, storage, buf, send_cb, receive_cb) \
    xStreamBufferGenericCreateStatic((size), 0, sbTYPE_MESSAGE_BUFFER, (storage), (buf), (send_cb), (receive_cb))
#define xMessageBufferSend(mb, data, len, ticks) xStreamBufferSend((mb), (data), (len), (ticks))
#define xMessageBufferSendFromISR(mb, data, len, w) xStreamBufferSendFromISR((mb), (data), (len), (w))
#define xMessageBufferReceive(mb, buf, len, ticks) xStreamBufferReceive((mb), (buf), (len), (ticks))
#define xMessageBufferReceiveFromISR(mb, buf, len, w) xStreamBufferReceiveFromISR((mb), (buf), (len), (w))
#define vMessageBufferDelete(mb) vStreamBufferDelete(mb)
#define xMessageBufferIsFull(mb) xStreamBufferIsFull(mb)
#define xMessageBufferIsEmpty(mb) xStreamBufferIsEmpty(mb)
#define xMessageBufferReset(mb) xStreamBufferReset(mb)
#define xMessageBufferSpaceAvailable(mb) xStreamBufferSpacesAvailable(mb)
#define xMessageBufferSpacesAvailable(mb) xStreamBufferSpacesAvailable(mb)
#define xMessageBufferNextLengthBytes(mb) xStreamBufferNextMessageLengthBytes(mb)
#define xMessageBufferSendCompletedFromISR(mb, w) xStreamBufferSendCompletedFromISR((mb), (w))
#define xMessageBufferReceiveCompletedFromISR(mb, w) xStreamBufferReceiveCompletedFromISR((mb), (w))

#endif
