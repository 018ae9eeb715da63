# Host real-time threads beside three guests on CPU 0 (issue 5 demo):
# reservations 20/100 + 30/100 + 40/100 = 90% of the CPU.
scheduler edf
duration 1s
share 100%

periodic name=host-tick wcet=500us period=10ms

guest name=hog workload=hog
  vcore id=0 period=100ms slice=20ms extra=no cpu=0
end

guest name=rt workload=periodic dilation=2/1 scheduler=edf
  vcore id=0 period=100ms slice=30ms extra=no cpu=0
  # guest time: these run on the guest's own (dilated) clock
  periodic name=sense wcet=2ms  period=20ms
  periodic name=act   wcet=5ms  period=50ms deadline=40ms
end

guest name=quiet workload=idle
  vcore id=0 period=100ms slice=40ms extra=yes cpu=0
end
