// The few RP2040 / Cortex-M0+ registers the kernel port touches (addresses from the RP2040 datasheet).
#ifndef RTOS_RP2040_REGS_H
#define RTOS_RP2040_REGS_H

#include <stdint.h>

#define RP_REG(addr) (*(volatile uint32_t *)(addr))

// SIO (single-cycle IO), one view per core
#define SIO_CPUID RP_REG(0xd0000000u)
#define SIO_FIFO_ST RP_REG(0xd0000050u)
#define SIO_FIFO_WR RP_REG(0xd0000054u)
#define SIO_FIFO_RD RP_REG(0xd0000058u)
#define SIO_FIFO_ST_VLD (1u << 0)
#define SIO_FIFO_ST_RDY (1u << 1)
#define SIO_SPINLOCK(n) RP_REG(0xd0000100u + 4u * (n))

// Cortex-M0+ private peripherals (banked per core)
#define SYST_CSR RP_REG(0xe000e010u)
#define SYST_RVR RP_REG(0xe000e014u)
#define SYST_CVR RP_REG(0xe000e018u)
#define NVIC_ISER RP_REG(0xe000e100u)
#define NVIC_ICER RP_REG(0xe000e180u)
#define NVIC_ICPR RP_REG(0xe000e280u)
#define NVIC_IPR(n) RP_REG(0xe000e400u + 4u * ((n) / 4u))
#define SCB_ICSR RP_REG(0xe000ed04u)
#define SCB_VTOR RP_REG(0xe000ed08u)
#define SCB_SHPR3 RP_REG(0xe000ed20u)
#define SCB_ICSR_PENDSVSET (1u << 28)

#define IRQ_SIO_PROC0 15u
#define IRQ_SIO_PROC1 16u

#endif
