# Guest cores: extra time, a runaway guest, a rejected core (issue 5).
# CPU share for guest cores: 95%. Host: one periodic thread (5%).
#   hog      20/100 ms, extra time: gets its slice plus all idle time
#   runaway  30/100 ms: never halts, cut at its slice end every period
#   ticker   10/50 ms of guest time at dilation 1/2 (its clock runs at half
#            speed: 20/100 ms of host time, 20%), idle with timer ticks
#   late     30/100 ms: asks 30% with 25% left; rejected, the others run
scheduler edf
duration 2s
share 95%

periodic name=host-ctl wcet=250us period=5ms

guest name=hog workload=hog
  vcore period=100ms slice=20ms extra=yes
end

guest name=runaway workload=runaway
  vcore period=100ms slice=30ms
end

guest name=ticker workload=idle dilation=1/2
  vcore period=50ms slice=10ms
end

guest name=late workload=hog
  vcore period=100ms slice=30ms
end
