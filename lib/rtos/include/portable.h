// Interface between the portable kernel core (lib/rtos/src) and a port (lib/rtos/port/<name>).
#ifndef RTOS_PORTABLE_H
#define RTOS_PORTABLE_H

#ifdef __cplusplus
extern "C" {
#endif

// Provided by the port.
// Build the initial frame of a task whose stack ends (exclusive) at top; returns the value for tcb->sp.
StackType_t *rtos_port_init_stack(StackType_t *stack_base, StackType_t *top, TaskFunction_t fn, void *arg);
// Bring up the other cores (parked until the scheduler starts); returns how many cores will run tasks.
UBaseType_t rtos_port_prepare_cores(void);
// Start running rtos_current_tcb[] on every online core. Returns only on ports that support vTaskEndScheduler.
BaseType_t xPortStartScheduler(void);
void vPortEndScheduler(void);
// Called by the idle task when it has nothing to do: wait for an interrupt (WFI).
void rtos_port_idle_wait(void);
// Called by the core, with the kernel lock held, after a core's current task changed.
void rtos_port_task_switched_in(BaseType_t core);

// Heap used by the kernel for dynamic objects (lib/rtos/src/rtos_heap.c maps it to the C library).
void *pvPortMalloc(size_t size);
void vPortFree(void *p);

// Provided by the core for the port.
extern struct tskTaskControlBlock *volatile rtos_current_tcb[configNUMBER_OF_CORES];
BaseType_t xTaskIncrementTick(void);
void vTaskSwitchContext(BaseType_t core);
// Called by a task's entry when its function returns: deletes the task.
void rtos_task_exit(void);

#ifdef __cplusplus
}
#endif

#endif
