#!/bin/sh
# Build lib/posix's host programs with ASan+UBSan over the pthread shim of the kernel:
# build.sh OUTPUT_DIR  ->  OUTPUT_DIR/posix_host_tests and OUTPUT_DIR/posix_fuzz
set -e
here=$(cd "$(dirname "$0")" && pwd)
posix=$(cd "$here/../.." && pwd)
out=${1:-/tmp/posix-host-tests}
mkdir -p "$out"
flags="-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer -pthread
    -fsanitize=address,undefined -fno-sanitize-recover=all -I$posix -I$here/shim -I$here"
core="$posix/posix_fd.c $posix/posix_io.c $posix/posix_wait.c $posix/posix_poll.c $posix/posix_pipe.c
    $posix/posix_eventfd.c $posix/posix_path.c $posix/posix_dev.c $posix/posix_vfs.c $here/shim/shim.c"
${CC:-gcc} $flags $core "$here/test_posix.c" -o "$out/posix_host_tests"
if [ -f "$here/posix_fuzz.c" ]; then
    ${CC:-gcc} $flags $core "$here/posix_fuzz.c" -o "$out/posix_fuzz"
fi
${CC:-gcc} $flags $core "$here/posix_path_fuzz.c" -o "$out/posix_path_fuzz"
