# Built-in default workload (see sched/README.md for the format): what
# `./build.sh run` boots with no file. Three periodic threads at rate-monotonic
# priorities preempt each other on the timer for one second while a
# background thread soaks up the idle time; the kernel then prints the same
# table `./build.sh sim kernel/default.wl` prints.
scheduler priority
duration 1s

periodic   name=control wcet=700us period=5ms
periodic   name=sensor  wcet=2300us period=12ms
periodic   name=logger  wcet=9ms   period=50ms
background name=housekeeping
