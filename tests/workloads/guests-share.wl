# The file's share bounds guest-core admission in the kernel as in the
# simulator (build.sh test, "guest reports"): with a share of 0.000001% a
# core asking 100% is refused, naming line and field, and the kernel ends
# with the failure status.
scheduler edf
duration 100ms
share 0.000001%

periodic name=tick wcet=100us period=10ms

guest name=all workload=hog
  vcore period=10ms slice=10ms
end
