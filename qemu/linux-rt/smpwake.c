/* Cross-CPU wake-up latency for the Linux side of ./build.sh bench (our own
 * code): the Linux counterpart of "an IPI to the woken thread running".
 * A SCHED_FIFO 99 thread pinned to CPU B blocks on a futex; the main thread,
 * SCHED_FIFO 98 on CPU A, reads CLOCK_MONOTONIC and wakes it (FUTEX_WAKE:
 * the kernel marks the thread runnable and sends CPU B a reschedule IPI);
 * the woken thread reads CLOCK_MONOTONIC as soon as FUTEX_WAIT returns.
 * One-way latency = its reading - the waker's. Between wake-ups the waker
 * sleeps 200 us so that CPU B is idle and the thread blocked again: each
 * figure is a wake-up of an idle CPU. Wake-ups that found the thread not
 * yet blocked are not counted (and reported).
 * Usage: smpwake [-a CPU,CPU] [ROUNDS]   (default -a 0,1, 10000 rounds)
 * Output: "# BENCH smp_wakeup_min|mean|max <value> ns". */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int futex(int *word, int op, int val)
{
    return (int)syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* The futex word: the number of wake-ups sent. */
static int sent;
/* The number of wake-ups the thread has recorded. */
static int done;
/* The waker's clock reading for the wake-up in flight. */
static long long sent_at;
static long long *lat;
static int *blocked; /* 1 when the wake-up found the thread in FUTEX_WAIT */
static int rounds, cpu_a = 0, cpu_b = 1;

static int pin_fifo(int cpu, int prio)
{
    cpu_set_t set;
    struct sched_param p;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) { fprintf(stderr, "smpwake: sched_setaffinity to CPU %d: %s\n", cpu, strerror(errno)); return -1; }
    memset(&p, 0, sizeof p);
    p.sched_priority = prio;
    if (sched_setscheduler(0, SCHED_FIFO, &p) != 0) { fprintf(stderr, "smpwake: SCHED_FIFO %d: %s\n", prio, strerror(errno)); return -1; }
    return 0;
}

static void *wakee(void *arg)
{
    (void)arg;
    if (pin_fifo(cpu_b, 99) != 0) exit(1);
    for (int i = 0; i < rounds; i++) {
        int slept = 0;
        /* Wait while no new wake-up was sent; FUTEX_WAIT returns at once
         * (EAGAIN) when the word already moved on. */
        while (__atomic_load_n(&sent, __ATOMIC_ACQUIRE) == i) {
            if (futex(&sent, FUTEX_WAIT_PRIVATE, i) == 0) slept = 1;
        }
        long long t1 = now_ns();
        lat[i] = t1 - __atomic_load_n(&sent_at, __ATOMIC_ACQUIRE);
        blocked[i] = slept;
        __atomic_store_n(&done, i + 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int argi = 1;
    if (argi < argc && strcmp(argv[argi], "-a") == 0) {
        char *end;
        if (argi + 1 >= argc) { fprintf(stderr, "smpwake: -a needs two CPU numbers, e.g. -a 0,1\n"); return 2; }
        cpu_a = (int)strtol(argv[argi + 1], &end, 10);
        if (*end != ',') { fprintf(stderr, "smpwake: -a needs two CPU numbers, e.g. -a 0,1\n"); return 2; }
        cpu_b = (int)strtol(end + 1, &end, 10);
        if (*end != '\0' || cpu_a < 0 || cpu_b < 0 || cpu_a == cpu_b) { fprintf(stderr, "smpwake: -a needs two different CPU numbers, e.g. -a 0,1\n"); return 2; }
        argi += 2;
    }
    rounds = argi < argc ? atoi(argv[argi]) : 10000;
    if (rounds <= 0) { fprintf(stderr, "smpwake: ROUNDS must be a positive number\n"); return 2; }
    lat = calloc((size_t)rounds, sizeof *lat);
    blocked = calloc((size_t)rounds, sizeof *blocked);
    if (!lat || !blocked) { fprintf(stderr, "smpwake: out of memory\n"); return 1; }
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("smpwake: mlockall");
    if (pin_fifo(cpu_a, 98) != 0) return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, wakee, NULL) != 0) { fprintf(stderr, "smpwake: pthread_create failed\n"); return 1; }
    struct timespec gap = { 0, 200000 };
    for (int i = 0; i < rounds; i++) {
        /* The previous wake-up recorded, then time for the thread to block. */
        while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) != i) nanosleep(&gap, NULL);
        nanosleep(&gap, NULL);
        __atomic_store_n(&sent_at, now_ns(), __ATOMIC_RELEASE);
        __atomic_store_n(&sent, i + 1, __ATOMIC_RELEASE);
        futex(&sent, FUTEX_WAKE_PRIVATE, 1);
    }
    pthread_join(t, NULL);
    long long min = 0, max = 0, sum = 0;
    int n = 0;
    for (int i = 0; i < rounds; i++) {
        if (!blocked[i]) continue;
        if (n == 0 || lat[i] < min) min = lat[i];
        if (n == 0 || lat[i] > max) max = lat[i];
        sum += lat[i];
        n++;
    }
    if (n < rounds) printf("# linux: smpwake: %d of %d wake-ups found the thread not blocked (not counted)\n", rounds - n, rounds);
    if (n == 0) { fprintf(stderr, "smpwake: no wake-up found the thread blocked\n"); return 1; }
    printf("# BENCH smp_wakeup_min %lld ns\n", min);
    printf("# BENCH smp_wakeup_mean %lld ns\n", sum / n);
    printf("# BENCH smp_wakeup_max %lld ns\n", max);
    fflush(stdout);
    return 0;
}
