# Tasks that start late and stop early (jobs=N, start=TIME). `burst` runs 7
# jobs and stops; `late` starts at 50ms and runs 5 jobs; `over` asks for more
# than its period (11.5ms every 10ms at the lowest priority), falls behind,
# piles up postponed jobs and stops after 4 jobs: its period is cancelled
# then, so the postponed jobs never run and only jobs 0..3 can be missed;
# `bg` does 5ms of work from 118ms on. The kernel's runner and the simulator
# print the same table (build.sh test compares them).
scheduler priority
duration 200ms

periodic   name=burst  wcet=2ms period=10ms jobs=7 priority=1
periodic   name=late   wcet=3ms period=20ms start=50ms jobs=5 priority=2
periodic   name=steady wcet=4ms period=25ms priority=3
periodic   name=over   wcet=11500us period=10ms start=3ms jobs=4 priority=4
background name=bg     wcet=5ms start=118ms
