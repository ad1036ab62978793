#!/bin/sh
# Build lib/kvstore's host test with ASan+UBSan: build.sh OUTPUT_DIR -> OUTPUT_DIR/kvstore_host_tests
set -e
here=$(cd "$(dirname "$0")" && pwd)
kv=$(cd "$here/../.." && pwd)
out=${1:-/tmp/kvstore-host-tests}
mkdir -p "$out"
${CC:-gcc} -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=all -I"$kv" \
    "$kv/kvstore.c" "$here/test_kvstore.c" -o "$out/kvstore_host_tests"
