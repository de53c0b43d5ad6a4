/*
 * Unit tests for shim/lib/log.c: printk's level filtering, "(xhv) " line
 * prefixes across multi-line and continued messages, the rate limiter (with
 * a fake clock), truncation, and the loglvl= parser. A capturing sink
 * records everything printk hands out.
 */
#include "harness.h"

#include <xhv/log.h>
#include <xen/errno.h>

static char cap[8192];
static size_t cap_len;
static unsigned cap_calls;
static uint64_t fake_now;

static void capture(const char *s, size_t len)
{
    if (cap_len + len < sizeof(cap)) {
        memcpy(cap + cap_len, s, len);
        cap_len += len;
        cap[cap_len] = '\0';
    }
    cap_calls++;
}

static uint64_t fake_clock(void)
{
    return fake_now;
}

/* Xen release defaults, no clock, empty capture. */
static void reset(void)
{
    log_set_sink(capture);
    log_set_clock(NULL);
    log_set_thresholds(LOG_THRESH_WARNING, LOG_THRESH_WARNING);
    log_set_guest_thresholds(LOG_THRESH_NONE, LOG_THRESH_WARNING);
    cap_len = 0;
    cap[0] = '\0';
    cap_calls = 0;
}

/* The defaults are Xen's release ones before anyone sets them. */
static void test_default_thresholds(void)
{
    int a, b, c, d;

    log_get_thresholds(&a, &b, &c, &d);
    CHECK_EQ(a, LOG_THRESH_WARNING);
    CHECK_EQ(b, LOG_THRESH_WARNING);
    CHECK_EQ(c, LOG_THRESH_NONE);
    CHECK_EQ(d, LOG_THRESH_WARNING);
}

/* No sink registered: printk must simply discard. */
static void test_no_sink(void)
{
    log_set_sink(NULL);
    printk("nobody listens\n");
    reset();
    CHECK_EQ(cap_len, 0);
}

/* Every line gets the prefix, in one sink call for a short message. */
static void test_prefix_lines(void)
{
    reset();
    printk("hello %d\n", 42);
    CHECK_STR(cap, "(xhv) hello 42\n");
    CHECK_EQ(cap_calls, 1);
    reset();
    printk("a\nb\n\nc\n");
    CHECK_STR(cap, "(xhv) a\n(xhv) b\n(xhv) \n(xhv) c\n");
    CHECK_EQ(cap_calls, 1);
}

/* A message without newline is continued by the next printk, and the
 * continuation gets no second prefix; its own level prefix is stripped. */
static void test_continuation(void)
{
    reset();
    printk("abc");
    printk("def");
    printk(XLOG_ERR "ghi\nnext");
    printk(" line\n");
    CHECK_STR(cap, "(xhv) abcdefghi\n(xhv) next line\n");
}

/* Default loglvl=warning: errors and warnings (and unprefixed lines) show,
 * info and debug are dropped; the level prefix never reaches the output. */
static void test_level_filter_default(void)
{
    reset();
    printk(XLOG_ERR "e\n");
    printk(XLOG_WARN "w\n");
    printk(XLOG_INFO "i\n");
    printk(XLOG_DEBUG "d\n");
    printk("plain\n");
    CHECK_STR(cap, "(xhv) e\n(xhv) w\n(xhv) plain\n");
}

/* loglvl=all shows everything; loglvl=none nothing, even errors. */
static void test_level_filter_set(void)
{
    reset();
    log_set_thresholds(LOG_THRESH_DEBUG, LOG_THRESH_DEBUG);
    printk(XLOG_DEBUG "d\n");
    printk(XLOG_INFO "i\n");
    CHECK_STR(cap, "(xhv) d\n(xhv) i\n");
    reset();
    log_set_thresholds(LOG_THRESH_NONE, LOG_THRESH_NONE);
    printk(XLOG_ERR "e\n");
    printk("plain\n");
    CHECK_STR(cap, "");
    reset();
    log_set_thresholds(LOG_THRESH_ERROR, LOG_THRESH_ERROR);
    printk(XLOG_ERR "e\n");
    printk(XLOG_WARN "w\n");
    CHECK_STR(cap, "(xhv) e\n");
}

