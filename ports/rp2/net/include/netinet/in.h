// The BSD socket API: ports/rp2/net/include/mprt_socket.h.
#include "mprt_socket.h"
