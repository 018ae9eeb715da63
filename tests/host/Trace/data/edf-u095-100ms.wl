# sched/examples/edf-u095.wl shortened to 100 ms: the workload of the recorded kernel
# trace fixture edf-u095-100ms.log (./build.sh run FILE --icount --trace OUT.svg).
scheduler edf
duration 100ms

periodic name=a wcet=1ms    period=5ms
periodic name=b wcet=1600us period=8ms
periodic name=c wcet=2ms    period=10ms
periodic name=d wcet=4ms    period=20ms
periodic name=e wcet=6ms    period=40ms
