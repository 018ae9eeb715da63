/* CPU load for the Linux side of ./build.sh bench (our own code): pins
 * itself to the CPU given and spins in user space at the default policy
 * (SCHED_OTHER), below every SCHED_FIFO thread, until killed.
 * Usage: burn CPU */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    char *end;
    long cpu = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || cpu < 0) { fprintf(stderr, "usage: burn CPU\n"); return 2; }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) { perror("burn: sched_setaffinity"); return 1; }
    volatile unsigned long n = 0;
    for (;;) n++;
}
