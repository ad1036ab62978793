#!/bin/sh
# Build the kernel smoke program for the RP2040: build.sh OUTPUT_DIR -> OUTPUT_DIR/smoke.elf, smoke.bin
set -e
here=$(cd "$(dirname "$0")" && pwd)
rtos=$(cd "$here/../../.." && pwd)
out=${1:-/tmp/rtos-smoke}
cc=${ARM_CC:-arm-none-eabi-gcc}
objcopy=${ARM_OBJCOPY:-arm-none-eabi-objcopy}
mkdir -p "$out"
srcs=$(ls "$rtos"/src/rtos_*.c | grep -v rtos_heap.c)
$cc -mcpu=cortex-m0plus -mthumb -Os -g -std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
    --specs=picolibc.specs -nostartfiles -T"$here/smoke.ld" -Wl,--gc-sections \
    -I"$rtos/include" -I"$rtos/port/rp2040" -I"$here" \
    "$here/smoke.c" $srcs "$rtos"/port/rp2040/*.c "$rtos"/port/rp2040/*.S -o "$out/smoke.elf"
$objcopy -O binary "$out/smoke.elf" "$out/smoke.bin"
