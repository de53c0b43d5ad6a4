/*
 * xhvstress: cross-vCPU work for an SMP guest, with every result checked.
 * Runs inside the test guest (static, in the initramfs); exits 0 and
 * prints "xhvstress: PASS ..." only if every check held.
 *
 *   xhvstress SECONDS [WORKERS]
 *
 * Each worker process is pinned to CPU (i % ncpu) and, until the time is
 * up, repeats:
 *   fork/pipe  a child pinned to the next CPU maps an anonymous region of
 *              a varying size, fills it with a pattern, sends it through a
 *              pipe and unmaps it; the parent checks every byte and the
 *              child's exit status;
 *   remap      two threads of one process on different CPUs: the writer
 *              moves a new frame holding a new generation number over a
 *              fixed address (mremap), the reader (other CPU, waiting in
 *              user mode) must see exactly that generation — a stale TLB
 *              entry on its CPU (a missed remote flush) shows the old
 *              frame's generation.
 * Workers report counts and errors through a pipe to the parent process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ncpu;
static double deadline;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu % ncpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static uint8_t pattern(uint32_t seed, size_t i)
{
    uint32_t x = seed * 2654435761u + (uint32_t)i * 40503u;

    return (uint8_t)(x >> 13 ^ x);
}

static int read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One fork/pipe round; 0 if every byte and the exit status were right. */
static int fork_pipe_round(int cpu, uint32_t seed)
{
    size_t pages = 1 + seed % 64, len = pages * 4096, i;
    uint8_t buf[4096];
    int fd[2], status;
    pid_t pid;
    int bad = 0;

    if (pipe(fd))
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        uint8_t *m;

        close(fd[0]);
        pin(cpu + 1);
        m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            _exit(2);
        for (i = 0; i < len; i++)
            m[i] = pattern(seed, i);
        if (write_full(fd[1], m, len))
            _exit(3);
        munmap(m, len);
        _exit(0);
    }
    close(fd[1]);
    for (i = 0; i < len; i += sizeof(buf)) {
        size_t j;

        if (read_full(fd[0], buf, sizeof(buf))) {
            bad = 1;
            break;
        }
        for (j = 0; j < sizeof(buf); j++)
            if (buf[j] != pattern(seed, i + j))
                bad = 1;
    }
    close(fd[0]);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status))
        bad = 1;
    return bad;
}

/* ---- remap: writer and reader threads on different CPUs ---- */

#define REMAP_ADDR ((void *)0x7e0000000000UL)

struct remap {
    int cpu;
    volatile uint64_t gen;      /* written by the writer: "check gen" */
    volatile uint64_t seen;     /* the reader's acknowledgement */
    volatile int stop;
    volatile int errors;
};

static void *reader(void *arg)
{
    struct remap *r = arg;
    uint64_t last = 0;

    pin(r->cpu + 1);
    while (!r->stop) {
        uint64_t g = r->gen;
        unsigned spins;

        /*
         * Wait in user mode: every entry into the guest kernel reloads CR3
         * under Xen PV (and flushes), so only a reader that stays in user
         * mode keeps its translation of the page (from its last check)
         * cached and can catch a missed remote flush. (The page is not
         * touched here: the writer unmaps it between generations.) Yield
         * only now and then.
         */
        for (spins = 0; g == last && spins < 20000 && !r->stop; spins++) {
            __builtin_ia32_pause();
            g = r->gen;
        }
        if (g == last) {
            sched_yield();
            continue;
        }
        /* The page at REMAP_ADDR must hold generation g, now. */
        if (*(volatile uint64_t *)REMAP_ADDR != g)
            r->errors++;
        last = g;
        r->seen = g;
    }
    return NULL;
}

static int remap_rounds(int cpu, int rounds, long *done)
{
    struct remap r = { .cpu = cpu };
    pthread_t t;
    uint64_t g;
    double give_up;

    pin(cpu);
    if (mmap(REMAP_ADDR, 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        return 1;
    if (pthread_create(&t, NULL, reader, &r))
        return 1;
    for (g = 1; g <= (uint64_t)rounds && now() < deadline; g++) {
        /*
         * A new frame, filled first elsewhere, moved over the old one
         * (which is freed only then): the two frames always differ, so a
         * reader still using the old translation reads the old value.
         */
        uint64_t *fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (fresh == MAP_FAILED) {
            r.errors++;
            break;
        }
        *(volatile uint64_t *)fresh = g;
        if (mremap(fresh, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED,
                   REMAP_ADDR) == MAP_FAILED) {
            r.errors++;
            break;
        }
        __sync_synchronize();
        r.gen = g;
        /* Spin a little, then let the CPU's other work run (vCPUs may
         * outnumber the host's cores). */
        give_up = now() + 10;
        for (unsigned spins = 0; r.seen != g && now() < give_up; spins++)
            if (spins < 2000)
                __builtin_ia32_pause();
            else
                sched_yield();
        if (r.seen != g) {
            r.errors++;             /* the reader never answered */
            break;
        }
        (*done)++;
    }
    r.stop = 1;
    pthread_join(t, NULL);
    munmap(REMAP_ADDR, 4096);
    return r.errors;
}

struct report {
    long forks, remaps, errors;
};

static void worker(int id, int out)
{
    struct report rep = { 0, 0, 0 };
    uint32_t seed = (uint32_t)id * 7919u + 1;

    pin(id);
    while (now() < deadline) {
        rep.errors += fork_pipe_round(id, seed++);
        rep.forks++;
        rep.errors += remap_rounds(id, 50, &rep.remaps);
    }
    write_full(out, &rep, sizeof(rep));
    _exit(0);
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 10;
    int workers, i, fd[2], bad = 0, status;
    struct report total = { 0, 0, 0 }, rep;

    ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;
    workers = argc > 2 ? atoi(argv[2]) : 2 * ncpu;
    deadline = now() + seconds;
    if (pipe(fd))
        return 1;
    for (i = 0; i < workers; i++) {
        pid_t pid = fork();

        if (pid < 0)
            return 1;
        if (pid == 0) {
            close(fd[0]);
            worker(i, fd[1]);
        }
    }
    close(fd[1]);
    for (i = 0; i < workers; i++) {
        if (read_full(fd[0], &rep, sizeof(rep))) {
            bad = 1;
            break;
        }
        total.forks += rep.forks;
        total.remaps += rep.remaps;
        total.errors += rep.errors;
    }
    while (wait(&status) > 0)
        if (!WIFEXITED(status) || WEXITSTATUS(status))
            bad = 1;
    bad |= total.errors != 0 || total.forks == 0 || total.remaps == 0;
    printf("xhvstress: %s cpus=%d workers=%d seconds=%d forks=%ld "
           "remaps=%ld errors=%ld\n", bad ? "FAIL" : "PASS", ncpu, workers,
           seconds, total.forks, total.remaps, total.errors);
    return bad;
}
