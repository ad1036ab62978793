// Kernel heap: the C library's malloc (Picolibc on the target, glibc on the host). Its thread safety
// comes from the C library's own locks.
#include <stdlib.h>

#include "FreeRTOS.h"
#include "task.h"

void *pvPortMalloc(size_t size) {
    void *p = malloc(size);
    #if configUSE_MALLOC_FAILED_HOOK
    if (p == NULL) {
        vApplicationMallocFailedHook();
    }
    #endif
    return p;
}

void vPortFree(void *p) {
    free(p);
}
