# lib/posix, the file-descriptor layer over Picolibc, and its firmware glue in ports/rp2/posix (the console as
# fds 0-2, the os functions on fds, select over fds). It needs a kernel: included by the RTOS port's part
# (ports/rp2/rtos/rtos_port.cmake); without a kernel (templates/kernel/none.cmake.hbs) the lists are empty.
# The MPRT_POSIX_* lists are read once by templates/CMakeLists.txt.hbs.
# The layer waits on task notification 1, the one MicroPython's event waits and the console use, so a
# console byte or a Ctrl-C ends a wait in poll/read (ports/rp2/posix/mp_posix.c).

get_filename_component(MPRT_POSIX_DIR "${MPRT_PORT_DIR}/../../lib/posix" ABSOLUTE)
set(MPRT_POSIX_SOURCE
    ${MPRT_POSIX_DIR}/posix_eventfd.c
    ${MPRT_POSIX_DIR}/posix_fd.c
    ${MPRT_POSIX_DIR}/posix_io.c
    ${MPRT_POSIX_DIR}/posix_names.c
    ${MPRT_POSIX_DIR}/posix_pipe.c
    ${MPRT_POSIX_DIR}/posix_poll.c
    ${MPRT_POSIX_DIR}/posix_wait.c
    ${MPRT_POSIX_DIR}/../kvstore/kvstore.c
    ${MPRT_PORT_DIR}/env/mprt_env.c
    ${MPRT_PORT_DIR}/time/mprt_clock.c
    ${MPRT_POSIX_DIR}/posix_path.c
    ${MPRT_POSIX_DIR}/posix_dev.c
    ${MPRT_POSIX_DIR}/posix_vfs.c
    ${MPRT_POSIX_DIR}/posix_termios.c
)
# the glue joins the port's sources, so its qstrs are scanned
set(MPRT_POSIX_SOURCE_PORT
    ${MPRT_PORT_DIR}/posix/mp_posix.c
    ${MPRT_PORT_DIR}/posix/mp_modos_posix.c
    ${MPRT_PORT_DIR}/posix/mp_modselect.c
    ${MPRT_PORT_DIR}/posix/mp_modsignal.c
    ${MPRT_PORT_DIR}/env/mp_modos_env.c
    ${MPRT_PORT_DIR}/posix/mp_repl_await.c
    ${MPRT_PORT_DIR}/posix/mp_vfs_posix.c
    ${MPRT_PORT_DIR}/posix/mp_vfs_posix_py.c
    ${MPRT_PORT_DIR}/posix/mp_stdio.c
    ${MPRT_PORT_DIR}/posix/mp_tty_uart.c
    ${MPRT_PORT_DIR}/posix/mp_modtermios.c
)
# sys.stdin/stdout/stderr on fds 0-2 (mp_stdio.c) replace MicroPython's, which write to the console
set(MPRT_POSIX_REPLACES ${MICROPY_DIR}/shared/runtime/sys_stdio_mphal.c)
# the persistent environment (lib/kvstore over the settings region, ports/rp2/env) and the C library's
# clocks (ports/rp2/time) come with the layer: docs/environment.md, docs/time.md
set(MPRT_POSIX_INCLUDE_DIRS ${MPRT_POSIX_DIR} ${MPRT_POSIX_DIR}/include ${MPRT_POSIX_DIR}/../kvstore
    ${MPRT_PORT_DIR}/env ${MPRT_PORT_DIR}/time)
set(MPRT_POSIX_DEFINITIONS POSIX_NOTIFY_INDEX=1 MPRT_POSIX=1)
# time zones: Picolibc's localtime_r/mktime, not upstream's UTC-only datetime_patch.c
set(MPRT_POSIX_TIME ON)
set(MPRT_POSIX_FROZEN_DEPENDS ${MPRT_PORT_DIR}/posix/modules/selectors.py ${MPRT_PORT_DIR}/posix/modules/_osvfs.py
    ${MPRT_PORT_DIR}/posix/modules/posixpath.py ${MPRT_PORT_DIR}/posix/modules/tty.py)
set_source_files_properties(${MPRT_POSIX_SOURCE} PROPERTIES COMPILE_OPTIONS "-Werror;-Wextra")

# The network stack stands on the fd layer (ports/rp2/net/net.cmake): its lists join the posix ones.
include(${MPRT_PORT_DIR}/net/net.cmake)
list(APPEND MPRT_POSIX_SOURCE ${MPRT_NET_SOURCE})
list(APPEND MPRT_POSIX_SOURCE_PORT ${MPRT_NET_SOURCE_PORT})
list(APPEND MPRT_POSIX_INCLUDE_DIRS ${MPRT_NET_INCLUDE_DIRS})
# sockets are fds: 256 of them (the table costs 5 bytes a fd)
list(APPEND MPRT_POSIX_DEFINITIONS ${MPRT_NET_DEFINITIONS} POSIX_FD_MAX=256)
set(MPRT_POSIX_LWIP_SOURCE ${MPRT_NET_LWIP_SOURCE})
list(APPEND MPRT_POSIX_FROZEN_DEPENDS ${MPRT_PORT_DIR}/net/modules/socket.py)
