# Two tasks under EDF released together at t0, U = 2/5 + 4/7 = 0.971: the
# first jobs leave t2 1 ms of slack (t1 0-2 ms, t2 2-6 ms, deadline 7 ms).
# Every task's job k is released at exactly t0 + phase + kT in the kernel as
# in the simulator (one common release instant, no set-up time charged to a
# job), so no first job misses. build.sh test compares the two.
scheduler edf
periodic name=t1 wcet=2ms period=5ms
periodic name=t2 wcet=4ms period=7ms
