# A harmonic set at U = 1/2 + 1/4 + 2/8 = 1 under rate-monotonic priorities:
# with zero overheads every job meets its deadline and t3 completes each
# job exactly at its period end (the job-boundary rule: on time, no
# postponed job). Derivation and expected results: harmonic-u1-fp.expect.
scheduler priority
duration 80ms
periodic name=t1 wcet=1ms period=2ms
periodic name=t2 wcet=1ms period=4ms
periodic name=t3 wcet=2ms period=8ms
