@ RP2040 (Cortex-M0+) context switch. A task's saved context on its own stack (PSP), lowest address first:
@ r4-r11 (saved here), then the exception frame r0-r3, r12, lr, pc, xpsr (saved by the hardware).
@ The TCB's first word holds the saved stack pointer.

    .syntax unified
    .cpu cortex-m0plus
    .thumb

    .section .time_critical.rtos_pendsv, "ax", %progbits
    .global isr_pendsv
    .type isr_pendsv, %function
    .thumb_func
isr_pendsv:
    mrs r0, psp
    subs r0, r0, #32
    ldr r2, =0xd0000000         @ SIO CPUID
    ldr r1, [r2]
    lsls r1, r1, #2
    ldr r2, =rtos_current_tcb
    adds r2, r2, r1             @ r2 = &rtos_current_tcb[core]
    ldr r3, [r2]
    str r0, [r3]                @ current->sp
    stmia r0!, {r4-r7}
    mov r4, r8
    mov r5, r9
    mov r6, r10
    mov r7, r11
    stmia r0!, {r4-r7}
    push {r2, lr}
    bl rtos_port_switch_context @ picks rtos_current_tcb[core] under the kernel lock
    pop {r2, r3}
    ldr r1, [r2]
    ldr r0, [r1]                @ next->sp
    adds r0, r0, #16
    ldmia r0!, {r4-r7}          @ r8-r11
    mov r8, r4
    mov r9, r5
    mov r10, r6
    mov r11, r7
    msr psp, r0                 @ the exception frame
    subs r0, r0, #32
    ldmia r0!, {r4-r7}
    bx r3
    .ltorg
    .size isr_pendsv, . - isr_pendsv

@ void rtos_port_start_first_task(StackType_t *sp): switch thread mode to PSP and enter the task by
@ unstacking its initial frame by hand. Called with interrupts disabled; enables them.
    .text
    .global rtos_port_start_first_task
    .type rtos_port_start_first_task, %function
    .thumb_func
rtos_port_start_first_task:
    adds r0, r0, #32            @ skip r4-r11
    msr psp, r0
    movs r1, #2
    msr control, r1             @ thread mode uses PSP
    isb
    pop {r0-r5}                 @ r0 = argument, r4 = r12, r5 = lr
    mov lr, r5
    pop {r3}                    @ pc
    pop {r2}                    @ xpsr (not needed)
    movs r1, #1
    orrs r3, r1                 @ Thumb bit for bx
    cpsie i
    bx r3
    .size rtos_port_start_first_task, . - rtos_port_start_first_task
