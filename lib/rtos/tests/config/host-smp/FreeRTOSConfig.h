// Host test configuration with two simulated cores (SMP scheduling tests).
#define configNUMBER_OF_CORES 2
#include "../host/FreeRTOSConfig.h"
