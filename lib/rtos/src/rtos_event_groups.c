// Event groups: wait for any/all of a set of bits, optional clear on exit, and rendezvous (sync).
#include "rtos_kernel.h"
#include "event_groups.h"

#define WAIT_ALL 1U
#define CLEAR_ON_EXIT 2U
#define SATISFIED 4U
#define CONTROL_BITS 0xff000000UL

static void init_group(struct EventGroupDef_t *g, uint8_t static_alloc) {
    g->bits = 0;
    g->static_alloc = static_alloc;
    rtos_list_init(&g->waiters);
}

EventGroupHandle_t xEventGroupCreate(void) {
    struct EventGroupDef_t *g = pvPortMalloc(sizeof(*g));
    if (g != NULL) {
        init_group(g, 0);
    }
    return g;
}

EventGroupHandle_t xEventGroupCreateStatic(StaticEventGroup_t *buffer) {
    if (buffer == NULL) {
        return NULL;
    }
    init_group(buffer, 1);
    return buffer;
}

void vEventGroupDelete(EventGroupHandle_t g) {
    taskENTER_CRITICAL();
    BaseType_t yield = pdFALSE;
    rtos_node_t *n;
    while ((n = rtos_list_first(&g->waiters)) != NULL) {
        tcb_t *t = n->owner;
        t->event_bits = 0;
        t->event_flags |= SATISFIED;
        yield |= rtos_unblock(t);
    }
    if (yield) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
    if (!g->static_alloc) {
        vPortFree(g);
    }
}

static int satisfied(EventBits_t bits, EventBits_t wanted, uint8_t flags) {
    return (flags & WAIT_ALL) ? (bits & wanted) == wanted : (bits & wanted) != 0;
}

// Kernel lock held. Sets bits, wakes every waiter whose condition holds, then clears the bits they asked
// to clear. Returns whether the calling core should yield.
static BaseType_t set_bits_locked(struct EventGroupDef_t *g, EventBits_t set) {
    BaseType_t yield = pdFALSE;
    EventBits_t clear = 0;
    configASSERT((set & CONTROL_BITS) == 0);
    g->bits |= set;
    rtos_node_t *n = g->waiters.end.next;
    while (n != &g->waiters.end) {
        rtos_node_t *next = n->next;
        tcb_t *t = n->owner;
        if (satisfied(g->bits, t->event_bits, t->event_flags)) {
            if (t->event_flags & CLEAR_ON_EXIT) {
                clear |= t->event_bits;
            }
            t->event_bits = g->bits;
            t->event_flags |= SATISFIED;
            yield |= rtos_unblock(t);
        }
        n = next;
    }
    g->bits &= ~clear;
    return yield;
}

EventBits_t xEventGroupSetBits(EventGroupHandle_t g, const EventBits_t set) {
    taskENTER_CRITICAL();
    if (set_bits_locked(g, set)) {
        portYIELD_WITHIN_API();
    }
    EventBits_t bits = g->bits;
    taskEXIT_CRITICAL();
    return bits;
}

BaseType_t xEventGroupSetBitsFromISR(EventGroupHandle_t g, const EventBits_t set, BaseType_t *woken) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t yield = set_bits_locked(g, set);
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return pdPASS;
}

EventBits_t xEventGroupClearBits(EventGroupHandle_t g, const EventBits_t clear) {
    taskENTER_CRITICAL();
    EventBits_t bits = g->bits;
    g->bits &= ~clear;
    taskEXIT_CRITICAL();
    return bits;
}

EventBits_t xEventGroupClearBitsFromISR(EventGroupHandle_t g, const EventBits_t clear) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    EventBits_t bits = g->bits;
    g->bits &= ~clear;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return bits;
}

EventBits_t xEventGroupGetBitsFromISR(EventGroupHandle_t g) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    EventBits_t bits = g->bits;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return bits;
}

// Kernel lock held on entry and exit; blocks and returns the value the wait reports.
static EventBits_t wait_locked(struct EventGroupDef_t *g, EventBits_t wanted, uint8_t flags, TickType_t ticks) {
    tcb_t *self = rtos_self();
    self->event_bits = wanted;
    self->event_flags = flags;
    rtos_block_current(&g->waiters, ticks);
    portYIELD_WITHIN_API();
    taskEXIT_CRITICAL();
    // woken by the bits, a timeout or the group's deletion
    taskENTER_CRITICAL();
    EventBits_t result;
    if (self->event_flags & SATISFIED) {
        result = self->event_bits;
    } else {
        result = g->bits;
        if (satisfied(result, wanted, flags) && (flags & CLEAR_ON_EXIT)) {
            g->bits &= ~wanted;
        }
    }
    self->event_flags = 0;
    return result;
}

EventBits_t xEventGroupWaitBits(EventGroupHandle_t g, const EventBits_t wanted, const BaseType_t clear_on_exit,
    const BaseType_t wait_all, TickType_t ticks) {
    uint8_t flags = (uint8_t)((wait_all ? WAIT_ALL : 0) | (clear_on_exit ? CLEAR_ON_EXIT : 0));
    configASSERT(wanted != 0 && (wanted & CONTROL_BITS) == 0);
    taskENTER_CRITICAL();
    EventBits_t result = g->bits;
    if (satisfied(result, wanted, flags)) {
        if (clear_on_exit) {
            g->bits &= ~wanted;
        }
    } else if (ticks != 0) {
        result = wait_locked(g, wanted, flags, ticks);
    }
    taskEXIT_CRITICAL();
    return result;
}

EventBits_t xEventGroupSync(EventGroupHandle_t g, const EventBits_t set, const EventBits_t wanted,
    TickType_t ticks) {
    configASSERT(wanted != 0 && (wanted & CONTROL_BITS) == 0);
    taskENTER_CRITICAL();
    EventBits_t original = g->bits;
    BaseType_t yield = set_bits_locked(g, set);
    EventBits_t result;
    if (((original | set) & wanted) == wanted) {
        result = original | set;
        g->bits &= ~wanted;
        if (yield) {
            portYIELD_WITHIN_API();
        }
    } else if (ticks != 0) {
        result = wait_locked(g, wanted, WAIT_ALL | CLEAR_ON_EXIT, ticks);
    } else {
        result = g->bits;
        if (yield) {
            portYIELD_WITHIN_API();
        }
    }
    taskEXIT_CRITICAL();
    return result;
}
