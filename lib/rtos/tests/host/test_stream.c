// Stream and message buffer tests.
#include <string.h>

#include "tests.h"
#include "stream_buffer.h"
#include "message_buffer.h"

static StreamBufferHandle_t sb;

static void stream_reader(void *arg) {
    TickType_t ticks = (TickType_t)(uintptr_t)arg;
    uint8_t buf[16];
    TickType_t t0 = xTaskGetTickCount();
    size_t n = xStreamBufferReceive(sb, buf, sizeof buf, ticks);
    test_log_add((int)n);
    test_log_add((int)(xTaskGetTickCount() - t0));
    test_log_add(n > 0 ? buf[0] : -1);
}

static void stream_writer(void *arg) {
    (void)arg;
    static const uint8_t six[6] = {1, 2, 3, 4, 5, 6};
    test_log_add((int)xStreamBufferSend(sb, six, sizeof six, portMAX_DELAY));
}

static void isr_stream_send(void *arg) {
    (void)arg;
    BaseType_t woken = pdFALSE;
    static const uint8_t data[4] = {9, 9, 9, 9};
    CHECK_EQ(xStreamBufferSendFromISR(sb, data, 4, &woken), 4);
    CHECK(woken == pdTRUE);
    portYIELD_FROM_ISR(woken);
}

void t_stream_buffer(void *arg) {
    (void)arg;
    uint8_t buf[32];
    sb = xStreamBufferCreate(10, 4);
    CHECK(sb != NULL);
    CHECK(xStreamBufferCreate(4, 5) == NULL); // trigger above the size
    // the reader wakes at the trigger level, not before
    xTaskCreate(stream_reader, "R", TEST_STACK, (void *)portMAX_DELAY, MAIN_PRIO + 1, NULL);
    CHECK(xStreamBufferReset(sb) == pdFAIL); // a task waits on it
    CHECK_EQ(xStreamBufferSend(sb, "ab", 2, 0), 2);
    CHECK_EQ(test_log_len, 0);
    CHECK_EQ(xStreamBufferSend(sb, "cd", 2, 0), 2);
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 4);
    CHECK_EQ(test_log[2], 'a');
    // below the trigger level, a timed-out read returns what is there, exactly when due
    test_log_len = 0;
    xTaskCreate(stream_reader, "R2", TEST_STACK, (void *)6, MAIN_PRIO + 1, NULL);
    vTaskDelay(2);
    xStreamBufferSend(sb, "z", 1, 0);
    vTaskDelay(5);
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 1);
    CHECK_EQ(test_log[1], 6);
    CHECK_EQ(test_log[2], 'z');
    // partial writes when full, and a blocked writer resumes when there is room for all its bytes
    CHECK_EQ(xStreamBufferSend(sb, "01234567", 8, 0), 8);
    CHECK_EQ(xStreamBufferSend(sb, "89abc", 5, 0), 2);
    CHECK(xStreamBufferIsFull(sb) == pdTRUE);
    CHECK_EQ(xStreamBufferSpacesAvailable(sb), 0);
    CHECK_EQ(xStreamBufferBytesAvailable(sb), 10);
    TickType_t t0 = xTaskGetTickCount();
    CHECK_EQ(xStreamBufferSend(sb, "x", 1, 3), 0); // times out, nothing fits
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 3));
    test_log_len = 0;
    xTaskCreate(stream_writer, "W", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 0);
    CHECK_EQ(xStreamBufferReceive(sb, buf, 3, 0), 3); // 3 free: not enough for 6
    CHECK_EQ(test_log_len, 0);
    CHECK(memcmp(buf, "012", 3) == 0);
    CHECK_EQ(xStreamBufferReceive(sb, buf, 3, 0), 3); // 6 free: the writer goes
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 6);
    CHECK_EQ(xStreamBufferReceive(sb, buf, sizeof buf, 0), 10);
    CHECK(memcmp(buf, "6789\1\2\3\4\5\6", 10) == 0);
    CHECK(xStreamBufferIsEmpty(sb) == pdTRUE);
    // data integrity across many wrap-arounds
    uint8_t next_in = 0, next_out = 0;
    for (int round = 0; round < 200; round++) {
        uint8_t chunk[7];
        size_t n = (size_t)(round % 7) + 1;
        for (size_t i = 0; i < n; i++) {
            chunk[i] = (uint8_t)(next_in + i);
        }
        size_t w = xStreamBufferSend(sb, chunk, n, 0);
        next_in = (uint8_t)(next_in + w);
        size_t r = xStreamBufferReceive(sb, buf, (size_t)(round % 5) + 1, 0);
        for (size_t i = 0; i < r; i++) {
            CHECK_EQ(buf[i], next_out);
            next_out++;
        }
    }
    CHECK(xStreamBufferReset(sb) == pdPASS);
    CHECK_EQ(xStreamBufferBytesAvailable(sb), 0);
    // from an interrupt
    test_log_len = 0;
    CHECK(xStreamBufferSetTriggerLevel(sb, 4) == pdTRUE);
    CHECK(xStreamBufferSetTriggerLevel(sb, 11) == pdFALSE);
    xTaskCreate(stream_reader, "R3", TEST_STACK, (void *)portMAX_DELAY, MAIN_PRIO + 1, NULL);
    rtos_host_isr(isr_stream_send, NULL);
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 4);
    BaseType_t woken = pdFALSE;
    CHECK_EQ(xStreamBufferReceiveFromISR(sb, buf, 4, &woken), 0);
    vStreamBufferDelete(sb);
    test_done();
}

