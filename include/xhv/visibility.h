/*
 * Force-included into every shim C file (not the host builds): hidden
 * visibility makes gcc address every symbol RIP-relative instead of through
 * a GOT, which the -fpie shim link does not want.
 */
#pragma GCC visibility push(hidden)
