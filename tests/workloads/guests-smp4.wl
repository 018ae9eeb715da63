# Guest cores partitioned over CPUs 1..3 beside a host task on CPU 0 (build.sh
# test, "guest reports", under -smp 4 -icount): each CPU's vcore scheduler
# admits its own cores against the file's share, and the kernel and the
# simulator print one table per CPU that must agree (titles, periods,
# misses, guest tasks, refusals). The last core does not fit CPU 3.
scheduler edf
duration 1s
share 100%

periodic name=host-tick wcet=500us period=10ms

guest name=hog1 workload=hog
  vcore id=0 period=100ms slice=20ms extra=no cpu=1
end

guest name=idle1 workload=idle
  vcore id=0 period=50ms slice=5ms extra=yes cpu=1
end

guest name=rt2 workload=periodic dilation=2/1 scheduler=edf
  vcore id=0 period=100ms slice=40ms extra=no cpu=2
  periodic name=sense wcet=2ms  period=20ms
  periodic name=act   wcet=5ms  period=50ms deadline=40ms
end

guest name=hog3 workload=hog
  vcore id=0 period=10ms slice=3ms extra=no cpu=3
end

guest name=big3 workload=hog
  vcore id=0 period=100ms slice=80ms extra=no cpu=3
end
