/*
 * printk and log levels, as in Xen (xen/include/xen/lib.h XENLOG_*,
 * xen/drivers/char/console.c).
 *
 * A message may start with level prefixes, string literals pasted in front
 * of the format: printk(XLOG_INFO "mapped %u frames\n", n). XLOG_GUEST
 * marks a line *about* a guest (Xen's gdprintk/gprintk): it is filtered by
 * guest_loglvl instead of loglvl, so a hostile guest cannot flood the
 * console. A message without a level counts as a warning (Xen's
 * XENLOG_DEFAULT), so plain printk() is always shown by default.
 *
 * Thresholds are Xen's: a threshold T shows the levels numbered below T
 * (none = 0 shows nothing, error = 1, warning = 2, info = 3, debug = all =
 * 4). Each class has two: lines below 'lvl' always print; lines below
 * 'rl_lvl' print through a rate limiter (a burst of 10 per 5 s, Xen's
 * printk_ratelimit) while a clock is registered, and unlimited before;
 * anything else is dropped. Defaults are Xen's release ones: loglvl=warning
 * (= warning/warning), guest_loglvl=none/warning.
 *
 * Output: every line of output starts with "(xhv) ". A message may hold
 * several lines, or continue a line that an earlier printk left without a
 * newline; the level chosen at a line's start holds for the whole line.
 * A formatted message is cut at LOG_LINE_MAX - 1 bytes, and a cut message
 * always ends its line.
 *
 * Context: printk formats on the stack and hands each message to the sink in
 * as few calls as possible; it takes no lock. The sink serializes its own
 * output; concurrent printk calls may interleave between sink calls, which
 * can only misplace a "(xhv) " prefix, never corrupt memory.
 */
#ifndef XHV_LOG_H
#define XHV_LOG_H

#include <xhv/types.h>

#define XLOG_ERR        "<0>"
#define XLOG_WARN       "<1>"
#define XLOG_INFO       "<2>"
#define XLOG_DEBUG      "<3>"
#define XLOG_GUEST      "<G>"

#define XLOG_G_ERR      XLOG_GUEST XLOG_ERR
#define XLOG_G_WARN     XLOG_GUEST XLOG_WARN
#define XLOG_G_INFO     XLOG_GUEST XLOG_INFO
#define XLOG_G_DEBUG    XLOG_GUEST XLOG_DEBUG

/* Threshold values, as parsed from loglvl= and guest_loglvl=. */
#define LOG_THRESH_NONE     0
#define LOG_THRESH_ERROR    1
#define LOG_THRESH_WARNING  2
#define LOG_THRESH_INFO     3
#define LOG_THRESH_DEBUG    4   /* "debug" and "all" */

#define LOG_LINE_MAX        512 /* formatted message buffer, incl. NUL */
#define LOG_PREFIX          "(xhv) "

/* Receives output; s is not NUL-terminated. Must not call printk. */
typedef void (*log_sink_t)(const char *s, size_t len);

void log_set_sink(log_sink_t sink);

/*
 * Millisecond clock for the rate limiter; NULL (the default) disables rate
 * limiting, so early boot output is never suppressed.
 */
void log_set_clock(uint64_t (*now_ms)(void));

/* Set the thresholds (LOG_THRESH_*); rl_lvl below lvl is raised to lvl. */
void log_set_thresholds(int lvl, int rl_lvl);
void log_set_guest_thresholds(int lvl, int rl_lvl);
void log_get_thresholds(int *lvl, int *rl_lvl, int *g_lvl, int *g_rl_lvl);

/*
 * Parse Xen's "<level>[/<rate-limited level>]", level one of none, error,
 * warning, info, debug, all. Returns 0 and sets *lvl and *rl_lvl (rl_lvl
 * defaults to, and is raised to at least, lvl); or -XEN_EINVAL and leaves
 * both untouched. Unlike Xen, a bad string changes nothing.
 */
int log_parse_level(const char *s, int *lvl, int *rl_lvl);

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);

/* Messages dropped by the rate limiter so far (for the debug keys). */
unsigned long log_suppressed_count(void);

#endif /* XHV_LOG_H */
