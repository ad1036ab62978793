#!/bin/sh
# Compile every kernel source for the RP2040 (Cortex-M0+, -Os, warnings are errors) and print the
# object sizes. Usage: compile-check.sh OUTPUT_DIR [CONFIG_DIR]
set -e
here=$(cd "$(dirname "$0")" && pwd)
rtos=$(cd "$here/../.." && pwd)
out=${1:-/tmp/rtos-arm}
config=${2:-$rtos/tests/config/rp2040}
cc=${ARM_CC:-arm-none-eabi-gcc}
mkdir -p "$out"
flags="-mcpu=cortex-m0plus -mthumb -Os -std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections --specs=picolibc.specs"
incs="-I$rtos/include -I$rtos/port/rp2040 -I$config"
objs=""
for src in "$rtos"/src/rtos_*.c "$rtos"/port/rp2040/*.c "$rtos"/port/rp2040/*.S; do
    obj="$out/$(basename "$src").o"
    $cc $flags $incs -c "$src" -o "$obj"
    objs="$objs $obj"
done
${ARM_SIZE:-arm-none-eabi-size} -t $objs
