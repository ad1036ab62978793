// lib/posix: the normal form of a path (posix_vfs.h).
#include <errno.h>
#include <string.h>
#include "posix_vfs.h"

// Appends the names of `p` to out[0..*len) (normal, absolute, "" standing for "/").
static int path_add(char *out, size_t cap, size_t *len, const char *p) {
    while (*p != '\0') {
        while (*p == '/') {
            p++;
        }
        const char *name = p;
        while (*p != '\0' && *p != '/') {
            p++;
        }
        size_t n = (size_t)(p - name);
        if (n == 0 || (n == 1 && name[0] == '.')) {
            continue;
        }
        if (n > POSIX_NAME_MAX) {
            return -ENAMETOOLONG;
        }
        if (n == 2 && name[0] == '.' && name[1] == '.') {
            while (*len > 0 && out[*len - 1] != '/') {
                (*len)--;
            }
            if (*len > 0) {
                (*len)--; // the '/' before the name
            }
            continue;
        }
        if (*len + 1 + n > cap) {
            return -ENAMETOOLONG;
        }
        out[(*len)++] = '/';
        memcpy(out + *len, name, n);
        *len += n;
    }
    return 0;
}

int posix_path_normalize(const char *cwd, const char *path, char *out, size_t size) {
    if (size < 2) {
        return -ENAMETOOLONG;
    }
    if (path[0] == '\0') {
        return -ENOENT;
    }
    size_t cap = size - 1 < POSIX_PATH_MAX ? size - 1 : POSIX_PATH_MAX;
    size_t len = 0;
    int r = 0;
    if (path[0] != '/' && cwd != NULL) {
        r = path_add(out, cap, &len, cwd);
    }
    if (r == 0) {
        r = path_add(out, cap, &len, path);
    }
    if (r < 0) {
        return r;
    }
    if (len == 0) {
        out[len++] = '/';
    }
    out[len] = '\0';
    return 0;
}
