# Five periodic tasks at U = 0.95 (non-harmonic) under EDF: every deadline
# met. Fixed priority misses on the same set (try: ./build.sh sim FILE with
# 'scheduler priority'). build.sh test compares simulator and kernel on it.
scheduler edf
duration 2s

periodic name=a wcet=1ms    period=5ms
periodic name=b wcet=1600us period=8ms
periodic name=c wcet=2ms    period=10ms
periodic name=d wcet=4ms    period=20ms
periodic name=e wcet=6ms    period=40ms
