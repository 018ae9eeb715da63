# RTEMS-style rate-monotonic overrun: t1 needs 3 ms of CPU every 2 ms (U = 1.5),
# so each of its periods ends with the job still running and the period
# postpones the next job (rtems_rate_monotonic_period returns TIMEOUT and
# releases a postponed job at once). The less urgent t2 never runs.
# Derivation and expected results: rm-overrun.expect.
scheduler priority
duration 20ms
periodic name=t1 wcet=3ms period=2ms
periodic name=t2 wcet=1ms period=20ms deadline=5ms
