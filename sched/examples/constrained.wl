# Constrained deadlines (D < T): the utilization test does not apply, the
# processor-demand test (QPA) decides. U = 0.6 but the deadlines are tight:
# demand h(t) <= t holds at every deadline (h(2)=1, h(4)=3, h(6)=4, h(7)=7 ...).
scheduler edf
duration 240ms

periodic name=a wcet=1ms period=4ms deadline=2ms
periodic name=b wcet=2ms period=6ms deadline=4ms
periodic name=c wcet=3ms period=8ms deadline=7ms phase=0
