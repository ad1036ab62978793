# machine.PioStateMachine (with its assembler) and machine.AudioOutPwm: DMA rings as lib/posix fds
# (mp_piodma.c, module _piodma) and the Python classes (modules/_pio.py, modules/_pioasm.py, frozen by
# templates/manifest.py.hbs). Included by ports/rp2/posix/posix.cmake: the rings are fds. docs/pio.md.
set(MPRT_PIO_SOURCE_PORT ${MPRT_PORT_DIR}/pio/mp_piodma.c)
set(MPRT_PIO_FROZEN_DEPENDS ${MPRT_PORT_DIR}/pio/modules/_pio.py ${MPRT_PORT_DIR}/pio/modules/_pioasm.py)
