# The harmonic set at U = 1 of harmonic-u1-fp.wl under EDF: with zero
# overheads every job meets its deadline, and in each 8 ms hyperperiod the
# last job (t1's, behind t2's equal deadline) completes exactly at its
# deadline. Derivation and expected results: harmonic-u1-edf.expect.
scheduler edf
duration 80ms
periodic name=t1 wcet=1ms period=2ms
periodic name=t2 wcet=1ms period=4ms
periodic name=t3 wcet=2ms period=8ms
