# The same set as nonharmonic-u1.wl under fixed priority (rate monotonic):
# response-time analysis rejects it (t2: R = 8ms > D = 7ms) and t2 misses.
scheduler priority
duration 350ms

periodic name=t1 wcet=2ms period=5ms
periodic name=t2 wcet=4ms period=7ms
periodic name=t3 wcet=1ms period=35ms
