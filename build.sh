#!/usr/bin/env bash
# Osprey: the one entry point. `./build.sh help` lists the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$ROOT/out"
OBJ="$OUT/obj"
cd "$ROOT"

say()  { printf '%s\n' "build.sh: $*" >&2; }
die()  { printf '%s\n' "build.sh: error: $*" >&2; exit 1; }

usage() {
    cat <<'EOF'
Usage: ./build.sh [COMMAND] [ARGS]

  build            build out/kernel.elf and out/kernel.iso (the default)
  run [FILE]       boot the kernel in QEMU on this terminal (serial console);
                   FILE is a workload file passed as a boot module; with
                   neither FILE nor words it runs the built-in demo (guest
                   cores beside a host thread) and exits
                   options: --iso (boot the ISO under BIOS), --uefi (ISO under
                   OVMF), --screen (show the QEMU window), --icount, -- ARGS
                   (kernel command line words, e.g. -- sched=edf)
                   exits non-zero when the kernel ends with a failure (a
                   refused or partly refused workload, failed self-tests,
                   a panic), repeating the kernel's reason
                   --trace OUT: boot with 'trace exit', record the scheduling
                   trace and write OUT: NAME.svg or NAME.json gives the SVG
                   timeline and the Chrome/Perfetto JSON side by side (plus
                   NAME.trace and the serial log NAME.log); other names get
                   the raw trace
  test [--long]    host NUnit tests, the in-kernel self-tests (plain and under
                   -icount), simulator-vs-kernel workloads, run control and
                   guest-report checks (tests/workloads), conformance, the
                   props stage (75 random admitted sets in the kernel; --long:
                   3,000), and BIOS and UEFI boot smoke tests of the ISO;
                   ends with "N passed, N failed"
  flash DEVICE     write out/kernel.iso to a USB stick (checks the device,
                   asks for confirmation; --yes to skip the question,
                   --unmount to unmount its partitions after confirming)
  sim FILE [--trace OUT] [--sched NAME] [--duration TIME] [--check]
      [--overheads 'release=T decision=T switch=T timer-entry=T timer-exit=T']
                   (--overheads: model and charge these kernel costs, e.g.
                   the kernel's boot figures; sim --random-set KIND,SEED,N
                   prints set N of the props suite's sequence)
                   run a workload file in the host scheduling simulator;
                   --trace OUT writes the trace: NAME.svg or NAME.json gives
                   the SVG timeline and the JSON side by side (and the raw
                   NAME.trace), other names the raw trace
  trace IN OUT     convert a trace or a serial log holding a dump (between
                   '# trace begin' and '# trace end') to OUT (.svg/.json:
                   both pictures; else the raw trace); --from/--to MS window
  bench-host [--quick] [--rounds N] [--only POLICY|PATTERN|N,...] [--host-only]
                   ready-set benchmark of the scheduling core: ns per
                   release, pick-next, block, unblock at 10..10,000 ready
                   threads on the host, then (unless --host-only) the same
                   workload in the kernel under -icount (instructions)
  bench [--osprey-only]
                   the kernel's benchmark suite (Thread-Metric equivalents,
                   latency_measure-style costs, cyclictest, scheduler decision
                   cost) under -icount and under plain emulation, beside
                   Debian's Linux PREEMPT_RT kernel (cyclictest, pipe and
                   yield ping-pong) booted with the same QEMU settings; one
                   table with ratios, and BENCH lines for scripts
  clean            remove out/ and the .NET build outputs
  help             this text

Everything missing (Debian packages, the pinned NuGet compiler packages) is
installed on first use, and said so.
EOF
}

# ---------------------------------------------------------------- tools --
APT_UPDATED=0
apt_install() {
    # $@: Debian package names
    if ! command -v apt-get >/dev/null 2>&1; then
        die "missing $*; this is not a Debian-like system (no apt-get): install them by hand"
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else die "missing $*; run as root or install them: apt-get install $*"; fi
    fi
    say "installing Debian packages: $*"
    if [ "$APT_UPDATED" = 0 ]; then
        $sudo apt-get update -q >/dev/null || die "apt-get update failed; cannot install $*"
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null \
        || die "apt-get could not install: $*"
}

