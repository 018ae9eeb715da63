# Overload: U = 3/10 + 4/10 + 5/10 = 1.2. Under EDF every task falls behind;
# under fixed priority the lowest-priority task `slow` starves. Either way the
# periods keep expiring while jobs still run, so postponed jobs grow.
scheduler edf
duration 500ms

periodic name=a    wcet=3ms period=10ms
periodic name=b    wcet=4ms period=10ms
periodic name=slow wcet=5ms period=10ms
background name=idle-work priority=250
