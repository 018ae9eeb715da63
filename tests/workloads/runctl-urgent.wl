# Run control with tasks more urgent than everything (build.sh test, "run
# control"): a background thread at priority 0 that never ends, an
# aperiodic task at priority 0, and a periodic task it starves. The end of
# the run must not wait for any of them.
scheduler priority
duration 20ms

periodic name=starved wcet=1ms period=5ms priority=5
background name=hog priority=0
aperiodic name=burst wcet=2ms arrivals=1ms, 3ms, 19ms priority=0