# need CHECK PACKAGE: CHECK is a command name or an absolute path.
MISSING=()
need() {
    local check="$1" pkg="$2"
    if [[ "$check" == /* ]]; then [ -e "$check" ] && return 0; else command -v "$check" >/dev/null 2>&1 && return 0; fi
    MISSING+=("$pkg")
}
flush_needs() {
    if [ "${#MISSING[@]}" -gt 0 ]; then
        local uniq; uniq=$(printf '%s\n' "${MISSING[@]}" | sort -u | tr '\n' ' ')
        MISSING=()
        # shellcheck disable=SC2086
        apt_install $uniq
    fi
}

need_build_tools() {
    command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required and is not on PATH"
    need nasm nasm; need ld binutils; need nm binutils; need awk mawk
    need grub-mkrescue grub-common; need /usr/lib/grub/i386-pc/multiboot2.mod grub-pc-bin
    need /usr/lib/grub/x86_64-efi/multiboot2.mod grub-efi-amd64-bin
    need xorriso xorriso; need mformat mtools
    flush_needs
}
need_qemu() { need qemu-system-x86_64 qemu-system-x86; flush_needs; }
need_ovmf() { need /usr/share/ovmf/OVMF.fd ovmf; flush_needs; }

ILC_VERSION=10.0.12
ilc_path() {
    local cache
    cache="${NUGET_PACKAGES:-}"
    if [ -z "$cache" ]; then
        cache=$(dotnet nuget locals global-packages -l 2>/dev/null | sed -n 's/^global-packages: *//p')
    fi
    [ -n "$cache" ] || cache="$HOME/.nuget/packages"
    echo "${cache%/}/runtime.linux-x64.microsoft.dotnet.ilcompiler/$ILC_VERSION/tools/ilc"
}
need_ilc() {
    ILC=$(ilc_path)
    if [ ! -x "$ILC" ]; then
        say "restoring the NativeAOT compiler packages (ILCompiler $ILC_VERSION) from NuGet"
        dotnet restore "$ROOT/kernel/toolchain/Toolchain.csproj" -v q >/dev/null \
            || die "could not restore Microsoft.DotNet.ILCompiler $ILC_VERSION from NuGet"
        ILC=$(ilc_path)
        [ -x "$ILC" ] || die "ilc not found at $ILC after restore"
    fi
}
csc_path() {
    local sdk
    sdk=$(dotnet --list-sdks | tail -n1 | sed -E 's/^([^ ]+) \[(.*)\]$/\2\/\1/')
    echo "$sdk/Roslyn/bincore/csc.dll"
}

# ---------------------------------------------------------------- build --
# newer TARGET SOURCES...: true when TARGET is missing or any source is newer.
stale() {
    local target="$1"; shift
    [ -e "$target" ] || return 0
    local f
    for f in "$@"; do [ "$f" -nt "$target" ] && return 0; done
    return 1
}

kernel_sources() {
    {
        find kernel -name '*.cs' -not -path '*/tools/*' -not -path '*/toolchain/*' -not -path '*/obj/*' -not -path '*/bin/*'
        find sched -name '*.cs' -not -path 'sched/sim/*' -not -path '*/obj/*' -not -path '*/bin/*'
        find tests/kernel -name '*.cs' 2>/dev/null
    } | LC_ALL=C sort
}

# The image's build id (kernel/core/BuildInfo.cs): commit, commit date and
# whether the tree has uncommitted changes, as C# constants in
# $OBJ/BuildStamp.g.cs; the file is rewritten only when they change, so an
# unchanged tree does not recompile.
write_build_stamp() {
    local commit="unknown (not a git checkout)" date="unknown" dirty=false f="$OBJ/BuildStamp.g.cs"
    if command -v git >/dev/null 2>&1 && git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        commit=$(git -C "$ROOT" rev-parse --short=12 HEAD)
        date=$(TZ=UTC git -C "$ROOT" log -1 --format=%cd --date=format-local:'%Y-%m-%d %H:%M:%S UTC' HEAD)
        [ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] || dirty=true
    fi
    cat >"$f.new" <<EOF
// Written by build.sh (write_build_stamp); read by kernel/core/BuildInfo.cs.
namespace Osprey.Kernel
{
    internal static class BuildStamp
    {
        internal const string Commit = "$commit";
        internal const string Date = "$date";
        internal const bool Dirty = $dirty;
    }
}
EOF
    if cmp -s "$f.new" "$f"; then rm -f "$f.new"; else mv "$f.new" "$f"; fi
}

build_kernel() {
    need_build_tools
    need_ilc
    mkdir -p "$OBJ"
    local t0=$SECONDS
    write_build_stamp
    mapfile -t srcs < <(kernel_sources; echo "$OBJ/BuildStamp.g.cs")
    printf '%s\n' "${srcs[@]}" > "$OBJ/sources.new"
    if ! cmp -s "$OBJ/sources.new" "$OBJ/sources.txt" 2>/dev/null; then mv "$OBJ/sources.new" "$OBJ/sources.txt"; else rm -f "$OBJ/sources.new"; fi
    if stale "$OBJ/kernel.dll" "${srcs[@]}" "$OBJ/sources.txt" "$0"; then
        say "compiling C# (${#srcs[@]} files)"
        dotnet "$(csc_path)" -noconfig -nostdlib+ -unsafe+ -optimize+ -deterministic -nologo -langversion:latest \
            -target:exe -runtimemetadataversion:v4.0.30319 -nowarn:CS0169,CS0649,CS0626,CS8500,CS0414 \
            -out:"$OBJ/kernel.dll" @"$OBJ/sources.txt" || die "C# compilation failed"
    fi
    if stale "$OBJ/kernel.o" "$OBJ/kernel.dll"; then
        say "compiling to native code (ilc $ILC_VERSION)"
        "$ILC" "$OBJ/kernel.dll" -o "$OBJ/kernel.o" --systemmodule:kernel --targetos:linux --targetarch:x64 \
            --Ot --noinlinetls --map:"$OBJ/kernel.map.xml" >"$OBJ/ilc.log" 2>&1 \
            || { grep -v '^   at ' "$OBJ/ilc.log" >&2; die "ilc failed"; }
    fi
    local asm objs=()
    for asm in boot/entry.asm kernel/arch/x86_64/*.asm; do
        local o="$OBJ/$(basename "$asm" .asm).o"
        objs+=("$o")
        if stale "$o" "$asm"; then nasm -f elf64 -w+all -o "$o" "$asm" || die "nasm failed on $asm"; fi
    done
    if stale "$OUT/kernel.elf" "$OBJ/kernel.o" "${objs[@]}" boot/linker.ld kernel/arch/x86_64/symtab.awk; then
        say "linking out/kernel.elf"
        # Pass 1 links without names; its symbol list becomes the .ksymtab
        # section of pass 2 (placed after all code and data, so no address
        # that the table names moves).
        awk -f kernel/arch/x86_64/symtab.awk </dev/null > "$OBJ/symtab.asm"
        nasm -f elf64 -o "$OBJ/symtab.o" "$OBJ/symtab.asm"
        ld -n -static -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T boot/linker.ld \
            -o "$OBJ/kernel.pass1.elf" "${objs[@]}" "$OBJ/kernel.o" "$OBJ/symtab.o" || die "link failed"
        nm -n --defined-only "$OBJ/kernel.pass1.elf" | awk -f kernel/arch/x86_64/symtab.awk > "$OBJ/symtab.asm"
        nasm -f elf64 -o "$OBJ/symtab.o" "$OBJ/symtab.asm" || die "nasm failed on the symbol table"
        ld -n -static -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T boot/linker.ld \
            -o "$OUT/kernel.elf" "${objs[@]}" "$OBJ/kernel.o" "$OBJ/symtab.o" || die "link failed"
    fi
    build_iso
    [ $((SECONDS - t0)) -gt 0 ] && say "built in $((SECONDS - t0)) s" || true
}

DEFAULT_WORKLOAD=kernel/default.wl
build_iso() {
    local workload="${1:-$DEFAULT_WORKLOAD}"
    local iso="$OUT/kernel.iso" stamp="$OBJ/iso.workload" sum
    [ -f "$workload" ] || die "workload file '$workload' not found"
    # The image embeds one workload: rebuild when it is another file's (or
    # the same file changed), not only when a file got newer.
    sum="$workload $(cksum <"$workload")"
    if stale "$iso" "$OUT/kernel.elf" boot/grub.cfg "$workload" || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
        say "making the hybrid BIOS/UEFI image out/kernel.iso"
        rm -rf "$OBJ/iso"
        mkdir -p "$OBJ/iso/boot/grub"
        cp "$OUT/kernel.elf" "$OBJ/iso/boot/kernel.elf"
        cp boot/grub.cfg "$OBJ/iso/boot/grub/grub.cfg"
        cp "$workload" "$OBJ/iso/boot/workload.wl"
        grub-mkrescue -o "$iso" "$OBJ/iso" >"$OBJ/grub-mkrescue.log" 2>&1 \
            || { cat "$OBJ/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
        echo "$sum" >"$stamp"
    fi
}

# ---------------------------------------------------------------- qemu --
QEMU_BASE=(-m 512 -no-reboot -display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)

runner_dll() { echo "$ROOT/qemu/runner/bin/Release/net10.0/KtapRunner.dll"; }
build_runner() {
    if stale "$(runner_dll)" qemu/runner/*.cs qemu/runner/KtapRunner.csproj; then
        say "building the KTAP runner"
        dotnet build qemu/runner/KtapRunner.csproj -c Release -v q -nologo >"$OBJ/runner-build.log" 2>&1 \
            || { cat "$OBJ/runner-build.log" >&2; die "building qemu/runner failed"; }
    fi
}

tracetool_dll() { echo "$ROOT/qemu/tracetool/bin/Release/net10.0/TraceTool.dll"; }
build_tracetool() {
    mkdir -p "$OBJ"
    if stale "$(tracetool_dll)" qemu/tracetool/*.cs qemu/tracetool/TraceTool.csproj; then
        say "building the trace tool"
        dotnet build qemu/tracetool/TraceTool.csproj -c Release -v q -nologo >"$OBJ/tracetool-build.log" 2>&1 \
            || { cat "$OBJ/tracetool-build.log" >&2; die "building qemu/tracetool failed"; }
    fi
}
# tracetool IN OUT [OPTIONS]: trace or log -> OUT (.svg/.json: both pictures).
tracetool() { build_tracetool; dotnet "$(tracetool_dll)" "$@"; }

# The conformance checker (qemu/conformance) and the simulator it runs.
conformance_dll() { echo "$ROOT/qemu/conformance/bin/Release/net10.0/Conformance.dll"; }
build_conformance() {
    mkdir -p "$OBJ"
    dotnet build qemu/conformance/Conformance.csproj -c Release -v q -nologo >"$OBJ/conformance-build.log" 2>&1 \
        && dotnet build sched/sim/Sim.csproj -c Release -v q -nologo >>"$OBJ/conformance-build.log" 2>&1 \
        || { cat "$OBJ/conformance-build.log" >&2; die "building qemu/conformance or the simulator failed"; }
}
is_picture() { case "${1,,}" in *.svg|*.json) return 0 ;; *) return 1 ;; esac; }

cmd_run() {
    local workload="" mode=kernel screen=0 icount=0 extra=() trace=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --trace) [ $# -ge 2 ] || die "run: --trace needs an output file (e.g. out/trace.svg)"; trace="$2"; shift ;;
            --iso) mode=iso ;;
            --uefi) mode=uefi ;;
            --screen) screen=1 ;;
            --icount) icount=1 ;;
            --) shift; extra=("$@"); break ;;
            -*) die "run: unknown option '$1' (see ./build.sh help)" ;;
            *) [ -z "$workload" ] || die "run: more than one workload file given"; workload="$1" ;;
        esac
        shift
    done
    if [ -n "$workload" ] && [ ! -f "$workload" ]; then die "run: workload file '$workload' not found"; fi
    if [ -n "$trace" ]; then
        [ "$mode" = kernel ] || die "run: --trace boots with -kernel (the ISO's command line is fixed); drop --iso/--uefi"
        local w has_trace=0 has_exit=0
        for w in "${extra[@]}"; do
            case "$w" in trace|trace=*) has_trace=1 ;; exit) has_exit=1 ;; esac
        done
        [ "$has_trace" = 1 ] || extra+=(trace)
        [ "$has_exit" = 1 ] || extra+=(exit)
        build_tracetool
    fi
    # The default demo (no file, no kernel words) ends with its summary and
    # leaves QEMU (kernel word 'exit'); with words or a file QEMU stays up
    # after the run unless 'exit' is among the words.
    [ "$mode" = kernel ] && [ -z "$workload" ] && [ "${#extra[@]}" = 0 ] && extra=(exit)
    build_kernel
    need_qemu
    local q=("${QEMU_BASE[@]}")
    [ "$screen" = 1 ] && q=(-m 512 -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04)
    [ "$icount" = 1 ] && q+=(-icount shift=0,sleep=off)
    case "$mode" in
        kernel)
            q+=(-kernel "$OUT/kernel.elf" -initrd "${workload:-$DEFAULT_WORKLOAD} workload")
            [ "${#extra[@]}" -gt 0 ] && q+=(-append "${extra[*]}")
            ;;
        iso|uefi)
            [ -n "$workload" ] && { build_iso "$workload"; touch -d '1970-01-02' "$OUT/kernel.iso"; }
            q+=(-cdrom "$OUT/kernel.iso")
            if [ "$mode" = uefi ]; then need_ovmf; q+=(-bios /usr/share/ovmf/OVMF.fd); fi
            ;;
    esac
    say "qemu-system-x86_64 ${q[*]}"
    set +e
    local log=""
    if [ -n "$trace" ]; then
        log="${trace%.*}.log"
        mkdir -p "$(dirname "$log")"
        # The dump goes to the log; the terminal gets one line for it.
        qemu-system-x86_64 "${q[@]}" </dev/null | tee "$log" | awk '
            { line = $0; sub(/\r$/, "", line) }
            line == "# trace begin" { skip = 1; n = 0; next }
            line == "# trace end" { skip = 0; print "# trace: " n " lines dumped (kept in the log)"; fflush(); next }
            skip { n++; next }
            { print; fflush() }'
        local rc=${PIPESTATUS[0]}
    else
        # A copy of the serial output: the reason of a failure is read from it.
        log="$OUT/run.log"
        qemu-system-x86_64 "${q[@]}" | tee "$log"
        local rc=${PIPESTATUS[0]}
    fi
    set -e
    case $rc in
        33) say "kernel exited: success" ;;
        35) say "kernel exited: failures reported" ;;
        37) say "kernel exited: panic" ;;
        0)  say "QEMU exited with status 0 (a triple fault with -no-reboot, or the window was closed)" ;;
        *)  say "QEMU exited with status $rc" ;;
    esac
    # A refused or partly refused workload, failed self-tests or a panic:
    # exit non-zero with the kernel's reason.
    if [ "$rc" != 33 ] && [ "$rc" != 0 ]; then
        local why=""
        [ -f "$log" ] && why=$(tr -d '\r' <"$log" | grep -E '^(osprey: error: |rejected: |note: |osprey: workload |osprey: PANIC|    not ok )' | head -n 12 || true)
        [ -n "$why" ] && printf '%s\n' "$why" | sed 's/^/build.sh:   /' >&2
        die "run: the kernel ended with QEMU status $rc$([ -n "$why" ] && echo ' (reason above)')"
    fi
    if [ -n "$trace" ]; then
        say "serial log in $log"
        if is_picture "$trace"; then
            tracetool "$log" "${trace%.*}.trace" --quiet || die "run: no trace in $log"
        fi
        tracetool "$log" "$trace" || die "run: no trace in $log"
    fi
}

# ---------------------------------------------------------------- test --
TOTAL_PASS=0
TOTAL_FAIL=0
add_result() { # FILE written by the KTAP runner: passed=N failed=N
    local p f
    p=$(sed -n 's/^passed=//p' "$1" 2>/dev/null | head -n1)
    f=$(sed -n 's/^failed=//p' "$1" 2>/dev/null | head -n1)
    if [ -z "$p" ] || [ -z "$f" ]; then TOTAL_FAIL=$((TOTAL_FAIL + 1)); return; fi
    TOTAL_PASS=$((TOTAL_PASS + p)); TOTAL_FAIL=$((TOTAL_FAIL + f))
}

stage() { printf '\n== %s\n' "$*"; }

# panic_case TEST TEXT1 TEXT2: boot selftest=panic.TEST; it must exit with
# the panic status, report TEST not ok after a report containing both texts.
panic_case() {
    local name="$1" log="$OUT/test/panic-$1.log"
    set +e
    timeout 60 qemu-system-x86_64 "${QEMU_BASE[@]}" -kernel "$OUT/kernel.elf" -append "selftest=panic.$name" \
        </dev/null >"$log" 2>&1
    local prc=$?
    set -e
    if [ "$prc" = 37 ] && grep -q "^    not ok 1 $name" "$log" && grep -qF "$2" "$log" && grep -qF "$3" "$log" \
        && grep -q '^# selftest: panic' "$log" && ! grep -q 'the run continued' "$log"; then
        echo "panic.$name: reported, test marked not ok, QEMU status 37: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "panic.$name: FAILED (QEMU status $prc, expected 37, report must contain '$2'); last lines of $log:"
        tail -n 15 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# boot_panic_case NAME QEMU-ARGS WORDS TEXT: a boot that must stop with a
# panic naming TEXT before any suite runs; under selftest that ends QEMU with
# the panic status 37.
boot_panic_case() {
    local name="$1" log="$OUT/test/boot-panic-$1.log"
    read -r -a extra <<<"$2"
    set +e
    timeout 60 qemu-system-x86_64 "${QEMU_BASE[@]}" "${extra[@]}" -kernel "$OUT/kernel.elf" -append "$3" </dev/null >"$log" 2>&1
    local prc=$?
    set -e
    if [ "$prc" = 37 ] && grep -qF "PANIC: $4" "$log" && grep -q '^# selftest: panic' "$log" && ! grep -q '^KTAP version' "$log"; then
        echo "boot panic $name: 'PANIC: $4', QEMU status 37: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "boot panic $name: FAILED (QEMU status $prc, expected 37 and 'PANIC: $4'); last lines of $log:"
        tail -n 15 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# compare_case FILE: the same workload file in the simulator and in the
# kernel (under -icount, clock=exact, exit): per task, the released, jobs,
# misses, postponed and rm-missed columns must be equal. One test per file.
table_counts() {
    tr -d '\r' <"$1" | awk '/^task +kind +cpu/{on=1; next} on && /^$/{exit}
        on && ($2=="periodic" || $2=="aperiodic" || $2=="background") {print $1, $2, $5, $6, $7, $11, $12}'
}

compare_case() {
    local file="$1" name
    name=$(basename "$1" .wl)
    local slog="$OUT/test/compare-$name.sim" klog="$OUT/test/compare-$name.kernel"
    set +e
    dotnet run --project sched/sim/Sim.csproj -c Release -v q -- "$file" >"$slog" 2>&1
    local src=$?
    timeout 300 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$file workload" -append "clock=exact exit" </dev/null >"$klog" 2>&1
    local krc=$?
    set -e
    local s k
    s=$(table_counts "$slog"); k=$(table_counts "$klog")
    if [ "$src" = 0 ] && [ "$krc" = 33 ] && [ -n "$s" ] && [ "$s" = "$k" ]; then
        echo "compare $name: simulator and kernel agree on every task's releases, jobs, misses and postponed jobs: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "compare $name: FAILED (sim exit $src, kernel QEMU status $krc, expected 0 and 33)"
        echo "  task kind released jobs misses postponed rm-missed, simulator:"; echo "$s" | sed 's/^/    /'
        echo "  kernel:"; echo "$k" | sed 's/^/    /'
        tail -n 5 "$klog"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# runctl_case FILE: a workload that overloads the CPU (periods of 1 us,
# 1 ns), starves everything (priority 0) or holds a tiny CBS budget must
# still end (-icount, clock=exact exit): QEMU status 33, the stop within
# 100 us of the run's end and every thread ended within 20 ms of it (guest
# time, from the kernel's "run control:" line).
to_ns() { awk -v t="$1" 'BEGIN { n = t + 0; u = t; sub(/^[0-9.]+/, "", u)
    m = (u == "s") ? 1e9 : (u == "ms") ? 1e6 : (u == "us") ? 1e3 : 1; printf "%d\n", n * m }'; }
runctl_case() {
    local file="$1" name
    name=$(basename "$1" .wl)
    local log="$OUT/test/$name.log"
    set +e
    timeout 120 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$file workload" -append "clock=exact exit" </dev/null >"$log" 2>&1
    local krc=$?
    set -e
    local line stop ended
    line=$(tr -d '\r' <"$log" | grep '^run control: stopped at the end + ' | head -n1)
    stop=$(echo "$line" | sed -n 's/^run control: stopped at the end + \([0-9.]*[a-z]*\) .*/\1/p')
    ended=$(echo "$line" | sed -n 's/.* ended at the end + \([0-9.]*[a-z]*\)$/\1/p')
    if [ "$krc" = 33 ] && [ -n "$stop" ] && [ -n "$ended" ] && [ "$(to_ns "$stop")" -le 100000 ] && [ "$(to_ns "$ended")" -le 20000000 ]; then
        echo "run control $name: stopped at the end + $stop, threads ended at the end + $ended: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "run control $name: FAILED (QEMU status $krc, expected 33; stop '$stop' <= 100us, end '$ended' <= 20ms)"
        tail -n 5 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# guest_case FILE STATUS: a file with guests in the simulator and in the
# kernel (-icount, clock=exact exit). The kernel's end-of-run guest report
# is taken before the cores are removed: the same title (share, admitted,
# cores), per core the same periods and misses, per guest task the same
# jobs and misses, the same rejected lines, and guest clocks at most 1 ms
# past the simulator's; QEMU ends with STATUS (35 when something of the
# file was refused).
guest_report() { # LOG: the comparable lines of the guest report
    tr -d '\r' <"$1" | awk '
        /^guest cores on cpu/ { t = $0; sub(/, run .*/, "", t); print "title " t; next }
        /^core +kind +dilation/ { c = 1; next }
        c && NF == 0 { c = 0 }
        c { print "core", $1, $11, $13; next }
        /^guest .* on vcore/ { g = $2; next }
        g != "" && /^task +kind/ { k = 1; next }
        k && NF == 0 { k = 0 }
        k && /^guest / { k = 0; g = "" }
        k { print "task", g, $1, $6, $7; next }
        /^rejected: / { print }'
}
guest_clocks() { # LOG: core and guest clock in ns
    tr -d '\r' <"$1" | awk '/^core +guest-clock/ { on = 1; next } on && NF == 0 { exit } on { print $1, $2 }' |
        while read -r c t; do echo "$c $(to_ns "$t")"; done
}
guest_case() {
    local file="$1" want="$2" name
    name=$(basename "$1" .wl)
    local slog="$OUT/test/guests-$name.sim" klog="$OUT/test/guests-$name.kernel"
    set +e
    dotnet run --project sched/sim/Sim.csproj -c Release -v q -- "$file" >"$slog" 2>&1
    timeout 300 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$file workload" -append "clock=exact exit" </dev/null >"$klog" 2>&1
    local krc=$?
    set -e
    local s k clocks
    s=$(guest_report "$slog"); k=$(guest_report "$klog")
    clocks=$(join <(guest_clocks "$slog" | sort) <(guest_clocks "$klog" | sort) | awk '$3 < $2 || $3 > $2 + 1000000 { print }')
    if [ "$krc" = "$want" ] && [ -n "$s" ] && [ "$s" = "$k" ] && [ -z "$clocks" ] && grep -q '^title ' <<<"$k"; then
        echo "guest report $name: kernel and simulator agree (title, cores, guest tasks, refusals), QEMU status $krc: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "guest report $name: FAILED (QEMU status $krc, expected $want)"
        diff <(echo "$s") <(echo "$k") | head -n 20 | sed 's/^/  /'
        [ -n "$clocks" ] && echo "  guest clocks (core, simulator ns, kernel ns) beyond 1 ms: $clocks"
        tail -n 3 "$klog"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# limit_case: one guest core more than WorkloadLimits.MaxGuestCores: the
# kernel refuses it with line and field and ends with the failure status.
limit_case() {
    local max file="$OUT/test/guests-limit.wl" log="$OUT/test/guests-limit.kernel" i
    max=$(sed -n 's/.*const int MaxGuestCores = \([0-9]*\);.*/\1/p' sched/workload/Limits.cs)
    { echo "scheduler edf"; echo "duration 10ms"
      for ((i = 0; i <= max; i++)); do printf 'guest name=g%d workload=idle\n  vcore period=100ms slice=10us\nend\n' "$i"; done; } >"$file"
    set +e
    timeout 300 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$file workload" -append "clock=exact exit" </dev/null >"$log" 2>&1
    local krc=$?
    set -e
    local line=$((3 * max + 4))
    if [ -n "$max" ] && [ "$krc" = 35 ] && tr -d '\r' <"$log" | grep -qE "line $line: field 'vcore'.*\b$max\b"; then
        echo "guest-core limit: core $((max + 1)) refused at line $line, field 'vcore', QEMU status 35: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "guest-core limit: FAILED (QEMU status $krc, expected 35 and a refusal of line $line, field 'vcore', naming $max)"
        tail -n 5 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# admitted_case FILE: guest cores filling the admissible share (-icount,
# clock=exact exit): every core admitted, none misses a period.
admitted_case() {
    local file="$1" name
    name=$(basename "$1" .wl)
    local log="$OUT/test/admitted-$name.kernel"
    set +e
    timeout 300 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$file workload" -append "clock=exact exit" </dev/null >"$log" 2>&1
    local krc=$?
    set -e
    local want got missed
    want=$(grep -c '^ *vcore ' "$file")
    got=$(tr -d '\r' <"$log" | sed -n 's/^guest cores on cpu 0: .*, \([0-9]*\) core(s), run .*/\1/p')
    missed=$(tr -d '\r' <"$log" | awk '/^core +kind +dilation/ { on = 1; next } on && NF == 0 { exit } on && $11 != 0 { print $1 " " $11 }')
    if [ "$krc" = 33 ] && [ "$got" = "$want" ] && [ -z "$missed" ] && ! grep -q '^rejected: ' "$log"; then
        echo "admitted guest cores $name: $got core(s) at the admissible share, no period missed: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "admitted guest cores $name: FAILED (QEMU status $krc, $got of $want cores admitted; misses: ${missed:-none})"
        tail -n 3 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# run_status_case: `./build.sh run FILE` of a partly refused file exits
# non-zero and repeats the kernel's reason.
run_status_case() {
    local out="$OUT/test/run-status.out"
    set +e
    timeout 120 "$ROOT/build.sh" run tests/workloads/guests-share.wl --icount -- clock=exact exit >"$out" 2>&1
    local rc=$?
    set -e
    if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q "^build.sh:   rejected: line 12: field 'slice'" "$out" \
        && grep -q '^build.sh: error: run: the kernel ended with QEMU status 35' "$out"; then
        echo "build.sh run of a partly refused file: exit status $rc, the refusal repeated: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "build.sh run of a partly refused file: FAILED (exit status $rc, expected non-zero with the refusal)"
        tail -n 5 "$out"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# trace_case: boot a short workload with `trace exit` under -icount, then the
# trace tool must find the dump (nothing dropped) and draw every task.
trace_case() {
    local wl=tests/host/Trace/data/edf-u095-100ms.wl log="$OUT/test/trace-e2e.log" out
    set +e
    timeout 120 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" \
        -initrd "$wl workload" -append "trace exit" </dev/null >"$log" 2>&1
    local krc=$?
    out=$(dotnet "$(tracetool_dll)" "$log" "$OUT/test/trace-e2e.svg" 2>&1)
    local trc=$?
    set -e
    if [ "$krc" = 33 ] && [ "$trc" = 0 ] && echo "$out" | grep -q ' 6 threads, .* 0 dropped' && [ -s "$OUT/test/trace-e2e.json" ]; then
        echo "trace end to end: kernel dump of $(basename "$wl") -> out/test/trace-e2e.svg and .json: ok"
        TOTAL_PASS=$((TOTAL_PASS + 1))
    else
        echo "trace end to end: FAILED (QEMU status $krc, expected 33; trace tool exit $trc): $out"
        tail -n 5 "$log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi
}

# A self-test skipped for its scheduler policy is an error: one boot runs
# every policy (tests/kernel declare theirs; kernel/README.md, "Policies").
# So is one skipped for the clock: timing tests run on every clock
# (kernel/README.md, "Timing tests off the exact clock").
POLICY_SKIP='sched=|scheduler|clock=exact'

# kernel_stage LABEL TIMEOUT TITLE [icount] WORDS [QEMU-ARGS]: one in-kernel
# KTAP run (-kernel, the default workload as module) through the KTAP runner,
# counted.
kernel_stage() {
    local label="$1" timeout="$2" title="$3" mode="$4" words="$5" q=("${QEMU_BASE[@]}")
    [ "$mode" = icount ] && q+=(-icount shift=0,sleep=off)
    [ -n "${6:-}" ] && read -r -a extra <<<"$6" && q+=("${extra[@]}")
    stage "$title"
    "${runner[@]}" --label "$label" --timeout "$timeout" --stall 60 --forbid-skip "$POLICY_SKIP" --log "$OUT/test/$label.log" --result "$OUT/test/$label.result" -- \
        qemu-system-x86_64 "${q[@]}" -kernel "$OUT/kernel.elf" -initrd "$DEFAULT_WORKLOAD workload" -append "$words" || true
    add_result "$OUT/test/$label.result"
}

# props_stage WORDS: the property test (tests/kernel/PropsSuite.cs): random
# task and guest-core sets at the overhead-aware admission limit, run in the
# kernel under -icount, one boot per policy; zero misses required. The first
# failing set of a policy is saved as out/test/props-fail-POLICY.wl.
props_stage() {
    local extra="$1" spec test policy n
    stage "random admitted sets in the kernel, zero misses (-icount)${extra:+ ($extra)}"
    for spec in fixed_priority:priority:30 edf:edf:30 guest_cores:vcore:15; do
        IFS=: read -r test policy n <<<"$spec"
        local words="selftest=props.$test sched=$policy clock=exact ${extra:-props=$n}"
        kernel_stage "props-$policy" "${PROPS_TIMEOUT:-300}" "props.$test under sched=$policy" icount "$words"
        local log="$OUT/test/props-$policy.log" fail="$OUT/test/props-fail-$policy.wl"
        rm -f "$fail"
        if grep -q '^# props: failing set begin' "$log" 2>/dev/null; then
            tr -d '\r' <"$log" | sed -n '/^# props: failing set begin/,/^# props: failing set end/p' | grep -v '^# props: ' >"$fail"
            echo "props: the first failing set under $policy is saved as $fail (./build.sh sim $fail; ./build.sh run $fail --icount -- exit sched=$policy)"
        fi
        grep -a '^ *# \(priority\|edf\|vcore\): ' "$log" | sed 's/^ *# /props: /' || true
    done
}

cmd_test() {
    local long=""
    if [ "${1:-}" = "--long" ]; then long=1; shift; fi
    local t0=$SECONDS
    mkdir -p "$OUT/test"
    rm -f "$OUT/test"/*.result
    stage "build"
    if ! build_kernel; then die "build failed"; fi
    need_qemu; need_ovmf
    build_runner
    build_tracetool

    stage "host tests (NUnit)"
    set +e
    dotnet test tests/host/HostTests.csproj -nologo -v q --logger "console;verbosity=minimal" >"$OUT/test/host.log" 2>&1
    local hrc=$?
    set -e
    grep -E '^\s*(Failed|Passed)!|error|Failed [A-Za-z]' "$OUT/test/host.log" | head -n 40 || true
    local line hp hf
    line=$(grep -E '(Passed|Failed)!\s+-\s+Failed:' "$OUT/test/host.log" | tail -n1 || true)
    if [ -n "$line" ]; then
        hf=$(echo "$line" | sed -E 's/.*Failed:\s*([0-9]+).*/\1/')
        hp=$(echo "$line" | sed -E 's/.*Passed:\s*([0-9]+).*/\1/')
        TOTAL_PASS=$((TOTAL_PASS + hp)); TOTAL_FAIL=$((TOTAL_FAIL + hf))
        echo "host: $hp passed, $hf failed"
    else
        echo "host: the test run did not report (exit $hrc); see out/test/host.log"
        tail -n 30 "$OUT/test/host.log"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
    fi

    local runner=(dotnet "$(runner_dll)")
    # One boot runs every suite: the self-test runner moves the CPU to a
    # core with the policy each test declares (kernel/README.md, "Policies").
    kernel_stage kernel 300 "in-kernel self-tests, every suite and policy (-kernel)" "" "selftest"
    kernel_stage kernel-icount 420 "in-kernel self-tests, every suite and policy (-kernel, -icount shift=0,sleep=off)" icount "selftest clock=exact"

    if [ -n "$long" ]; then PROPS_TIMEOUT=7200 props_stage "props=1000"; else props_stage ""; fi

    kernel_stage kernel-nohpet 120 "timer calibration on a machine without an HPET (-machine pc,hpet=off): auto falls back to the PM timer" "" \
        "selftest=acpi.calibration_references_agree" "-machine pc,hpet=off"

    stage "simulator vs kernel on the same workload files (-icount)"
    compare_case sched/examples/rm-threads.wl
    compare_case sched/examples/fp-rta-miss.wl
    compare_case sched/examples/edf-u095.wl
    compare_case sched/examples/harmonic.wl
    compare_case sched/examples/mixed-wall.wl
    compare_case sched/examples/rm-slack.wl
    compare_case sched/examples/edf-first-jobs.wl
    compare_case sched/examples/edf-four-first-jobs.wl

    stage "conformance: sched/examples/conformance in the simulator and the kernel against theory (-icount)"
    build_conformance
    dotnet "$(conformance_dll)" sched/examples/conformance --sim "$ROOT/sched/sim/bin/Release/net10.0/Osprey.Sched.Sim.dll" \
        --out "$OUT/test/conformance" --result "$OUT/test/conformance.result" -- \
        timeout 300 qemu-system-x86_64 "${QEMU_BASE[@]}" -icount shift=0,sleep=off -kernel "$OUT/kernel.elf" || true
    add_result "$OUT/test/conformance.result"

    stage "run control: overloaded and starving workloads end on time (-icount)"
    local rc_file
    for rc_file in tests/workloads/runctl-*.wl; do runctl_case "$rc_file"; done

    stage "guest reports: taken before teardown, the file's share, the core limit, refusals end in failure (-icount)"
    guest_case sched/examples/guests.wl 33
    guest_case sched/examples/guests-extra.wl 35
    guest_case tests/workloads/guests-share.wl 35
    limit_case
    run_status_case
    admitted_case tests/workloads/guests-50.wl
    admitted_case tests/workloads/guests-dil200.wl

    stage "scheduling trace: kernel dump to SVG and JSON (-icount)"
    trace_case

    stage "panic paths (each ends its run: status 37, the test reported not ok)"
    panic_case unexpected_page_fault_ends_run 'page fault (#PF) vector 14' '# RIP '
    panic_case throw_names_type_and_message 'unhandled exception System_InvalidOperationException: period object used after delete' 'PANIC'
    panic_case heap_exhaustion_names_request 'out of memory: request of 2147483416 bytes for __Array<UInt8>' 'bytes of RAM free'
    panic_case stack_overflow_names_thread "stack overflow in thread 'deep'" 'double fault (#DF) vector 8'
    boot_panic_case calib_hpet_without_hpet "-machine pc,hpet=off" "selftest calib=hpet" 'timer calibration: calib=hpet: no HPET table'

    stage "ISO boot smoke test (BIOS)"
    "${runner[@]}" --label iso-bios --timeout 120 --stall 60 --expect-line '^osprey: idle' --log "$OUT/test/iso-bios.log" --result "$OUT/test/iso-bios.result" -- \
        qemu-system-x86_64 "${QEMU_BASE[@]}" -cdrom "$OUT/kernel.iso" || true
    add_result "$OUT/test/iso-bios.result"

    stage "ISO boot smoke test (UEFI, OVMF)"
    "${runner[@]}" --label iso-uefi --timeout 180 --stall 90 --expect-line '^osprey: idle' --log "$OUT/test/iso-uefi.log" --result "$OUT/test/iso-uefi.result" -- \
        qemu-system-x86_64 "${QEMU_BASE[@]}" -bios /usr/share/ovmf/OVMF.fd -cdrom "$OUT/kernel.iso" || true
    add_result "$OUT/test/iso-uefi.result"

    # The menu's second entry, "Osprey self-test", chosen with the down
    # arrow and Enter on the serial terminal once GRUB shows its menu.
    stage "ISO self-test menu entry (BIOS)"
    "${runner[@]}" --label iso-selftest-bios --timeout 300 --stall 60 --send-on 'Press enter to boot' '\e[B\r' \
        --forbid-skip "$POLICY_SKIP" --log "$OUT/test/iso-selftest-bios.log" --result "$OUT/test/iso-selftest-bios.result" -- \
        qemu-system-x86_64 "${QEMU_BASE[@]}" -cdrom "$OUT/kernel.iso" || true
    add_result "$OUT/test/iso-selftest-bios.result"

    stage "ISO self-test menu entry (UEFI, OVMF)"
    "${runner[@]}" --label iso-selftest-uefi --timeout 420 --stall 90 --send-on 'Press enter to boot' '\e[B\r' \
        --forbid-skip "$POLICY_SKIP" --log "$OUT/test/iso-selftest-uefi.log" --result "$OUT/test/iso-selftest-uefi.result" -- \
        qemu-system-x86_64 "${QEMU_BASE[@]}" -bios /usr/share/ovmf/OVMF.fd -cdrom "$OUT/kernel.iso" || true
    add_result "$OUT/test/iso-selftest-uefi.result"

    stage "summary"
    echo "test run took $((SECONDS - t0)) s; logs in out/test/"
    echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
    [ "$TOTAL_FAIL" = 0 ]
}

# ---------------------------------------------------------------- misc --
cmd_flash() {
    [ $# -ge 1 ] || die "flash: which device? usage: ./build.sh flash DEVICE [--yes]"
    build_kernel
    exec bash "$ROOT/qemu/flash.sh" "$OUT/kernel.iso" "$@"
}

# ---------------------------------------------------------------- bench --
# bench_extract SYSTEM MODE LOG: the "# BENCH name value unit" lines of LOG
# as "BENCH system mode name value unit".
bench_extract() {
    tr -d '\r' <"$3" | awk -v sys="$1" -v mode="$2" '$1=="#" && $2=="BENCH" && NF==5 {print "BENCH", sys, mode, $3, $4, $5}'
}

# bench_osprey MODE [DIR [TESTS]]: the kernel's bench suite (or the tests
# TESTS of it, e.g. bench.ready) under -icount or plain emulation; its
# figures are appended to DIR/results.txt (DIR: $OUT/bench).
bench_osprey() {
    local mode="$1" dir="${2:-$OUT/bench}" tests="${3:-bench}" q=("${QEMU_BASE[@]}")
    local log="$dir/osprey-$mode.log" words="selftest=$tests"
    [ "$mode" = icount ] && { q+=(-icount shift=0,sleep=off); words="$words clock=exact"; }
    say "bench: Osprey, $mode ($tests)"
    dotnet "$(runner_dll)" --label "osprey-$mode" --timeout 300 --stall 120 --log "$log" --result "$dir/osprey-$mode.result" -- \
        qemu-system-x86_64 "${q[@]}" -kernel "$OUT/kernel.elf" -initrd "$DEFAULT_WORKLOAD workload" -append "$words" >/dev/null \
        || die "bench: the Osprey benchmark suite failed ($mode, $tests); see $log"
    bench_extract osprey "$mode" "$log" >>"$dir/results.txt"
}

bench_linux() {
    local mode="$1" log="$OUT/bench/linux-$1.log" q=(-m 512 -no-reboot -display none -serial stdio)
    [ "$mode" = icount ] && q+=(-icount shift=0,sleep=off)
    say "bench: Linux PREEMPT_RT, $mode (boot, cyclictest 10,000 x 1 ms, ping-pong)"
    set +e
    timeout 900 qemu-system-x86_64 "${q[@]}" -kernel "$OUT/linux-rt/vmlinuz" -initrd "$OUT/linux-rt/initramfs.cpio.gz" \
        -append "console=ttyS0 quiet panic=-1" </dev/null >"$log" 2>&1
    local rc=$?
    set -e
    grep -q '^# BENCH cyclictest_max' "$log" || die "bench: Linux-RT gave no cyclictest figures ($mode, QEMU status $rc); see $log"
    bench_extract linux "$mode" "$log" >>"$OUT/bench/results.txt"
}

# One row per figure: Osprey and Linux under -icount and plain, and the
# ratio Linux / Osprey (for costs in ns: how many times cheaper Osprey is).
bench_table() {
    awk '
    $4 ~ /^ready_/ { next }
    { key = $2 " " $3 " " $4; val[key] = $5; unit[$4] = $6; if (!($4 in seen)) { seen[$4] = 1; order[n++] = $4 } }
    function cell(k) { return (k in val) ? val[k] : "-" }
    function ratio(o, l) { if (!(o in val) || !(l in val) || val[o] == 0) return "-"; return sprintf("%.1fx", val[l] / val[o]) }
    END {
        printf "%-30s %-10s %12s %12s %8s %12s %12s %8s\n", "figure", "unit", "osprey-ic", "linux-ic", "ratio", "osprey-pl", "linux-pl", "ratio"
        for (i = 0; i < n; i++) {
            f = order[i]
            printf "%-30s %-10s %12s %12s %8s %12s %12s %8s\n", f, unit[f], cell("osprey icount " f), cell("linux icount " f), \
                ratio("osprey icount " f, "linux icount " f), cell("osprey plain " f), cell("linux plain " f), ratio("osprey plain " f, "linux plain " f)
        }
        o = "osprey icount cyclictest_max"; l = "linux icount cyclictest_max"
        if ((o in val) && (l in val)) printf "\ntarget: wake-up latency max under icount at least 5x below Linux-RT: %.1fx (%s)\n", val[l] / val[o], (val[l] >= 5 * val[o]) ? "met" : "MISSED"
        o = "osprey icount pingpong_round_trip"; l = "linux icount pingpong_round_trip"
        if ((o in val) && (l in val)) printf "target: semaphore ping-pong at least 10x cheaper than Linux pipe ping-pong under icount: %.1fx (%s)\n", val[l] / val[o], (val[l] >= 10 * val[o]) ? "met" : "MISSED"
    }' "$OUT/bench/results.txt"
}

cmd_bench() {
    local linux=1
    [ "${1:-}" = "--osprey-only" ] && linux=0
    build_kernel; need_qemu; build_runner
    mkdir -p "$OUT/bench"; rm -f "$OUT/bench/results.txt"
    bench_osprey icount
    bench_osprey plain
    if [ "$linux" = 1 ]; then
        need gcc gcc; need /usr/lib/x86_64-linux-gnu/libc.a libc6-dev; flush_needs
        bash qemu/linux-rt/prepare.sh "$OUT/linux-rt" || die "bench: preparing the Linux-RT kernel and initramfs failed"
        bench_linux icount
        bench_linux plain
    fi
    echo
    bench_table
    echo
    say "ready-set scaling (the kernel's build of sched/, -icount: instructions)"
    ready_scaling_table "$OUT/bench/results.txt" || true
    echo
    cat "$OUT/bench/results.txt"
}

cmd_sim() {
    [ $# -ge 1 ] || die "sim: which workload file? usage: ./build.sh sim FILE [--trace OUT]"
    local args=("$@") i picture=""
    for ((i = 0; i < ${#args[@]}; i++)); do
        if [ "${args[$i]}" = --trace ] && [ $((i + 1)) -lt ${#args[@]} ] && is_picture "${args[$((i + 1))]}"; then
            picture="${args[$((i + 1))]}"
            args[$((i + 1))]="${picture%.*}.trace"
            mkdir -p "$(dirname "$picture")"
        fi
    done
    [ -z "$picture" ] || build_tracetool
    set +e
    dotnet run --project sched/sim/Sim.csproj -c Release -v q -- "${args[@]}"
    local rc=$?
    set -e
    if [ -n "$picture" ] && [ -f "${picture%.*}.trace" ]; then tracetool "${picture%.*}.trace" "$picture" || rc=2; fi
    return $rc
}

cmd_trace() {
    [ $# -ge 2 ] || die "trace: usage: ./build.sh trace IN OUT [--from MS] [--to MS] [--title TEXT]"
    tracetool "$@"
}

# ready_scaling_table FILE: the kernel's ready_<policy>_<pattern>_<op>_<N>
# figures under -icount (BENCH lines of FILE) as one row per policy,
# pattern and operation, with the ratio N=10000 / N=10 and the targets.
ready_scaling_table() {
    awk '$2 == "osprey" && $3 == "icount" && $4 ~ /^ready_/ {
        split($4, f, "_"); row = f[2] " " f[3] " " f[4]; val[row, f[5]] = $5
        if (!(row in seen)) { seen[row] = 1; rows[n++] = row }
    }
    END {
        if (n == 0) exit 1
        printf "%-9s %-9s %-10s %8s %8s %8s %8s %7s\n", "policy", "pattern", "op", "N=10", "N=100", "N=1000", "N=10000", "ratio"
        bad = ""
        for (i = 0; i < n; i++) {
            r = rows[i]; split(r, k, " ")
            ratio = (val[r, 10] > 0) ? val[r, 10000] / val[r, 10] : 0
            printf "%-9s %-9s %-10s %8s %8s %8s %8s %6.2fx\n", k[1], k[2], k[3], val[r, 10], val[r, 100], val[r, 1000], val[r, 10000], ratio
            if (k[1] == "priority" && ratio > 1.10) bad = bad " " r " (" sprintf("%.2f", ratio) "x)"
            if (k[1] != "priority" && ratio > 2.0) bad = bad " " r " (" sprintf("%.2f", ratio) "x)"
        }
        printf "\ntargets (instructions): priority flat (N=10000 within 1.10x of N=10), edf and cbs N=10000 within 2x of N=10: %s\n", (bad == "") ? "met for every operation" : "MISSED for" bad
    }' "$1"
}

# bench-host: the host figures (ns, with the caches and the machine's load),
# then, unless --host-only, the same workload in the kernel under -icount
# (instructions: the algorithmic cost, repeatable to the instruction).
cmd_bench_host() {
    local args=() host_only=0 a
    for a in "$@"; do
        if [ "$a" = --host-only ]; then host_only=1; else args+=("$a"); fi
    done
    dotnet run --project sched/sim/Sim.csproj -c Release -v q -- --bench "${args[@]}"
    [ "$host_only" = 1 ] && return 0
    build_kernel; need_qemu; build_runner
    local dir="$OUT/bench-host"
    mkdir -p "$dir"; rm -f "$dir/results.txt"
    echo
    say "bench-host: the same workload in the kernel under -icount (guest ns = instructions; about a minute)"
    bench_osprey icount "$dir" bench.ready
    ready_scaling_table "$dir/results.txt" || die "bench-host: no ready-set figures in $dir/osprey-icount.log"
}

cmd_clean() {
    rm -rf "$OUT"
    find "$ROOT" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
    say "cleaned"
}

cmd="${1:-build}"
[ $# -gt 0 ] && shift
case "$cmd" in
    build) build_kernel ;;
    run) cmd_run "$@" ;;
    test) cmd_test "$@" ;;
    flash) cmd_flash "$@" ;;
    sim) cmd_sim "$@" ;;
    trace) cmd_trace "$@" ;;
    bench-host) cmd_bench_host "$@" ;;
    bench) cmd_bench "$@" ;;
    clean) cmd_clean ;;
    help|-h|--help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
esac
