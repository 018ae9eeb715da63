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
                   --trace OUT: boot with 'trace exit', record the scheduling
                   trace and write OUT: NAME.svg or NAME.json gives the SVG
                   timeline and the Chrome/Perfetto JSON side by side (plus
                   NAME.trace and the serial log NAME.log); other names get
                   the raw trace
  test             host NUnit tests, the in-kernel self-tests (plain and under
                   -icount), and BIOS and UEFI boot smoke tests of the ISO;
                   ends with "N passed, N failed"
  flash DEVICE     write out/kernel.iso to a USB stick (checks the device,
                   asks for confirmation; --yes to skip the question,
                   --unmount to unmount its partitions after confirming)
  sim FILE [--trace OUT] [--sched NAME] [--duration TIME] [--check]
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
        find sched -name '*.cs' -not -path 'sched/sim/*' -not -path 'sched/bench/*' -not -path '*/obj/*' -not -path '*/bin/*'
        find tests/kernel -name '*.cs' 2>/dev/null
    } | LC_ALL=C sort
}

build_kernel() {
    need_build_tools
    need_ilc
    mkdir -p "$OBJ"
    local t0=$SECONDS
    mapfile -t srcs < <(kernel_sources)
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

# build_dotnet PROJECT DLL [DIR...]: dotnet build -c Release when a C# source
# or project file under the project's folder or the DIRs is newer than DLL.
build_dotnet() {
    local proj="$1" dll="$2" name; shift 2
    name=$(basename "$proj" .csproj)
    mkdir -p "$OBJ"
    mapfile -t srcs < <(find "$(dirname "$proj")" "$@" \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/bin/*' -not -path '*/obj/*')
    if stale "$dll" "${srcs[@]}"; then
        say "building $(dirname "$proj")"
        dotnet build "$proj" -c Release -v q -nologo >"$OBJ/$name-build.log" 2>&1 || { cat "$OBJ/$name-build.log" >&2; die "building $proj failed"; }
    fi
}
runner_dll() { echo "$ROOT/qemu/runner/bin/Release/net10.0/KtapRunner.dll"; }
build_runner() { build_dotnet qemu/runner/KtapRunner.csproj "$(runner_dll)" qemu/tracetool; }
tracetool_dll() { echo "$ROOT/qemu/tracetool/bin/Release/net10.0/TraceTool.dll"; }
build_tracetool() { build_dotnet qemu/tracetool/TraceTool.csproj "$(tracetool_dll)"; }
sim_dll() { echo "$ROOT/sched/sim/bin/Release/net10.0/Osprey.Sched.Sim.dll"; }
build_sim() { build_dotnet sched/sim/Sim.csproj "$(sim_dll)" sched; }
# tracetool IN OUT [OPTIONS]: trace or log -> OUT (.svg/.json: both pictures).
tracetool() { build_tracetool; dotnet "$(tracetool_dll)" "$@"; }
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
        build_tracetool; build_runner
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
        qemu-system-x86_64 "${q[@]}" </dev/null | dotnet "$(runner_dll)" show-serial "$log"
        local rc=${PIPESTATUS[0]}
    else
        qemu-system-x86_64 "${q[@]}"
        local rc=$?
    fi
    set -e
    case $rc in
        33) say "kernel exited: success" ;;
        35) say "kernel exited: failures reported" ;;
        37) say "kernel exited: panic" ;;
        0)  say "QEMU exited with status 0 (a triple fault with -no-reboot, or the window was closed)" ;;
        *)  say "QEMU exited with status $rc" ;;
    esac
    if [ -n "$trace" ]; then
        say "serial log in $log"
        if is_picture "$trace"; then
            tracetool "$log" "${trace%.*}.trace" --quiet || die "run: no trace in $log"
        fi
        tracetool "$log" "$trace" || die "run: no trace in $log"
    fi
}

# ---------------------------------------------------------------- test --
# The stages, their verdicts and the closing "N passed, N failed" line are the
# runner's (qemu/runner/Stages/StageList.cs); this builds what they boot.
cmd_test() {
    local t0; t0=$(date +%s)
    printf '\n== %s\n' "build"
    build_kernel || die "build failed"
    need_qemu; need_ovmf
    build_runner; build_sim
    dotnet "$(runner_dll)" test --root "$ROOT" --started "$t0" "$@"
}

# ---------------------------------------------------------------- misc --
cmd_flash() {
    [ $# -ge 1 ] || die "flash: which device? usage: ./build.sh flash DEVICE [--yes]"
    build_kernel
    exec bash "$ROOT/qemu/flash.sh" "$OUT/kernel.iso" "$@"
}

# ---------------------------------------------------------------- bench --
# The boots, the tables and their targets are the runner's (qemu/runner/Benchmarks).
cmd_bench() {
    local args=()
    [ "${1:-}" = "--osprey-only" ] && args+=(--osprey-only)
    build_kernel; need_qemu; build_runner
    if [ "${#args[@]}" = 0 ]; then
        need gcc gcc; need /usr/lib/x86_64-linux-gnu/libc.a libc6-dev; flush_needs
        bash qemu/linux-rt/prepare.sh "$OUT/linux-rt" || die "bench: preparing the Linux-RT kernel and initramfs failed"
    fi
    dotnet "$(runner_dll)" bench --root "$ROOT" "${args[@]}"
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
    build_sim
    set +e
    dotnet "$(sim_dll)" "${args[@]}"
    local rc=$?
    set -e
    if [ -n "$picture" ] && [ -f "${picture%.*}.trace" ]; then tracetool "${picture%.*}.trace" "$picture" || rc=2; fi
    return $rc
}

cmd_trace() {
    [ $# -ge 2 ] || die "trace: usage: ./build.sh trace IN OUT [--from MS] [--to MS] [--title TEXT]"
    tracetool "$@"
}

# bench-host: the host figures (ns, with the caches and the machine's load),
# then, unless --host-only, the same workload in the kernel under -icount
# (instructions: the algorithmic cost, repeatable to the instruction).
cmd_bench_host() {
    local args=() host_only=0 a
    for a in "$@"; do
        if [ "$a" = --host-only ]; then host_only=1; else args+=("$a"); fi
    done
    build_sim
    dotnet "$(sim_dll)" --bench "${args[@]}" || return
    [ "$host_only" = 1 ] && return 0
    build_kernel; need_qemu; build_runner
    dotnet "$(runner_dll)" bench --root "$ROOT" --ready-only
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