/* A dropped line stays dropped when continued, and the next line is
 * judged afresh. */
static void test_dropped_continuation(void)
{
    reset();
    printk(XLOG_DEBUG "hidden");
    printk(" still hidden\n");
    printk("shown\n");
    CHECK_STR(cap, "(xhv) shown\n");
    /* Lines after the first in one message share its level. */
    reset();
    printk(XLOG_INFO "a\nb\n");
    CHECK_STR(cap, "");
}

/* Guest lines use guest_loglvl (default none/warning): warnings and errors
 * are rate-limited (shown, no clock), info/debug dropped; "<G>" alone is a
 * warning. */
static void test_guest_levels(void)
{
    reset();
    printk(XLOG_G_ERR "ge\n");
    printk(XLOG_G_WARN "gw\n");
    printk(XLOG_G_INFO "gi\n");
    printk(XLOG_G_DEBUG "gd\n");
    printk(XLOG_GUEST "g\n");
    CHECK_STR(cap, "(xhv) ge\n(xhv) gw\n(xhv) g\n");
    /* Guest and shim thresholds are independent. */
    reset();
    log_set_guest_thresholds(LOG_THRESH_NONE, LOG_THRESH_NONE);
    printk(XLOG_G_ERR "ge\n");
    printk(XLOG_ERR "e\n");
    CHECK_STR(cap, "(xhv) e\n");
    /* Level and guest marker in either order. */
    reset();
    log_set_guest_thresholds(LOG_THRESH_INFO, LOG_THRESH_INFO);
    printk(XLOG_INFO XLOG_GUEST "x\n");
    printk(XLOG_DEBUG XLOG_GUEST "y\n");
    CHECK_STR(cap, "(xhv) x\n");
}

/* With a clock, the rate-limited band allows a burst of 10, then one line
 * per 5 s, and reports how many were suppressed. The always band is never
 * limited. */
static void test_ratelimit(void)
{
    unsigned long before = log_suppressed_count();
    int i;

    reset();
    fake_now = 1000000;
    log_set_clock(fake_clock);
    for (i = 0; i < 12; i++)
        printk(XLOG_G_WARN "g%d\n", i);
    CHECK(strstr(cap, "(xhv) g9\n") != NULL);
    CHECK(strstr(cap, "g10") == NULL);
    CHECK(strstr(cap, "g11") == NULL);
    CHECK_EQ(log_suppressed_count() - before, 2);
    /* Errors in the always band (shim, loglvl=warning) are unaffected. */
    printk(XLOG_ERR "shim error\n");
    CHECK(strstr(cap, "(xhv) shim error\n") != NULL);
    /* 4.999 s later still nothing; at 5 s one line with the report. */
    fake_now += 4999;
    cap_len = 0;
    cap[0] = '\0';
    printk(XLOG_G_WARN "late\n");
    CHECK_STR(cap, "");
    fake_now += 1;
    printk(XLOG_G_WARN "again\n");
    CHECK_STR(cap, "(xhv) printk: 3 messages suppressed.\n(xhv) again\n");
    /* A multi-line message is shown or dropped as a whole. */
    cap_len = 0;
    cap[0] = '\0';
    printk(XLOG_G_WARN "one\ntwo\n");
    CHECK_STR(cap, "");
    fake_now += 5000;
    printk(XLOG_G_WARN "one\ntwo\n");
    CHECK_STR(cap, "(xhv) printk: 1 messages suppressed.\n(xhv) one\n(xhv) two\n");
    /* A clock going backwards must not refill the bucket. */
    cap_len = 0;
    cap[0] = '\0';
    fake_now -= 100000;
    printk(XLOG_G_WARN "back\n");
    CHECK_STR(cap, "");
    log_set_clock(NULL);
}

