# A guest core at dilation 200/1 beside a hog, filling 100% of the
# admissible share (build.sh test, "admitted guest cores"): neither may
# miss. fast: 9.9 s of guest time every 20 s = 49.5 ms every 100 ms of host
# time. The share is 99% for the kernel's enforcement overheads (see
# guests-50.wl).
scheduler edf
duration 1s
share 99%

guest name=fast workload=hog dilation=200/1
  vcore period=20s slice=9.9s
end

guest name=hog workload=hog
  vcore period=100ms slice=49.5ms
end
