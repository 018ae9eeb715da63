# Dhall's effect (Dhall and Liu 1978): global EDF can miss deadlines at a
# total utilization barely above 1 on M CPUs, where partitioning succeeds.
# Two light tasks (C = 1ms, T = 10ms, u = 0.1 each) and one heavy task
# (C = 10ms, T = 10.5ms, u = 0.952); U_sum = 1.152 on 2 CPUs.
#  - Global EDF (this file's scheduler): at t = 0 the light jobs have the
#    earlier deadline (10ms < 10.5ms) and take both CPUs for 1ms; the heavy
#    job starts at 1ms and ends at 11ms > 10.5ms: a miss. GFB rejects the
#    set (1.152 > 2 - 1 * 0.952 = 1.048: inconclusive, and indeed it misses).
#  - Partitioned EDF (./build.sh sim FILE --sched edf): the cpu fields put
#    the heavy task alone on cpu 0 (u = 0.952 <= 1) and the light ones on
#    cpu 1 (u = 0.2): every deadline met. Under gedf the cpu fields are not
#    used (the simulator says so in a note).
# Hyperperiod lcm(10, 10.5) = 210ms.
scheduler gedf
cpus 2
duration 210ms

periodic name=light1 wcet=1ms  period=10ms   cpu=1
periodic name=light2 wcet=1ms  period=10ms   cpu=1
periodic name=heavy  wcet=10ms period=10500us cpu=0
