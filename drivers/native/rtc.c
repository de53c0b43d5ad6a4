/*
 * CMOS real-time clock (MC146818 registers at ports 0x70/0x71): the wall
 * clock at boot. Read twice until two reads agree, so an update between
 * registers cannot tear the value; honours the BCD and 12-hour modes of
 * status register B.
 */
#include <xhv/native.h>
#include <xhv/x86.h>

#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define RTC_SEC     0x00
#define RTC_MIN     0x02
#define RTC_HOUR    0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32    /* as ACPI FADT says on PCs; QEMU provides it */

struct rtc_time {
    unsigned int sec, min, hour, day, mon, year, century;
};

static unsigned int cmos_read(unsigned int reg)
{
    outb(RTC_INDEX, (uint8_t)reg);
    return inb(RTC_DATA);
}

static void read_raw(struct rtc_time *t)
{
    unsigned int spins = 0;

    while ((cmos_read(RTC_STATUS_A) & 0x80) && ++spins < 1000000)
        cpu_relax();                        /* update in progress */
    t->sec = cmos_read(RTC_SEC);
    t->min = cmos_read(RTC_MIN);
    t->hour = cmos_read(RTC_HOUR);
    t->day = cmos_read(RTC_DAY);
    t->mon = cmos_read(RTC_MONTH);
    t->year = cmos_read(RTC_YEAR);
    t->century = cmos_read(RTC_CENTURY);
}

static unsigned int bcd(unsigned int v)
{
    return (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
    unsigned int yy = m <= 2 ? y - 1 : y;
    unsigned int era = yy / 400;
    unsigned int yoe = yy - era * 400;
    unsigned int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (uint64_t)era * 146097 + doe - 719468;
}

uint64_t rtc_read_unix_time(void)
{
    struct rtc_time a, b;
    unsigned int status_b, tries = 0, year, pm;

    do {
        read_raw(&a);
        read_raw(&b);
    } while ((a.sec != b.sec || a.min != b.min || a.hour != b.hour ||
              a.day != b.day || a.mon != b.mon || a.year != b.year) &&
             ++tries < 10);

    status_b = cmos_read(RTC_STATUS_B);
    pm = b.hour & 0x80;
    b.hour &= 0x7f;
    if (!(status_b & 0x04)) {               /* BCD */
        b.sec = bcd(b.sec);
        b.min = bcd(b.min);
        b.hour = bcd(b.hour);
        b.day = bcd(b.day);
        b.mon = bcd(b.mon);
        b.year = bcd(b.year);
        b.century = bcd(b.century);
    }
    if (!(status_b & 0x02)) {               /* 12-hour mode */
        b.hour %= 12;
        if (pm)
            b.hour += 12;
    }
    year = (b.century >= 19 && b.century <= 30) ? b.century * 100 + b.year
                                                : 2000 + b.year;
    if (b.mon < 1 || b.mon > 12 || b.day < 1 || b.day > 31 ||
        b.hour > 23 || b.min > 59 || b.sec > 60)
        return 0;
    return days_from_civil(year, b.mon, b.day) * 86400 + b.hour * 3600 +
           b.min * 60 + b.sec;
}
