/* xhv's version, and the Xen interface version it presents to the guest. */
#ifndef XHV_VERSION_H
#define XHV_VERSION_H

#define XHV_VERSION     "0.1"
/* The guest sees Xen 4.17, the version of the public headers we build with. */
#define XHV_XEN_MAJOR   4
#define XHV_XEN_MINOR   17

#endif /* XHV_VERSION_H */
