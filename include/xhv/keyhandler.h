/*
 * Serial input routing and debug keys, as Xen's console does: input goes
 * to the guest's console; Ctrl-A pressed three times switches it to the
 * shim's debug keys and back. One table of keys (shim/keyhandler.c).
 */
#ifndef XHV_KEYHANDLER_H
#define XHV_KEYHANDLER_H

/* Every received serial byte (interrupt context). */
void keyhandler_input(char c);
/* Where guest-bound input goes (the console backend). */
void keyhandler_set_guest_sink(void (*fn)(char c));
/* Run a debug key's handler as if typed (tests, panics). */
void keyhandler_run(char key);

#endif /* XHV_KEYHANDLER_H */
