# Four tasks of 10 ms released together at t0 under EDF, U = 0.926: the
# synchronous start is the worst case (tau4's first job completes at 40 ms,
# deadline 70 ms). No job misses in the simulator or in the kernel; the run
# ends at 415 ms, where no job completes, so the end of the run cannot split
# a job between the two. build.sh test compares them.
scheduler edf
duration 415ms
periodic name=tau1 wcet=10ms period=30ms
periodic name=tau2 wcet=10ms period=40ms
periodic name=tau3 wcet=10ms period=50ms
periodic name=tau4 wcet=10ms period=70ms
