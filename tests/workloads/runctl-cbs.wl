# Run control with a hard CBS budget far below what a thread needs to
# reach its end (build.sh test, "run control"): 100 ns every 5 ms. The run
# must end within its duration plus a bounded time.
scheduler cbs
duration 20ms

periodic name=tiny wcet=1ms period=5ms budget=100ns overrun=hard
periodic name=ctl wcet=1ms period=4ms budget=2ms
