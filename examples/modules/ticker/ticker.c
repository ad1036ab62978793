// A module that starts an RTOS task which outlives the call (needs a firmware built with
// --set rtos.kernel=builtin):
//   ticker.start(10)   starts a task counting a tick every 10 ms, and returns at once
//   ticker.count()     the ticks so far (the task runs on while Python does other things)
//   ticker.stop()      deletes the task
// The task touches only its own C state: MicroPython objects belong to the MicroPython task.
#include "FreeRTOS.h"
#include "task.h"

#define TICKER_PRIORITY (3) // above the MicroPython task (2): it mostly sleeps
#define TICKER_STACK_WORDS (256)

static TaskHandle_t ticker_task;
static volatile uint32_t ticker_ticks;
static volatile uint32_t ticker_period_ms;

static void ticker_main(void *arg) {
    (void)arg;
    TickType_t last = xTaskGetTickCount();
    for (;;) {
        xTaskDelayUntil(&last, pdMS_TO_TICKS(ticker_period_ms));
        ticker_ticks++;
    }
}

static mp_obj_t ticker_start(mp_obj_t period_in) {
    mp_int_t period = mp_obj_get_int(period_in);
    if (period < 1) {
        mp_raise_ValueError(MP_ERROR_TEXT("period must be >= 1 ms"));
    }
    if (ticker_task != NULL) {
        mp_raise_msg(&mp_type_RuntimeError, MP_ERROR_TEXT("already running"));
    }
    ticker_period_ms = period;
    ticker_ticks = 0;
    if (xTaskCreate(ticker_main, "ticker", TICKER_STACK_WORDS, NULL, TICKER_PRIORITY, &ticker_task) != pdPASS) {
        ticker_task = NULL;
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("cannot create the task"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ticker_start_obj, ticker_start);

static mp_obj_t ticker_count(void) {
    return mp_obj_new_int_from_uint(ticker_ticks);
}
static MP_DEFINE_CONST_FUN_OBJ_0(ticker_count_obj, ticker_count);

static mp_obj_t ticker_stop(void) {
    if (ticker_task != NULL) {
        vTaskDelete(ticker_task);
        ticker_task = NULL;
    }
    return mp_obj_new_int_from_uint(ticker_ticks);
}
static MP_DEFINE_CONST_FUN_OBJ_0(ticker_stop_obj, ticker_stop);

static const mp_rom_map_elem_t ticker_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_ticker) },
    { MP_ROM_QSTR(MP_QSTR_start), MP_ROM_PTR(&ticker_start_obj) },
    { MP_ROM_QSTR(MP_QSTR_count), MP_ROM_PTR(&ticker_count_obj) },
    { MP_ROM_QSTR(MP_QSTR_stop), MP_ROM_PTR(&ticker_stop_obj) },
};
static MP_DEFINE_CONST_DICT(ticker_globals, ticker_globals_table);

MPRT_MODULE(ticker_module, ticker_globals);
