# Constrained deadlines under EDF where the processor-demand test passes
# with 0.2 ms to spare at its tightest points (h(7 ms) = 2x1 + 2 + 2.8 =
# 6.8 ms): see
# demand-edge.expect. The utilization test does not apply (D < T).
scheduler edf
duration 48ms
periodic name=a wcet=1ms   period=4ms deadline=2ms
periodic name=b wcet=2ms   period=6ms deadline=4ms
periodic name=c wcet=2.8ms period=8ms deadline=7ms
