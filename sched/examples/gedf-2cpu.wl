# Global EDF on a cluster of two CPUs, a set the GFB test accepts: every
# deadline is met (0 misses in the simulator and in the kernel, whose
# compare stage runs it under -smp 2 -icount).
#   U_sum = 2/5 + 3/10 + 4/20 + 3/12 + 1/4 = 1.4
#   U_max = 0.4 (task a): bound M - (M-1) U_max = 2 - 0.4 = 1.6 >= 1.4
# (margin 0.2). Jobs migrate: five tasks share two CPUs.
# Hyperperiod lcm(5, 10, 20, 12, 4) = 60ms.
scheduler gedf
cpus 2
duration 120ms

periodic name=a wcet=2ms period=5ms
periodic name=b wcet=3ms period=10ms
periodic name=c wcet=4ms period=20ms
periodic name=d wcet=3ms period=12ms
periodic name=e wcet=1ms period=4ms
