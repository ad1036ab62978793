#!/bin/sh
# Build the kernel's host test program with ASan+UBSan: build.sh OUTPUT_DIR [smp]
# With "smp" the kernel is built for two simulated cores and the SMP tests are added
# (output rtos_host_tests_smp); otherwise single-core (output rtos_host_tests).
set -e
here=$(cd "$(dirname "$0")" && pwd)
rtos=$(cd "$here/../.." && pwd)
out=${1:-/tmp/rtos-host-tests}
mkdir -p "$out"
if [ "$2" = smp ]; then
    config="$rtos/tests/config/host-smp"
    extra="$here/smp/test_smp.c"
    exe="$out/rtos_host_tests_smp"
else
    config="$rtos/tests/config/host"
    extra=""
    exe="$out/rtos_host_tests"
fi
exec ${CC:-gcc} -std=c11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -I"$rtos/include" -I"$rtos/port/host" -I"$config" -I"$here" \
    "$rtos"/src/rtos_*.c "$rtos/port/host/rtos_port_host.c" "$here"/*.c $extra -o "$exe"
