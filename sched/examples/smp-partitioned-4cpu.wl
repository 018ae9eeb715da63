# Partitioned fixed priority (rate monotonic) on four CPUs. Each CPU is
# analysed on its own with response-time analysis (exact for D <= T and
# distinct priorities; Joseph and Pandya 1986, Audsley et al. 1993):
#   cpu 0: harmonic periods at U = 1: the Liu-Layland bound (0.7798 for
#          n = 3) is exceeded, yet RTA accepts (R = 2, 4, 16 ms): harmonic
#          sets are schedulable under RM up to U = 1 (with zero
#          overheads: no slack is left, so on a real machine any per-job
#          cost makes h3 miss; the kernel compare row charges the simulator
#          5 us per switch, which gives the kernel's counts);
#   cpu 1: U = 0.55, below the bound;
#   cpu 2: constrained deadlines (D < T): R1 = 1ms <= 2ms, R2 = 3ms <= 5ms;
#   cpu 3: U = 0.5 for the periodic tasks and a background thread (priority
#          200) that takes the idle time (not analysed).
# Hyperperiod lcm(4, 8, 16, 5, 10, 20, 6, 3) = 240ms.
scheduler priority
cpus 4
duration 240ms

periodic name=h1 wcet=2ms period=4ms  priority=1 cpu=0
periodic name=h2 wcet=2ms period=8ms  priority=2 cpu=0
periodic name=h3 wcet=4ms period=16ms priority=3 cpu=0
periodic name=l1 wcet=1ms period=5ms  priority=1 cpu=1
periodic name=l2 wcet=2ms period=10ms priority=2 cpu=1
periodic name=l3 wcet=3ms period=20ms priority=3 cpu=1
periodic name=c1 wcet=1ms period=4ms deadline=2ms priority=1 cpu=2
periodic name=c2 wcet=2ms period=6ms deadline=5ms priority=2 cpu=2
periodic name=r1 wcet=1ms period=3ms  priority=1 cpu=3
periodic name=r2 wcet=1ms period=6ms  priority=2 cpu=3
background name=bg priority=200 cpu=3
