#!/bin/busybox sh
# /init of the Linux-RT benchmark initramfs (./build.sh bench): the same
# figures the Osprey bench suite prints, as "# BENCH name value unit" lines
# on the serial console, then power off (QEMU exits).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "# linux: $(uname -r), $(nproc) cpu"
echo "# selftest-like bench begin"
# cyclictest: one SCHED_FIFO 99 thread, 1 ms interval, 10,000 loops, clock_nanosleep with
# absolute times (the default of rt-tests 2.x), memory locked (-m), nanosecond figures (-N).
/bin/cyclictest -m -N -p 99 -i 1000 -l 10000 -q >/tmp/cyclic.txt 2>&1
line=$(grep 'Min:' /tmp/cyclic.txt | tail -n 1)
min=$(echo "$line" | sed -E 's/.*Min: *([0-9]+).*/\1/')
avg=$(echo "$line" | sed -E 's/.*Avg: *([0-9]+).*/\1/')
max=$(echo "$line" | sed -E 's/.*Max: *([0-9]+).*/\1/')
if [ -n "$max" ] && [ "$max" != "$line" ]; then
    echo "# BENCH cyclictest_min $min ns"
    echo "# BENCH cyclictest_mean $avg ns"
    echo "# BENCH cyclictest_max $max ns"
else
    echo "# linux: cyclictest gave no result:"; cat /tmp/cyclic.txt
fi
/bin/pingpong 10000
echo "# selftest-like bench end"
poweroff -f
