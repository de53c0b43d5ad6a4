/*
 * xhvbench: the guest half of tools/bench. A static program run by the
 * benchmark initramfs's /init; it times a few kernel paths that a PV
 * hypervisor sits on, with clock_gettime(CLOCK_MONOTONIC) inside the guest,
 * and prints one machine-readable line per result on stdout (the console):
 *
 *   XHVBENCH info <key> <value>
 *   XHVBENCH result <metric> <value> <unit> <iterations>
 *   XHVBENCH done <guest-seconds>
 *   XHVBENCH error <what> <errno text>
 *
 * Each metric runs for about xhvbench.seconds= (kernel command line, or
 * argv[1]; default 1) after one untimed warm-up batch: batches double in
 * size until the time is used up, and the result is the total time over
 * the total iterations, so a metric 30x slower under one hypervisor takes
 * the same wall time, not 30x more. xhvbench.only=getpid+fork (or argv[2])
 * runs a subset, for diagnosis. Built with gcc -static -O2.
 *
 * Metrics (ns per operation):
 *   getpid          syscall(SYS_getpid): the bare system call round trip
 *   fork            fork() + child _exit(0) + waitpid() in the parent
 *   pagefault       touching (writing) one fresh page of a 64 MiB anonymous
 *                   mapping (MADV_NOHUGEPAGE: 4 KiB faults everywhere)
 *   pipe            one round trip of a byte between two processes over
 *                   two pipes
 *   mmap            mmap 64 KiB anonymous, write each of its 16 pages,
 *                   munmap
 *   clock_gettime   clock_gettime(CLOCK_MONOTONIC) (vDSO where the kernel
 *                   offers it)
 *   cpu             one step of a dependent integer loop: the control,
 *                   which no hypervisor should move
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds = 1.0;
static char only[256];          /* xhvbench.only=a+b: a subset (diagnosis) */

static int want(const char *name)
{
    const char *p = only;
    size_t n = strlen(name);

    if (!only[0])
        return 1;
    while ((p = strstr(p, name))) {
        if ((p == only || p[-1] == '+') && (p[n] == '+' || p[n] == 0))
            return 1;
        p += n;
    }
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    printf("XHVBENCH error %s %s\n", what, strerror(errno));
    fflush(stdout);
    exit(1);
}

/* One batch of n operations; returns the nanoseconds it took. */
typedef uint64_t (*batch_fn)(uint64_t n);

static void report(const char *name, uint64_t total, uint64_t iters)
{
    printf("XHVBENCH result %s %.3f ns %llu\n", name,
           (double)total / (double)iters, (unsigned long long)iters);
    fflush(stdout);
}

static void measure(const char *name, batch_fn fn, uint64_t first)
{
    uint64_t budget = (uint64_t)(seconds * 1e9), total = 0, iters = 0;
    uint64_t n = first;

    fn(first);                  /* warm-up: caches, first-touch, page tables */
    /* Invariant: total is the time of iters operations, all measured. */
    while (total < budget) {
        uint64_t want;

        total += fn(n);
        iters += n;
        /* Next batch: twice as big, but not past the budget (by the cost
         * per operation so far). */
        want = (budget > total ? budget - total : 0) * iters / (total + 1) + 1;
        n = n * 2 < want ? n * 2 : want;
    }
    report(name, total, iters);
}

static uint64_t b_getpid(uint64_t n)
{
    uint64_t t0 = now_ns();

    for (uint64_t i = 0; i < n; i++)
        syscall(SYS_getpid);
    return now_ns() - t0;
}

static uint64_t b_fork(uint64_t n)
{
    uint64_t t0 = now_ns();

    for (uint64_t i = 0; i < n; i++) {
        pid_t pid = fork();
        int st;

        if (pid < 0)
            die("fork");
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, &st, 0) != pid)
            die("waitpid");
    }
    return now_ns() - t0;
}

#define FAULT_BYTES (64ul << 20)

/* Maps 64 MiB, writes one byte to each page, unmaps; returns the time of
 * the writes only and adds the pages touched to *pages. */
static uint64_t fault_once(uint64_t *pages)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t n = FAULT_BYTES / pg, t0, t;
    char *p = mmap(NULL, FAULT_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        die("mmap");
    madvise(p, FAULT_BYTES, MADV_NOHUGEPAGE);
    t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        p[i * pg] = 1;
    t = now_ns() - t0;
    munmap(p, FAULT_BYTES);
    *pages += n;
    return t;
}

