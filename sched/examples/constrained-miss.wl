# Constrained deadlines that fail although U = 5/6 < 1: demand at t = 3ms is
# 4ms (one job of a due at 2ms and one of b due at 3ms), so b misses.
scheduler edf
duration 120ms

periodic name=a wcet=2ms period=4ms deadline=2ms
periodic name=b wcet=2ms period=6ms deadline=3ms
