# Three periodic threads at rate-monotonic priorities preempt each other on
# the timer for one second while a background thread soaks up the idle time.
# `./build.sh run sched/examples/rm-threads.wl` prints the same table as
# `./build.sh sim sched/examples/rm-threads.wl` (build.sh test compares them).
scheduler priority
duration 1s

periodic   name=control wcet=700us period=5ms
periodic   name=sensor  wcet=2300us period=12ms
periodic   name=logger  wcet=9ms   period=50ms
background name=housekeeping
