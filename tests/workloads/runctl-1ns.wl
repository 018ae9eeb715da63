# A 1 ns period (build.sh test, "run control"): every timer interrupt finds
# the period ended again; the kernel counts the ended periods at once and
# keeps time for the threads, so the run ends within its duration plus a
# bounded time.
scheduler edf
duration 10ms

periodic name=blur wcet=1ms period=1ns
periodic name=ctl wcet=100us period=1ms
