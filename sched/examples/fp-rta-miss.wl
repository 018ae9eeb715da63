# Fixed priority beyond its response-time bound: t2 (3.8ms every 7ms) misses
# where the analysis says (first job: R = 3.8 + 2 x 1.8 = 7.4ms > 7ms) and
# in every fifth hyperperiod-aligned window after it. Response times keep at
# least 0.2ms from each deadline, so kernel overheads cannot flip a verdict:
# build.sh test runs it in the simulator and in the kernel and compares.
scheduler priority
duration 350ms
periodic name=t1 wcet=1800us period=5ms priority=10
periodic name=t2 wcet=3800us period=7ms priority=11
