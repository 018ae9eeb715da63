# Constant bandwidth servers. `noisy` declares a 2ms budget every 10ms but its
# jobs sometimes run up to 6ms (wcet 6ms, jitter 5ms: each job takes 1..6ms).
# The hard CBS throttles it at its budget so `ctl` and `video` still meet every
# deadline. The aperiodic requests get their own 1ms/5ms server.
scheduler cbs
duration 1s
seed 7

periodic  name=ctl   wcet=2ms  period=10ms budget=2ms
periodic  name=video wcet=8ms  period=40ms budget=8ms
periodic  name=noisy wcet=6ms  period=10ms budget=2ms overrun=hard jitter=5ms
aperiodic name=req   wcet=700us arrivals=3ms,17ms,18ms,50ms,51ms,52ms,400ms budget=1ms period=5ms deadline=5ms
background name=bg
