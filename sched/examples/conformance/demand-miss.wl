# Constrained deadlines under EDF where the processor demand exceeds the
# time available: h(2.4 ms) = 1.5 + 1 = 2.5 ms > 2.4 ms, although U = 0.4.
# Derivation and expected results: demand-miss.expect.
scheduler edf
duration 30ms
periodic name=a wcet=1.5ms period=5ms  deadline=2ms
periodic name=b wcet=1ms   period=10ms deadline=2.4ms
