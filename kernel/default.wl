# Built-in default workload (see sched/README.md for the format): what
# `./build.sh run` boots with no file (under -cpu EPYC: AMD SVM with nested
# paging). Guests share CPU 0 beside a host real-time thread, each core with
# its own (period, slice) reservation:
#   hog     real guest code (image hog): computes forever, held to 20/100 ms;
#   wild    real guest code (image runaway): spins with interrupts off, cut
#           at the end of its 10/100 ms slice in every period;
#   jobs    real guest code (image periodic): a 200 us job on every 10 ms
#           tick of its virtual timer, 5/50 ms reservation (a job waits
#           for the core's slice: the guest counts its late jobs);
#   rt      a synthetic guest (30/100 ms, its clock at 2x host time) running
#           its own EDF task set on its virtual timer;
#   os      Osprey itself as a paravirtual guest (image osprey: this same
#           kernel.elf, the boot module 'osprey'), 2/10 ms, running its own
#           EDF task set on its virtual clock and printing its own table.
# At the end the kernel prints the cores' table, the virtual-interrupt
# delivery errors, the real guests' own counts, the Osprey guest's own
# report and the periodic guest's tasks. On a CPU without SVM and nested paging (any Intel CPU: VMX is not
# implemented) the three real guests are refused and the rest runs. The
# simulator (`./build.sh sim kernel/default.wl`) models each real image by
# its synthetic equivalent (sched/README.md, "Real guests").
scheduler edf
duration 1s
share 100%

periodic name=host-tick wcet=500us period=10ms

guest name=hog
  image hog
  memory 2M
  vcore id=0 period=100ms slice=20ms extra=no cpu=0
end

guest name=wild
  image runaway
  vcore id=0 period=100ms slice=10ms extra=no cpu=0
end

guest name=jobs
  image periodic
  vcore id=0 period=50ms slice=5ms extra=no cpu=0
end

guest name=rt workload=periodic dilation=2/1 scheduler=edf
  vcore id=0 period=100ms slice=30ms extra=no cpu=0
  periodic name=sense wcet=2ms  period=20ms
  periodic name=act   wcet=5ms  period=50ms deadline=40ms
end

guest name=os
  image osprey
  memory 64M
  cmdline exit
  vcore id=0 period=10ms slice=2ms extra=no cpu=0
  workload
    scheduler edf
    duration 300ms
    periodic name=a wcet=500us period=20ms
    periodic name=b wcet=1ms period=50ms
  end workload
end
