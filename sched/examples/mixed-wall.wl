# Mixed work kinds under fixed priority: `spin` does wall-clock work as RTEMS
# tests do (it spins until 3ms of wall time have passed since its job began, so
# preemption by `fast` eats into it), `cpu` needs 3ms of CPU time.
scheduler priority
duration 200ms
seed 3

periodic name=fast wcet=1ms period=4ms  jitter=500us
periodic name=spin wcet=3ms period=20ms work=wall
periodic name=cpu  wcet=3ms period=20ms
aperiodic name=burst wcet=2ms arrivals=10ms,11ms,12ms,100ms priority=5
background name=bg
