#!/bin/busybox sh
# /init of the Linux-RT benchmark initramfs (./build.sh bench): the same
# figures the Osprey bench suite prints, as "# BENCH name value unit" lines
# on the serial console, then power off (QEMU exits).
# Booted with "osprey_bench=smp" on the kernel command line (and -smp 4) it
# prints the multi-CPU figures instead (smp_*; BENCHMARKS.md lists them).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "# linux: $(uname -r), $(nproc) cpu, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"

# "Min: a ... Avg: b ... Max: c" of one cyclictest summary line, as "a b c"
# (nothing when the line is not one).
cyclic_fields() {
    case "$1" in *Min:*Avg:*Max:*) ;; *) return ;; esac
    echo "$1" | sed -E 's/.*Min: *([0-9]+).*Avg: *([0-9]+).*Max: *([0-9]+).*/\1 \2 \3/'
}

single_cpu() {
    echo "# selftest-like bench begin"
    # cyclictest: one SCHED_FIFO 99 thread, 1 ms interval, 10,000 loops, clock_nanosleep with
    # absolute times (the default of rt-tests 2.x), memory locked (-m), nanosecond figures (-N).
    /bin/cyclictest -m -N -p 99 -i 1000 -l 10000 -q >/tmp/cyclic.txt 2>&1
    set -- $(cyclic_fields "$(grep 'Min:' /tmp/cyclic.txt | tail -n 1)")
    if [ $# = 3 ]; then
        echo "# BENCH cyclictest_min $1 ns"
        echo "# BENCH cyclictest_mean $2 ns"
        echo "# BENCH cyclictest_max $3 ns"
    else
        echo "# linux: cyclictest gave no result:"; cat /tmp/cyclic.txt
    fi
    /bin/pingpong 10000
    echo "# selftest-like bench end"
}

multi_cpu() {
    n=$(nproc)
    echo "# selftest-like smp bench begin"
    if [ "$n" -lt 2 ]; then
        echo "# linux: the multi-CPU figures need at least 2 CPUs, this boot has $n"
        echo "# selftest-like smp bench end"
        return
    fi
    # cyclictest -S: one SCHED_FIFO 99 thread pinned to each CPU, all with the
    # same 1 ms interval (-d 0: no distance between the threads' intervals),
    # 10,000 loops, while a SCHED_OTHER busy loop keeps every CPU loaded.
    pids=""
    c=0
    while [ $c -lt $n ]; do /bin/burn $c & pids="$pids $!"; c=$((c + 1)); done
    /bin/cyclictest -m -N -S -p 99 -i 1000 -d 0 -l 10000 -q >/tmp/smp-cyclic.txt 2>&1
    kill $pids; wait 2>/dev/null
    # The runner reads the per-CPU summaries ("T: <thread> ... Min: .. Avg: .. Max: ..";
    # with -S thread N runs on CPU N) from these lines.
    sed 's/^/# cyclictest-smp: /' /tmp/smp-cyclic.txt
    # Cross-CPU, the other CPUs idle: pipe ping-pong between CPU 0 and CPU 1,
    # and the futex wake-up of a thread on CPU 1 from CPU 0.
    /bin/pingpong -a 0,1 10000
    /bin/smpwake -a 0,1 10000
    echo "# selftest-like smp bench end"
}

if grep -q 'osprey_bench=smp' /proc/cmdline; then multi_cpu; else single_cpu; fi
poweroff -f
