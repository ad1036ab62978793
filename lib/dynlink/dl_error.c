// Error codes and messages.
#include <stdarg.h>
#include <stdio.h>
#include "dl_internal.h"

const char *dl_errname(dl_errcode_t code) {
    static const char *const names[] = {
        "ok", "bad magic", "bad version", "bad class", "bad endianness", "bad machine",
        "truncated", "corrupt", "ABI mismatch", "out of bounds", "overlap", "bad alignment",
        "bad string table", "bad name", "bad reference", "duplicate export",
        "unsupported relocation", "bad relocation", "missing symbol", "qstr", "out of range",
        "bad argument",
    };
    if ((unsigned)code < sizeof(names) / sizeof(names[0])) {
        return names[code];
    }
    return "unknown error";
}

dl_errcode_t dl_fail(dl_error_t *err, dl_errcode_t code, const char *fmt, ...) {
    if (err != NULL) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}
