# The firmware's RTOS port (ports/rp2/rtos), the same on every kernel that has one: included by the kernel
# parts of the CMake project (templates/kernel/builtin.cmake.hbs, freertos.cmake.hbs), which add the kernel.
# The MPRT_KERNEL_* lists it starts are read once by templates/CMakeLists.txt.hbs.

# TinyUSB waits on the kernel (osal_freertos.h): tud_task blocks instead of polling.
set(TINYUSB_OPT_OS OPT_OS_FREERTOS)

# The USB console, the MicroPython task, _thread on tasks (and its MicroPythonRT names) and
# micropython.tasks().
set(MPRT_KERNEL_SOURCE_PORT
    ${MPRT_PORT_DIR}/rtos/rtos_console_usb.c
    ${MPRT_PORT_DIR}/rtos/rtos_main.c
    ${MPRT_PORT_DIR}/rtos/mpthreadport.c
    ${MPRT_PORT_DIR}/rtos/rtos_modmicropython.c
    ${MPRT_PORT_DIR}/rtos/rtos_modthread.c
    ${MPRT_PORT_DIR}/rtos/rtos_flash.c
    # the RAM pool of the C heap and the GC heap (docs/memory.md)
    ${MPRT_PORT_DIR}/rtos/rtos_pool.c
    # `usb`'s C half (docs/usb.md)
    ${MPRT_PORT_DIR}/usb/mp_modusb.c
    ${MPRT_PORT_DIR}/usb/mprt_usb_desc.c
    ${MPRT_PORT_DIR}/usb/mprt_usb_tty.c
    ${MPRT_PORT_DIR}/usb/mprt_usb_msc.c
    ${MPRT_PORT_DIR}/usb/mprt_usb_msc_class.c
    ${MPRT_PORT_DIR}/usb/mprt_usb_ncm_class.c
)
# USB is the port's own task: no upstream thread port, pendsv or TinyUSB runtime glue.
set(MPRT_KERNEL_SOURCE_UPSTREAM_PORT)
set(MPRT_KERNEL_SOURCE_LIB)
set(MPRT_KERNEL_SOURCE_QSTR)
# ports/rp2/usb first: its tusb_config.h wraps MicroPython's (five CDC instances)
set(MPRT_KERNEL_INCLUDE_DIRS ${MPRT_PORT_DIR}/usb ${MPRT_PORT_DIR}/rtos)
set(MPRT_KERNEL_DEFINITIONS
    MPRT_RTOS=1
    # the kernel port defines the exception handlers by pico-sdk's names (isr_pendsv, isr_systick)
    PICO_CMSIS_RENAME_EXCEPTIONS=0
    PICO_USE_MALLOC_MUTEX=0
    # each core has its own hardware divider and a task may be switched out between writing the operands and
    # reading the result, then resume on the other core: a division runs with interrupts off
    PICO_DIVIDER_DISABLE_INTERRUPTS=1
)
# Flash erase/program while the scheduler runs (ports/rp2/rtos/rtos_flash.c).
set(MPRT_KERNEL_LINK_OPTIONS
    -Wl,--wrap=flash_range_erase
    -Wl,--wrap=flash_range_program
    # the descriptors of a saved usb.UsbConfig (ports/rp2/usb/mprt_usb_desc.c)
    -Wl,--wrap=tud_descriptor_device_cb
    -Wl,--wrap=tud_descriptor_configuration_cb
    -Wl,--wrap=tud_descriptor_string_cb
)
set(MPRT_KERNEL_LIBRARIES)
set(MPRT_KERNEL_QSTR_TARGETS)
set(MPRT_KERNEL_FROZEN_DEPENDS ${MPRT_PORT_DIR}/rtos/modules/threading.py ${MPRT_PORT_DIR}/usb/modules/usb.py)

# The POSIX layer stands on the kernel (ports/rp2/posix/posix.cmake).
include(${MPRT_PORT_DIR}/posix/posix.cmake)
