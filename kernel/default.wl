# Built-in default workload (see sched/README.md for the format).
