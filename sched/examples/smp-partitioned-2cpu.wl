# Partitioned EDF on two CPUs: each task is bound to its 'cpu', and each CPU
# is an independent uniprocessor with its own EDF ready set (one SchedCore
# per CPU, one shared clock). The theory is the uniprocessor theory applied
# per CPU: EDF meets every implicit deadline on a CPU exactly when that CPU's
# utilization is at most 1 (Liu and Layland 1973).
#   cpu 0: 1/4 + 2/6 + 3/12 = 0.8333   -> schedulable
#   cpu 1: 3/5 + 2/10 + 3/20 = 0.95    -> schedulable
# The total, 1.78, is above what one CPU could carry. The simulator prints a
# table and an analysis line per CPU; a run equals the two CPUs run alone.
# Hyperperiod lcm(4, 6, 12, 5, 10, 20) = 60ms.
scheduler edf
cpus 2
duration 120ms

periodic name=a wcet=1ms period=4ms  cpu=0
periodic name=b wcet=2ms period=6ms  cpu=0
periodic name=c wcet=3ms period=12ms cpu=0
periodic name=d wcet=3ms period=5ms  cpu=1
periodic name=e wcet=2ms period=10ms cpu=1
periodic name=f wcet=3ms period=20ms cpu=1
