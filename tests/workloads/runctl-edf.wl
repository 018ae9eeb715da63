# Run control under overload (build.sh test, "run control"): periods of 1 us
# and 10 us at U = 0.6 + 0.6 = 1.2 under EDF, beside a background
# thread. The run must end within its duration plus a bounded time.
scheduler edf
duration 20ms

periodic name=fast wcet=600ns period=1us
periodic name=slow wcet=6us period=10us
background name=bg priority=250
