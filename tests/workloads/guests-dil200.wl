# A guest core at dilation 200/1 beside a hog, filling the admissible
# share (build.sh test, "admitted guest cores"): neither may miss. fast:
# 9.99 s of guest time every 20 s = 49.95 ms every 100 ms of host time;
# with the hog's 49.95 ms and the kernel's per-period overhead charged at
# admission (6.32 us per core under -icount) the CPU is 99.91% reserved.
scheduler edf
duration 1s
share 100%

guest name=fast workload=hog dilation=200/1
  vcore period=20s slice=9.99s
end

guest name=hog workload=hog
  vcore period=100ms slice=49.95ms
end
