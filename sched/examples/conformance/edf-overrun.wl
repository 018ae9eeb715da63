# EDF with an overrunning task: t1 needs 3 ms every 2 ms (U = 1.5); its late
# and postponed jobs keep the deadlines of the periods they belong to, so
# t2 (deadline 5 ms) runs only once t1's running job has a later deadline.
# Derivation and expected results: edf-overrun.expect.
scheduler edf
duration 20ms
periodic name=t1 wcet=3ms period=2ms
periodic name=t2 wcet=1ms period=20ms deadline=5ms
