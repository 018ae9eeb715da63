# Guest cores over time beside host tasks: rt/0 starts at 30ms, a/0 leaves at
# 50ms and 150ms and comes back (a fresh core) at 100ms and 250ms, rt/0 leaves
# at 120ms and comes back at 200ms, q/0 leaves at 60ms for good; every
# admission fits. The host tasks start late (h: 12 jobs from 20ms, bg from
# 100ms). The kernel's runner and the simulator make the same events at the
# same times (the 'guest core events' block) and agree on the host tasks'
# table (build.sh test compares them).
duration 300ms
periodic name=h wcet=1ms period=10ms start=20ms jobs=12
background name=bg wcet=3ms start=100ms
guest name=a workload=hog
  vcore period=10ms slice=3ms remove=50ms, 150ms add=100ms, 250ms
end
guest name=rt workload=periodic
  vcore period=20ms slice=6ms start=30ms remove=120ms add=200ms
  periodic name=s wcet=1ms period=10ms
end
guest name=q workload=idle
  vcore period=10ms slice=2ms remove=60ms
end
