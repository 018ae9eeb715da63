# Real guest code beside host tasks (AMD SVM with nested paging: run the
# kernel under -cpu EPYC). Every image the VMM has: a hog, a runaway with
# interrupts off, an idle guest, a periodic job, a guest that writes outside
# its RAM and one that triple-faults (both stopped at their first slice).
# The host tasks keep every deadline whatever the guests do; the simulator
# runs each image's synthetic equivalent (sched/README.md, "Real guests"),
# and both agree on the host tasks' jobs and misses.
scheduler edf
duration 500ms
share 90%

periodic name=control wcet=1ms period=10ms
periodic name=logger  wcet=3ms period=50ms

guest name=hog
  image hog
  memory 4M
  vcore id=0 period=100ms slice=15ms extra=no cpu=0
end

guest name=spin
  image runaway
  vcore id=0 period=50ms slice=5ms extra=no cpu=0
end

guest name=idle
  image idle
  vcore id=0 period=20ms slice=2ms extra=yes cpu=0
end

guest name=jobs
  image periodic
  vcore id=0 period=10ms slice=1ms extra=no cpu=0
end

guest name=wild
  image wild
  vcore id=0 period=100ms slice=5ms extra=no cpu=0
end

guest name=fault
  image fault
  memory 1M
  vcore id=0 period=100ms slice=5ms extra=no cpu=0
end
