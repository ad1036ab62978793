# Pins as fds (ports/rp2/pins, docs/apin.md): machine.APin, a GPIO whose edges the interrupt queues in C,
# a file of the fd layer (lib/posix) that select and asyncio wait on. Included by ports/rp2/posix/posix.cmake
# (it needs the fd layer); its lists join the posix ones, read by templates/CMakeLists.txt.hbs.
set(MPRT_PINS_SOURCE_PORT
    ${MPRT_PORT_DIR}/pins/apin_file.c
    ${MPRT_PORT_DIR}/pins/mp_apin.c
)
set(MPRT_PINS_INCLUDE_DIRS ${MPRT_PORT_DIR}/pins)
set(MPRT_PINS_FROZEN_DEPENDS ${MPRT_PORT_DIR}/pins/modules/_apin.py)
