/*
 * printk: level filtering, rate limiting and the "(xhv) " line prefix on
 * top of xhv_vsnprintf and a registered sink. Semantics are in
 * <xhv/log.h>; Xen's console.c (printk_prefix_check) is the model.
 *
 * State shared between calls: the sink and clock hooks, the thresholds,
 * whether the output is at the start of a line and whether the current line
 * is being shown (a line continued by a later printk keeps the decision made
 * at its start), and the rate limiter's bucket. The line state, the rate
 * limiter and the sink are used under log_lock, so lines from several CPUs
 * do not interleave. A CPU that cannot get the lock within a bound writes
 * anyway: a CPU stopped or wedged while holding it (a panic on another
 * CPU) must not silence the panic report.
 */
#include <xhv/types.h>
#include <xhv/spinlock.h>
#include <xhv/string.h>
#include <xhv/format.h>
#include <xhv/log.h>
#include <xen/errno.h>

/* Level of a message without a level prefix: warning, as Xen's default. */
#define LOG_DEFAULT_LEVEL   1

/* Xen's printk_ratelimit: one line per 5 s sustained, bursts of 10. */
#define RL_COST_MS          5000ULL
#define RL_BURST            10ULL

enum { CLASS_SHIM, CLASS_GUEST };

static log_sink_t log_sink;
static uint64_t (*log_clock)(void);

/* [class][0] = always-print threshold, [class][1] = rate-limited one. */
static int log_thresh[2][2] = {
    [CLASS_SHIM]  = { LOG_THRESH_WARNING, LOG_THRESH_WARNING },
    [CLASS_GUEST] = { LOG_THRESH_NONE, LOG_THRESH_WARNING },
};

static bool at_line_start = true;
static bool line_shown = true;

static uint64_t rl_tokens = RL_COST_MS * RL_BURST;
static uint64_t rl_last_ms;
static bool rl_started;
static unsigned long rl_missed, rl_missed_total;

void log_set_sink(log_sink_t sink)
{
    log_sink = sink;
}

void log_set_clock(uint64_t (*now_ms)(void))
{
    log_clock = now_ms;
    rl_started = false;
}

static int clamp_thresh(int t)
{
    return t < LOG_THRESH_NONE ? LOG_THRESH_NONE
         : t > LOG_THRESH_DEBUG ? LOG_THRESH_DEBUG : t;
}

static void set_thresh(int cls, int lvl, int rl_lvl)
{
    lvl = clamp_thresh(lvl);
    rl_lvl = clamp_thresh(rl_lvl);
    log_thresh[cls][0] = lvl;
    log_thresh[cls][1] = rl_lvl < lvl ? lvl : rl_lvl;
}

void log_set_thresholds(int lvl, int rl_lvl)
{
    set_thresh(CLASS_SHIM, lvl, rl_lvl);
}

void log_set_guest_thresholds(int lvl, int rl_lvl)
{
    set_thresh(CLASS_GUEST, lvl, rl_lvl);
}

void log_get_thresholds(int *lvl, int *rl_lvl, int *g_lvl, int *g_rl_lvl)
{
    *lvl = log_thresh[CLASS_SHIM][0];
    *rl_lvl = log_thresh[CLASS_SHIM][1];
    *g_lvl = log_thresh[CLASS_GUEST][0];
    *g_rl_lvl = log_thresh[CLASS_GUEST][1];
}

unsigned long log_suppressed_count(void)
{
    return rl_missed_total;
}

