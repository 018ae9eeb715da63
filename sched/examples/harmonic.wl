# Harmonic task set (periods 5, 10, 20, 40 ms), U = 1.0.
# Harmonic periods: rate-monotonic fixed priority is optimal up to U = 1, so
# this set meets every deadline under BOTH `scheduler priority` and `edf`.
scheduler priority
duration 400ms

periodic name=ctl   wcet=1ms  period=5ms
periodic name=io    wcet=2ms  period=10ms
periodic name=log   wcet=4ms  period=20ms
periodic name=stats wcet=8ms  period=40ms
