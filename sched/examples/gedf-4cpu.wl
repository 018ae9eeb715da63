# Global EDF on a cluster of four CPUs: one ready set, the four jobs with the
# earliest deadlines run, a new job preempts the CPU running the latest
# deadline when its own is earlier; jobs migrate between CPUs.
# Sufficient test (Goossens, Funk and Baruah 2003, "GFB"): implicit-deadline
# periodic tasks meet every deadline under global EDF on M CPUs when
#   U_sum <= M - (M-1) * U_max.
# Here U_max = 2/4 = 0.5 (task a), so the bound is 4 - 3 * 0.5 = 2.5, and
#   U_sum = 0.5 + 0.4 + 0.375 + 0.4 + 0.3 + 0.2 + 0.2 = 2.375 <= 2.5
# (margin 0.125): accepted, and the simulator sees no miss.
# Hyperperiod lcm(4, 5, 8, 10, 20) = 40ms.
scheduler gedf
cpus 4
duration 400ms

periodic name=a wcet=2ms period=4ms
periodic name=b wcet=2ms period=5ms
periodic name=c wcet=3ms period=8ms
periodic name=d wcet=4ms period=10ms
periodic name=e wcet=6ms period=20ms
periodic name=f wcet=2ms period=10ms
periodic name=g wcet=1ms period=5ms
