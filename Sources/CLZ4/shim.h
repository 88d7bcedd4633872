#ifndef PORTICO_CLZ4_SHIM_H
#define PORTICO_CLZ4_SHIM_H
#include <lz4.h>
#endif
