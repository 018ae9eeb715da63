# rm-zero-slack.wl with 100 us of slack at every instant where a job there
# completed exactly at a more urgent release (wcet 9.9 ms instead of 10 ms):
# kernel overheads of a few microseconds per job no longer change who runs
# when, so the kernel and the simulator agree on every count (build.sh test
# compares them) and on response times to within those microseconds
# (tau3 worst 29.7 ms in both). tau4 still misses its first job, as
# response-time analysis says (R4 = 79.2 ms > 70 ms).
scheduler priority
duration 700ms
periodic   name=tau1 wcet=9900us period=30ms
periodic   name=tau2 wcet=9900us period=40ms
periodic   name=tau3 wcet=9900us period=50ms
periodic   name=tau4 wcet=9900us period=70ms
aperiodic  name=req wcet=2ms arrivals=5ms, 100ms, 500ms priority=200
background name=bg