/* Match one level name at s (length n); -1 if it is none of them. */
static int level_by_name(const char *s, size_t n)
{
    static const struct { const char *name; int thresh; } names[] = {
        { "none", LOG_THRESH_NONE },   { "error", LOG_THRESH_ERROR },
        { "warning", LOG_THRESH_WARNING }, { "info", LOG_THRESH_INFO },
        { "debug", LOG_THRESH_DEBUG }, { "all", LOG_THRESH_DEBUG },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(names); i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
            return names[i].thresh;
    return -1;
}

int log_parse_level(const char *s, int *lvl, int *rl_lvl)
{
    const char *slash;
    int a, b;

    if (!s)
        return -XEN_EINVAL;
    slash = strchr(s, '/');
    a = level_by_name(s, slash ? (size_t)(slash - s) : strlen(s));
    if (a < 0)
        return -XEN_EINVAL;
    b = a;
    if (slash) {
        b = level_by_name(slash + 1, strlen(slash + 1));
        if (b < 0)
            return -XEN_EINVAL;
    }
    *lvl = a;
    *rl_lvl = b < a ? a : b;
    return 0;
}

static void sink_out(const char *s, size_t len)
{
    if (log_sink && len)
        log_sink(s, len);
}

/*
 * Token bucket in milliseconds: each shown line costs RL_COST_MS, the
 * bucket refills at 1/ms and holds RL_BURST lines. Returns whether a line
 * may be shown; reports earlier suppressions when it lets one through.
 */
static bool ratelimit_allow(void)
{
    uint64_t now;

    if (!log_clock)
        return true;
    now = log_clock();
    if (!rl_started) {
        rl_started = true;
        rl_last_ms = now;
    }
    if (now > rl_last_ms)
        rl_tokens += now - rl_last_ms;
    rl_last_ms = now;
    if (rl_tokens > RL_COST_MS * RL_BURST)
        rl_tokens = RL_COST_MS * RL_BURST;
    if (rl_tokens < RL_COST_MS) {
        rl_missed++;
        rl_missed_total++;
        return false;
    }
    rl_tokens -= RL_COST_MS;
    if (rl_missed) {
        char note[64];
        int n = xhv_snprintf(note, sizeof(note),
                             LOG_PREFIX "printk: %lu messages suppressed.\n",
                             rl_missed);

        sink_out(note, (size_t)n < sizeof(note) ? (size_t)n
                                                : sizeof(note) - 1);
        rl_missed = 0;
    }
    return true;
}

/* Level 0..3 and class of a message, with the level prefixes skipped. */
static const char *strip_prefixes(const char *p, int *level, int *cls)
{
    *level = -1;
    *cls = CLASS_SHIM;
    /* Invariant: p points just past the prefixes consumed so far. */
    while (p[0] == '<' && p[1] != '\0' && p[2] == '>') {
        if (p[1] == 'G') {
            *cls = CLASS_GUEST;
        } else if (p[1] >= '0' && p[1] <= '3') {
            *level = p[1] - '0';
        } else {
            break;          /* not a level: leave "<x>" in the text */
        }
        p += 3;
    }
    if (*level < 0)
        *level = LOG_DEFAULT_LEVEL;
    return p;
}

static bool level_shown(int level, int cls)
{
    if (level < log_thresh[cls][0])
        return true;
    if (level < log_thresh[cls][1])
        return ratelimit_allow();
    return false;
}

/* Output staging: one sink call per message in the common case. */
struct log_out {
    char buf[LOG_LINE_MAX + 64];
    size_t len;
};

static void out_add(struct log_out *o, const char *s, size_t n)
{
    while (n) {
        size_t room = sizeof(o->buf) - o->len;
        size_t k = n < room ? n : room;

        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
        if (o->len == sizeof(o->buf)) {
            sink_out(o->buf, o->len);
            o->len = 0;
        }
    }
}

static spinlock_t log_lock = SPINLOCK_INIT;

/* True if taken; false after ~2^24 tries (then proceed unlocked). */
static bool log_lock_take(void)
{
    unsigned long tries;

    for (tries = 0; tries < (1UL << 24); tries++) {
        if (spin_trylock(&log_lock))
            return true;
        spin_relax();
    }
    return false;
}

void vprintk(const char *fmt, va_list ap)
{
    bool locked;
    char msg[LOG_LINE_MAX];
    struct log_out out;
    const char *p, *end;
    bool decided = false, shown = false;
    int n, level, cls;
    size_t len;

    n = xhv_vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n < 0 || (size_t)n >= sizeof(msg)) {
        /* Cut: end the line so the next message starts cleanly. */
        len = sizeof(msg) - 1;
        msg[len - 1] = '\n';
    } else {
        len = (size_t)n;
    }
    end = msg + len;
    p = strip_prefixes(msg, &level, &cls);
    out.len = 0;
    locked = log_lock_take();

    /* Invariant: [msg, p) has been shown or dropped, line by line. */
    while (p < end) {
        const char *nl = p;

        while (nl < end && *nl != '\n')
            nl++;
        if (nl < end)
            nl++;                       /* include the newline */
        if (at_line_start) {
            /* One decision per message, so a multi-line message is never
             * half rate-limited. */
            if (!decided) {
                shown = level_shown(level, cls);
                decided = true;
            }
            line_shown = shown;
            if (line_shown)
                out_add(&out, LOG_PREFIX, sizeof(LOG_PREFIX) - 1);
        }
        if (line_shown)
            out_add(&out, p, (size_t)(nl - p));
        at_line_start = nl[-1] == '\n';
        p = nl;
    }
    sink_out(out.buf, out.len);
    if (locked)
        spin_unlock(&log_lock);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}
