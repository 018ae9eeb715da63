/* Switch-cost figures for the Linux side of ./build.sh bench (our own code).
 * Two processes on one CPU, both SCHED_FIFO at priority 98:
 *  - pipe ping-pong: a one-byte message each way per round trip
 *    (two writes, two reads, two switches); prints the mean round trip;
 *  - yield switch: both call sched_yield in a loop; prints ns per switch.
 * Output lines: "# BENCH <name> <value> ns", read by build.sh. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void realtime(void)
{
    cpu_set_t set;
    struct sched_param p;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    sched_setaffinity(0, sizeof set, &set);
    memset(&p, 0, sizeof p);
    p.sched_priority = 98;
    if (sched_setscheduler(0, SCHED_FIFO, &p) != 0) perror("pingpong: sched_setscheduler");
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10000;
    int a[2], b[2];
    char c = 'x';
    realtime();
    if (pipe(a) || pipe(b)) { perror("pingpong: pipe"); return 1; }
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < rounds; i++) {
            if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    long long t0 = now_ns();
    for (int i = 0; i < rounds; i++) {
        if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1) { perror("pingpong: pipe i/o"); return 1; }
    }
    long long t1 = now_ns();
    waitpid(child, NULL, 0);
    printf("# BENCH pingpong_round_trip %lld ns\n", (t1 - t0) / rounds);

    child = fork();
    if (child == 0) {
        for (int i = 0; i < rounds; i++) sched_yield();
        _exit(0);
    }
    t0 = now_ns();
    for (int i = 0; i < rounds; i++) sched_yield();
    t1 = now_ns();
    waitpid(child, NULL, 0);
    printf("# BENCH lm_yield_switch %lld ns\n", (t1 - t0) / (2LL * rounds));
    fflush(stdout);
    return 0;
}
