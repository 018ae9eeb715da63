# Osprey as its own guest: a host real-time task beside a guest core that
# boots this same kernel.elf (the boot module 'osprey') on AMD SVM. The
# guest runs its own workload (between 'workload' and 'end workload') under
# its EDF on its virtual clock, prints its table (logged by the host as
# 'guest os: ...') and exits; the host reports its totals and its own
# prediction (EDF on a periodic resource of 5 ms every 10 ms).
#   ./build.sh run sched/examples/osprey-guest.wl --icount -- exit clock=exact
scheduler edf
duration 1s
periodic name=host-rt wcet=1ms period=10ms
guest name=os
  image osprey
  memory 64M
  cmdline exit
  vcore period=10ms slice=5ms
  workload
    scheduler edf
    duration 300ms
    periodic name=a wcet=1ms period=20ms
    periodic name=b wcet=2ms period=50ms
  end workload
end
