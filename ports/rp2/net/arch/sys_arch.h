// MicroPythonRT rp2 port: lwIP's OS types over the FreeRTOS API (ports/rp2/net/sys_arch.c).
#ifndef MPRT_LWIP_ARCH_SYS_ARCH_H
#define MPRT_LWIP_ARCH_SYS_ARCH_H

#include "FreeRTOS.h"
#include "semphr.h"
#include "queue.h"
#include "task.h"

typedef struct { SemaphoreHandle_t h;
} sys_sem_t;
typedef struct { SemaphoreHandle_t h;
} sys_mutex_t;
typedef struct { QueueHandle_t h;
} sys_mbox_t;
typedef TaskHandle_t sys_thread_t;
typedef int sys_prot_t;

#define sys_sem_valid(s) ((s) != NULL && (s)->h != NULL)
#define sys_sem_set_invalid(s) do { if ((s) != NULL) { (s)->h = NULL; } } while (0)
#define sys_mutex_valid(m) ((m) != NULL && (m)->h != NULL)
#define sys_mutex_set_invalid(m) do { if ((m) != NULL) { (m)->h = NULL; } } while (0)
#define sys_mbox_valid(b) ((b) != NULL && (b)->h != NULL)
#define sys_mbox_set_invalid(b) do { if ((b) != NULL) { (b)->h = NULL; } } while (0)

#endif // MPRT_LWIP_ARCH_SYS_ARCH_H
