#!/bin/sh
# Build the kernel's host test program with ASan+UBSan: build.sh OUTPUT_DIR
set -e
here=$(cd "$(dirname "$0")" && pwd)
rtos=$(cd "$here/../.." && pwd)
out=${1:-/tmp/rtos-host-tests}
mkdir -p "$out"
exec ${CC:-gcc} -std=c11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    -I"$rtos/include" -I"$rtos/port/host" -I"$rtos/tests/config/host" -I"$here" \
    "$rtos"/src/rtos_*.c "$rtos/port/host/rtos_port_host.c" "$here"/*.c -o "$out/rtos_host_tests"