/* Overlong messages are cut at LOG_LINE_MAX - 1 and end their line. */
static void test_truncation(void)
{
    char big[700];

    reset();
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    printk("%s", big);
    printk("after\n");
    CHECK_EQ(cap_len, 6 + (LOG_LINE_MAX - 1) + 12);
    CHECK_EQ(cap[6 + LOG_LINE_MAX - 2], '\n');
    CHECK(strcmp(cap + cap_len - 12, "(xhv) after\n") == 0);
    /* Many short lines in one message: every one prefixed, none lost. */
    reset();
    memset(big, '\n', 300);
    big[300] = '\0';
    printk("%s", big);
    CHECK_EQ(cap_len, 300 * 7);
}

/* "<b>" is not a level: it stays in the text. */
static void test_non_level_angle(void)
{
    reset();
    printk("<b>bold\n");
    printk("<5>x\n");
    CHECK_STR(cap, "(xhv) <b>bold\n(xhv) <5>x\n");
}

/* loglvl= parser: Xen's names, optional "/<rate-limited>", which is raised
 * to the first level; bad strings change nothing. */
static void test_parse_level(void)
{
    static const struct {
        const char *s;
        int rc, lvl, rl;
    } t[] = {
        { "none", 0, 0, 0 },         { "error", 0, 1, 1 },
        { "warning", 0, 2, 2 },      { "info", 0, 3, 3 },
        { "debug", 0, 4, 4 },        { "all", 0, 4, 4 },
        { "none/warning", 0, 0, 2 }, { "warning/info", 0, 2, 3 },
        { "info/error", 0, 3, 3 },   { "error/all", 0, 1, 4 },
        { "", -XEN_EINVAL, 9, 9 },   { "warn", -XEN_EINVAL, 9, 9 },
        { "infox", -XEN_EINVAL, 9, 9 }, { "info/", -XEN_EINVAL, 9, 9 },
        { "/info", -XEN_EINVAL, 9, 9 }, { "info/debug/all", -XEN_EINVAL, 9, 9 },
        { "Info", -XEN_EINVAL, 9, 9 }, { "info ", -XEN_EINVAL, 9, 9 },
        { "4", -XEN_EINVAL, 9, 9 },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(t); i++) {
        int lvl = 9, rl = 9;
        int rc = log_parse_level(t[i].s, &lvl, &rl);

        if (rc != t[i].rc || lvl != t[i].lvl || rl != t[i].rl) {
            th_case_failures++;
            printf("  \"%s\": rc %d lvl %d rl %d\n", t[i].s, rc, lvl, rl);
        }
    }
    {
        int lvl = 9, rl = 9;

        CHECK_EQ(log_parse_level(NULL, &lvl, &rl), -XEN_EINVAL);
        CHECK_EQ(lvl, 9);
    }
}

/* Setting thresholds clamps them and keeps rl >= lvl. */
static void test_set_thresholds(void)
{
    int a, b, c, d;

    log_set_thresholds(LOG_THRESH_INFO, LOG_THRESH_ERROR);
    log_set_guest_thresholds(-5, 99);
    log_get_thresholds(&a, &b, &c, &d);
    CHECK_EQ(a, LOG_THRESH_INFO);
    CHECK_EQ(b, LOG_THRESH_INFO);
    CHECK_EQ(c, LOG_THRESH_NONE);
    CHECK_EQ(d, LOG_THRESH_DEBUG);
    reset();
}

int main(void)
{
    RUN_TEST(test_default_thresholds);
    RUN_TEST(test_no_sink);
    RUN_TEST(test_prefix_lines);
    RUN_TEST(test_continuation);
    RUN_TEST(test_level_filter_default);
    RUN_TEST(test_level_filter_set);
    RUN_TEST(test_dropped_continuation);
    RUN_TEST(test_guest_levels);
    RUN_TEST(test_ratelimit);
    RUN_TEST(test_truncation);
    RUN_TEST(test_non_level_angle);
    RUN_TEST(test_parse_level);
    RUN_TEST(test_set_thresholds);
    return th_finish();
}