/* Whole mappings until the time is used up; the result is per page. */
static void measure_pagefault(void)
{
    uint64_t budget = (uint64_t)(seconds * 1e9), total = 0, iters = 0, w = 0;

    fault_once(&w);
    while (total < budget)
        total += fault_once(&iters);
    report("pagefault", total, iters);
}

static uint64_t b_pipe(uint64_t n)
{
    int a[2], b[2];
    char c = 0;
    pid_t pid;
    uint64_t t0, t;

    if (pipe(a) || pipe(b))
        die("pipe");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        for (uint64_t i = 0; i < n; i++) {
            if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
            die("pipe ping-pong");
    }
    t = now_ns() - t0;
    waitpid(pid, NULL, 0);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    return t;
}

#define CHURN_BYTES (64ul << 10)

static uint64_t b_mmap(uint64_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t t0 = now_ns();

    for (uint64_t i = 0; i < n; i++) {
        char *p = mmap(NULL, CHURN_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
            die("mmap");
        for (unsigned long off = 0; off < CHURN_BYTES; off += pg)
            p[off] = 1;
        if (munmap(p, CHURN_BYTES))
            die("munmap");
    }
    return now_ns() - t0;
}

static uint64_t b_clock(uint64_t n)
{
    struct timespec ts;
    uint64_t t0 = now_ns();

    for (uint64_t i = 0; i < n; i++)
        clock_gettime(CLOCK_MONOTONIC, &ts);
    return now_ns() - t0;
}

static volatile uint64_t sink;

static uint64_t b_cpu(uint64_t n)
{
    uint64_t x = n, t0 = now_ns();

    for (uint64_t i = 0; i < n; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    sink = x;
    return now_ns() - t0;
}

static void info_file(const char *key, const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY);
    ssize_t len;

    if (fd < 0)
        return;
    len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0)
        return;
    buf[len] = 0;
    buf[strcspn(buf, "\n")] = 0;
    for (char *s = buf; *s; s++)
        if (*s == ' ')
            *s = '_';
    printf("XHVBENCH info %s %s\n", key, buf);
}

/* xhvbench.seconds=<s> on the kernel command line (the same for every
 * configuration), unless given as argv[1]; xhvbench.only=<a>+<b> (or
 * argv[2]) runs only those metrics. */
static void read_seconds(int argc, char **argv)
{
    char buf[4096], *p;
    int fd;
    ssize_t len;

    if (argc > 1) {
        seconds = atof(argv[1]);
        if (argc > 2)
            snprintf(only, sizeof(only), "%s", argv[2]);
        return;
    }
    fd = open("/proc/cmdline", O_RDONLY);
    if (fd < 0)
        return;
    len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0)
        return;
    buf[len] = 0;
    p = strstr(buf, "xhvbench.seconds=");
    if (p)
        seconds = atof(p + strlen("xhvbench.seconds="));
    p = strstr(buf, "xhvbench.only=");
    if (p)
        sscanf(p + strlen("xhvbench.only="), "%255[a-z_+]", only);
}

int main(int argc, char **argv)
{
    struct utsname u;
    uint64_t t0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    read_seconds(argc, argv);
    if (!(seconds > 0 && seconds < 3600))
        seconds = 1.0;
    uname(&u);
    printf("XHVBENCH info kernel %s\n", u.release);
    printf("XHVBENCH info cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("XHVBENCH info seconds %.3f\n", seconds);
    info_file("clocksource",
              "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    info_file("hypervisor", "/sys/hypervisor/type");
    printf("XHVBENCH start\n");
    fflush(stdout);
    t0 = now_ns();
    if (want("cpu"))
        measure("cpu", b_cpu, 1 << 16);
    if (want("getpid"))
        measure("getpid", b_getpid, 256);
    if (want("clock_gettime"))
        measure("clock_gettime", b_clock, 256);
    if (want("fork"))
        measure("fork", b_fork, 4);
    if (want("pagefault"))
        measure_pagefault();
    if (want("pipe"))
        measure("pipe", b_pipe, 64);
    if (want("mmap"))
        measure("mmap", b_mmap, 16);
    printf("XHVBENCH done %.6f\n", (double)(now_ns() - t0) / 1e9);
    /* The kernel may have changed clocksource meanwhile (tsc-early -> tsc,
     * or away from an unstable TSC). */
    info_file("clocksource_end",
              "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    fflush(stdout);
    return 0;
}
