# Built-in default workload (see sched/README.md for the format): what
# `./build.sh run` boots with no file. Three guests share CPU 0 beside a host
# real-time thread, each core with its own (period, slice) reservation:
#   hog    20 ms every 100 ms, no extra time: a CPU hog held to its 20%;
#   rt     30 ms every 100 ms, guest clock at 2x host time (dilation 2/1),
#          running its own EDF task set on its virtual timer;
#   quiet  40 ms every 100 ms with extra time: mostly halted, wakes on its
#          virtual timer ticks.
# At the end the kernel prints the cores' table and the guest summary
# (the same report as `./build.sh sim kernel/default.wl`).
scheduler edf
duration 1s
share 100%

periodic name=host-tick wcet=500us period=10ms

guest name=hog workload=hog
  vcore id=0 period=100ms slice=20ms extra=no cpu=0
end

guest name=rt workload=periodic dilation=2/1 scheduler=edf
  vcore id=0 period=100ms slice=30ms extra=no cpu=0
  periodic name=sense wcet=2ms  period=20ms
  periodic name=act   wcet=5ms  period=50ms deadline=40ms
end

guest name=quiet workload=idle
  vcore id=0 period=100ms slice=40ms extra=yes cpu=0
end
