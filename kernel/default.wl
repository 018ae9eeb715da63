# Built-in default workload (see sched/README.md for the format): what
# `./build.sh run` boots with no file, on four CPUs (-smp 4) of an AMD model
# with SVM and nested paging (-cpu EPYC). Each guest core runs on the CPU
# its vcore line names, under that CPU's own vcore scheduler, each with its
# own (period, slice) reservation; each host real-time thread runs on the
# CPU its cpu= names, under that CPU's scheduler beside its cores (EDF:
# a host job and a core's slice go by deadline):
#   cpu 0  host-tick  a host real-time thread, 0.5 ms every 10 ms;
#   cpu 1  host-ctl   a host real-time thread, 1 ms every 10 ms;
#          os         Osprey itself as a paravirtual guest (image osprey, the
#                     boot module 'osprey'), 5/10 ms, running its own EDF set
#                     on its virtual clock and printing its own table;
#          quiet      a synthetic, mostly idle guest (10/100 ms, extra time);
#   cpu 2  host-filter a host real-time thread, 4 ms every 20 ms;
#          hog        real guest code (image hog): computes forever, held to
#                     20/100 ms;
#          wild       real guest code (image runaway): spins with interrupts
#                     off, cut at the end of its 10/100 ms slice every period;
#   cpu 3  host-io    a host real-time thread, 0.5 ms every 5 ms;
#          jobs       real guest code (image periodic): a 200 us job on every
#                     10 ms tick of its virtual timer, 2/10 ms reservation;
#          rt         a synthetic guest (30/100 ms, its clock at 2x host
#                     time) running its own EDF task set on its virtual timer.
# Each CPU's cores are admitted against the file's share; its host tasks
# and its cores together stay below the CPU (host 10% + cores 60% on CPU 1,
# 20% + 30% on CPU 2, 10% + 50% on CPU 3: each CPU's "EDF with
# reservations" line in ./build.sh sim).
# At the end the kernel prints one table of host tasks and one of guest
# cores per CPU, the
# virtual-interrupt delivery errors, the real guests' own counts, the Osprey
# guest's own report and the periodic guest's tasks. On a CPU without SVM
# and nested paging (any Intel CPU: VMX is not implemented) the real guests
# are refused and the rest runs; with fewer CPUs the host tasks and cores of the missing
# ones are refused (field 'cpu'). The simulator (`./build.sh sim
# kernel/default.wl`) prints the same per-CPU tables, modelling each real
# image by its synthetic equivalent (sched/README.md, "Real guests").
scheduler edf
duration 1s
share 100%

periodic name=host-tick   wcet=500us period=10ms cpu=0
periodic name=host-ctl    wcet=1ms   period=10ms cpu=1
periodic name=host-filter wcet=4ms   period=20ms cpu=2
periodic name=host-io     wcet=500us period=5ms  cpu=3

guest name=os
  image osprey
  memory 64M
  cmdline exit
  vcore id=0 period=10ms slice=5ms cpu=1
  workload
    scheduler edf
    duration 300ms
    periodic name=a wcet=1ms period=20ms
    periodic name=b wcet=2ms period=50ms
  end workload
end

guest name=quiet workload=idle
  vcore id=0 period=100ms slice=10ms extra=yes cpu=1
end

guest name=hog
  image hog
  memory 2M
  vcore id=0 period=100ms slice=20ms extra=no cpu=2
end

guest name=wild
  image runaway
  vcore id=0 period=100ms slice=10ms extra=no cpu=2
end

guest name=jobs
  image periodic
  vcore id=0 period=10ms slice=2ms extra=no cpu=3
end

guest name=rt workload=periodic dilation=2/1 scheduler=edf
  vcore id=0 period=100ms slice=30ms extra=no cpu=3
  periodic name=sense wcet=2ms  period=20ms
  periodic name=act   wcet=5ms  period=50ms deadline=40ms
end
