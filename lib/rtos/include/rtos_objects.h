// Layouts of the kernel objects. Application code must treat them as opaque: they are public only so
// that the Static*_t types used with the xxxCreateStatic() functions have the right size.
#ifndef RTOS_OBJECTS_H
#define RTOS_OBJECTS_H

struct rtos_list;

// A node of an intrusive, circular, doubly linked list. key orders sorted lists.
typedef struct rtos_node {
    struct rtos_node *next;
    struct rtos_node *prev;
    TickType_t key;
    void *owner;
    struct rtos_list *container;
} rtos_node_t;

// A list: a sentinel node (end.next is the first element, end.prev the last) and a count.
typedef struct rtos_list {
    rtos_node_t end;
    UBaseType_t count;
} rtos_list_t;

#define RTOS_TLS_SLOTS (configNUM_THREAD_LOCAL_STORAGE_POINTERS > 0 ? configNUM_THREAD_LOCAL_STORAGE_POINTERS : 1)

// Task control block. sp must stay the first member: the context-switch code uses offset 0.
struct tskTaskControlBlock {
    StackType_t *volatile sp;
    rtos_node_t state_node;          // ready, delayed, blocked-forever, suspended or terminating list
    rtos_node_t event_node;          // the wait list of the object the task blocks on
    rtos_node_t all_node;            // the list of all tasks
    UBaseType_t priority;            // effective priority (may be inherited)
    UBaseType_t base_priority;       // priority given by the application
    UBaseType_t mutexes_held;
    StackType_t *stack_base;         // lowest address of the stack
    configSTACK_DEPTH_TYPE stack_depth; // in StackType_t words
    UBaseType_t number;
    UBaseType_t affinity;            // bit n: may run on core n
    volatile BaseType_t running_on;  // core index, or -1
    uint32_t run_ticks;              // ticks during which the task was running
    uint32_t event_bits;             // event groups: bits waited for / result
    uint8_t event_flags;             // event groups: wait-for-all, clear-on-exit, satisfied
    uint8_t delay_aborted;
    uint8_t static_alloc;            // bit 0: TCB static, bit 1: stack static
    uint8_t deleted;
    volatile uint8_t notify_state[configTASK_NOTIFICATION_ARRAY_ENTRIES];
    volatile uint32_t notify_value[configTASK_NOTIFICATION_ARRAY_ENTRIES];
    void *tls[RTOS_TLS_SLOTS];
    void *libc_tls;                  // picolibc TLS block (configUSE_PICOLIBC_TLS)
    char name[configMAX_TASK_NAME_LEN];
};

// Queue, semaphore and mutex.
struct QueueDefinition {
    uint8_t *storage;
    UBaseType_t length;
    UBaseType_t item_size;
    volatile UBaseType_t count;
    UBaseType_t read_index;
    UBaseType_t write_index;
    rtos_list_t send_waiters;
    rtos_list_t receive_waiters;
    struct tskTaskControlBlock *holder; // mutexes
    UBaseType_t recursion;              // recursive mutexes
    const char *name;
    uint8_t type;
    uint8_t static_alloc;
};

struct tmrTimerControl;
typedef void (*TimerCallbackFunction_t)(struct tmrTimerControl *timer);

struct tmrTimerControl {
    rtos_node_t node;  // in the timer task's active list; key = expiry tick
    const char *name;
    TickType_t period;
    void *id;
    TimerCallbackFunction_t callback;
    uint8_t flags;
};

typedef uint32_t EventBits_t;

struct EventGroupDef_t {
    volatile EventBits_t bits;
    rtos_list_t waiters;
    uint8_t static_alloc;
};

struct StreamBufferDef_t {
    uint8_t *storage;
    size_t size;          // storage bytes: capacity + 1
    volatile size_t head; // next byte to read
    volatile size_t tail; // next byte to write
    size_t trigger;
    struct tskTaskControlBlock *volatile waiting_reader;
    struct tskTaskControlBlock *volatile waiting_writer;
    void (*send_completed)(struct StreamBufferDef_t *sb, BaseType_t in_isr, BaseType_t *woken);
    void (*receive_completed)(struct StreamBufferDef_t *sb, BaseType_t in_isr, BaseType_t *woken);
    uint8_t is_message_buffer;
    uint8_t static_alloc;
};

typedef struct tskTaskControlBlock StaticTask_t;
typedef struct QueueDefinition StaticQueue_t;
typedef struct QueueDefinition StaticSemaphore_t;
typedef struct tmrTimerControl StaticTimer_t;
typedef struct EventGroupDef_t StaticEventGroup_t;
typedef struct StreamBufferDef_t StaticStreamBuffer_t;
typedef struct StreamBufferDef_t StaticMessageBuffer_t;

#endif