static MessageBufferHandle_t mb;

static void message_reader(void *arg) {
    (void)arg;
    char buf[16];
    size_t n = xMessageBufferReceive(mb, buf, sizeof buf, portMAX_DELAY);
    test_log_add((int)n);
    test_log_add(buf[0]);
}

void t_message_buffer(void *arg) {
    (void)arg;
    static uint8_t storage[33];
    static StaticMessageBuffer_t mbuf;
    char buf[16];
    mb = xMessageBufferCreateStatic(32, storage, &mbuf);
    CHECK(mb != NULL);
    CHECK_EQ(xMessageBufferSend(mb, "hello", 5, 0), 5);
    CHECK_EQ(xMessageBufferSend(mb, "abc", 3, 0), 3);
    CHECK_EQ(xMessageBufferSpacesAvailable(mb), 32 - 8 - 2 * sizeof(size_t));
    CHECK_EQ(xMessageBufferNextLengthBytes(mb), 5);
    CHECK_EQ(xMessageBufferReceive(mb, buf, 3, 0), 0); // too small: the message stays
    CHECK_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 0), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_EQ(xMessageBufferReceive(mb, buf, sizeof buf, 0), 0);
    CHECK(xMessageBufferIsEmpty(mb) == pdTRUE);
    // whole messages only
    char big[20] = "0123456789012345678";
    CHECK_EQ(xMessageBufferSend(mb, big, 20, 0), 20);
    CHECK_EQ(xMessageBufferSend(mb, big, 10, 0), 0); // 4 bytes + header do not fit
    CHECK_EQ(xMessageBufferReceive(mb, big, 20, 0), 20);
    // a blocked reader gets the first message
    xTaskCreate(message_reader, "R", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 0);
    CHECK_EQ(xMessageBufferSend(mb, "x", 1, 0), 1);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[0], 1);
    CHECK_EQ(test_log[1], 'x');
    CHECK(xMessageBufferReset(mb) == pdPASS);
    vMessageBufferDelete(mb);
    MessageBufferHandle_t dyn = xMessageBufferCreate(64);
    CHECK_EQ(xMessageBufferSend(dyn, "ok", 2, 0), 2);
    vMessageBufferDelete(dyn);
    test_done();
}
