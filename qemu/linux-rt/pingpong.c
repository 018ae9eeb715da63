/* Switch-cost figures for the Linux side of ./build.sh bench (our own code).
 * Two processes, both SCHED_FIFO at priority 98:
 *  - pipe ping-pong: a one-byte message each way per round trip
 *    (two writes, two reads, two switches); prints the mean round trip;
 *  - yield switch: both call sched_yield in a loop; prints ns per switch.
 * Usage: pingpong [-a CPU,CPU] [ROUNDS]
 *  - without -a both processes run on CPU 0: pingpong_round_trip and
 *    lm_yield_switch;
 *  - with -a A,B the parent runs on CPU A and the child on CPU B: only the
 *    ping-pong, as smp_pingpong_round_trip (each message wakes a process
 *    on the other CPU; a yield there would not switch anything).
 * Output lines: "# BENCH <name> <value> ns", read by the runner. */
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

/* Pins the calling process to one CPU; exits on failure (a figure from the
 * wrong CPU would be a wrong figure). */
static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        fprintf(stderr, "pingpong: sched_setaffinity to CPU %d: ", cpu);
        perror("");
        _exit(2);
    }
}

static void realtime(int cpu)
{
    struct sched_param p;
    pin(cpu);
    memset(&p, 0, sizeof p);
    p.sched_priority = 98;
    if (sched_setscheduler(0, SCHED_FIFO, &p) != 0) perror("pingpong: sched_setscheduler");
}

/* "A,B" with A and B non-negative CPU numbers; 0 on success. */
static int parse_cpus(const char *s, int *a, int *b)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || *end != ',' || x < 0 || x > 1023) return -1;
    const char *t = end + 1;
    long y = strtol(t, &end, 10);
    if (end == t || *end != '\0' || y < 0 || y > 1023) return -1;
    *a = (int)x;
    *b = (int)y;
    return 0;
}

int main(int argc, char **argv)
{
    int cpu_a = 0, cpu_b = 0, cross = 0, argi = 1;
    if (argi < argc && strcmp(argv[argi], "-a") == 0) {
        if (argi + 1 >= argc || parse_cpus(argv[argi + 1], &cpu_a, &cpu_b) != 0) {
            fprintf(stderr, "pingpong: -a needs two CPU numbers, e.g. -a 0,1\n");
            return 2;
        }
        cross = 1;
        argi += 2;
    }
    int rounds = argi < argc ? atoi(argv[argi]) : 10000;
    if (rounds <= 0) { fprintf(stderr, "pingpong: ROUNDS must be a positive number, not '%s'\n", argv[argi]); return 2; }
    int a[2], b[2];
    char c = 'x';
    realtime(cpu_a);
    if (pipe(a) || pipe(b)) { perror("pingpong: pipe"); return 1; }
    pid_t child = fork();
    if (child == 0) {
        if (cross) pin(cpu_b); /* the child inherits SCHED_FIFO 98 and CPU A */
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
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "pingpong: the child process failed\n"); return 1; }
    printf("# BENCH %s %lld ns\n", cross ? "smp_pingpong_round_trip" : "pingpong_round_trip", (t1 - t0) / rounds);
    if (cross) { fflush(stdout); return 0; }

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
