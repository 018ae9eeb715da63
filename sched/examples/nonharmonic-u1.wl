# Non-harmonic set with U = 2/5 + 4/7 + 1/35 = 1.0 exactly.
# EDF meets every deadline (U <= 1 is exact for implicit deadlines).
# Fixed priority (rate monotonic) misses: task t2 has response time
# R = 4 + ceil(R/5)*2 -> 8ms > 7ms. Run with `scheduler priority` to see it.
scheduler edf
duration 350ms

periodic name=t1 wcet=2ms period=5ms
periodic name=t2 wcet=4ms period=7ms
periodic name=t3 wcet=1ms period=35ms
