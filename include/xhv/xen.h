/*
 * The guest ABI: Xen's public headers from libxen-dev, never re-typed.
 *
 * They use the <stdint.h> types without including it; this wrapper supplies
 * them. The build stages /usr/include/xen as build/include/xen so no libc
 * header can leak into the freestanding build.
 */
#ifndef XHV_XEN_H
#define XHV_XEN_H

#include <xhv/types.h>
#include <xen/xen.h>
#include <xen/errno.h>

#endif /* XHV_XEN_H */
