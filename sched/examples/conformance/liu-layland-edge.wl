# Just above the Liu-Layland bound for two tasks: U = 2/5 + 2.8/6.5 =
# 0.83077 > 2(2^(1/2) - 1) = 0.82843, so the bound is inconclusive, but
# response-time analysis schedules the set (R2 = 2.8 + 2 = 4.8 ms <= 6.5 ms).
# Derivation and expected results: liu-layland-edge.expect.
scheduler priority
duration 35ms
periodic name=t1 wcet=2ms   period=5ms
periodic name=t2 wcet=2.8ms period=6.5ms
