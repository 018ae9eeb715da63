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
                   exits non-zero, repeating the kernel's reason, when the
                   kernel fails (a workload refused, failed tests, a panic)
                   --trace OUT: boot with 'trace exit', record the scheduling
                   trace and write OUT: NAME.svg or NAME.json gives the SVG
                   timeline and the Chrome/Perfetto JSON side by side (plus
                   NAME.trace and the serial log NAME.log); other names get
                   the raw trace
  test [--long] [--stage TEXT]...
                   host NUnit tests, the in-kernel self-tests (plain, -icount),
                   simulator vs kernel, conformance, run control, guest reports,
                   random admitted sets (75; --long: 3,000), boot paths and the
                   ISO under BIOS and UEFI, ending with "N passed, N failed";
                   --stage TEXT: only the stages whose title or case name
                   contains TEXT (qemu/runner/Stages/StageList.cs)
  matrix [--full] [--only TEXT]
                   the ISO's self-test entry on pc/q35, BIOS/UEFI, 64M-8G, four
                   CPU models, 1 and 4 CPUs (20 boots; --full: 160); one table
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
                   threads on the host (BenchmarkDotNet), then (unless
                   --host-only) the same workload in the kernel under -icount
                   (instructions)
  bench [--osprey-only|--linux-only] [--smp-only]
                   the kernel's benchmark suite (Thread-Metric equivalents,
                   latency_measure-style costs, cyclictest, scheduler decision
                   cost) under -icount and under plain emulation, beside
                   Debian's Linux PREEMPT_RT kernel (cyclictest, pipe and
                   yield ping-pong) booted with the same QEMU settings; one
                   table with ratios, and BENCH lines for scripts; then
                   both with -smp 4 (the multi-CPU rows); --linux-only:
                   only the Linux boots; --smp-only: only the -smp 4 boots
  clean            remove out/ and the .NET build outputs
  help             this text

Everything missing (Debian packages, the pinned NuGet compiler packages) is
installed on first use, and said so.
EOF
}

# ---------------------------------------------------------------- tools --
# apt_install PACKAGE...: installs Debian packages, and says so.
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "missing $*; this is not a Debian-like system (no apt-get): install them by hand"
    local sudo=""
    [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo=sudo; } || die "missing $*; run as root or install them: apt-get install $*"
    say "installing Debian packages: $*"
    if [ "$APT_UPDATED" = 0 ]; then $sudo apt-get update -q >/dev/null || die "apt-get update failed; cannot install $*"; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null || die "apt-get could not install: $*"
}

# need CHECK PACKAGE: CHECK is a command name or an absolute path; flush_needs installs what is missing.
MISSING=()
need() {
    if [[ "$1" == /* ]]; then [ -e "$1" ] && return 0; else command -v "$1" >/dev/null 2>&1 && return 0; fi
    MISSING+=("$2")
}
flush_needs() {
    [ "${#MISSING[@]}" -gt 0 ] || return 0
    local uniq; uniq=$(printf '%s\n' "${MISSING[@]}" | sort -u | tr '\n' ' '); MISSING=()
    apt_install $uniq # shellcheck disable=SC2086
}

need_build_tools() {
    command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required and is not on PATH"
    need nasm nasm; need ld binutils; need nm binutils; need awk mawk; need xorriso xorriso; need mformat mtools
    need grub-mkrescue grub-common; need /usr/lib/grub/i386-pc/multiboot2.mod grub-pc-bin
    need /usr/lib/grub/x86_64-efi/multiboot2.mod grub-efi-amd64-bin; flush_needs
}
need_qemu() { need qemu-system-x86_64 qemu-system-x86; flush_needs; }
need_ovmf() { need /usr/share/ovmf/OVMF.fd ovmf; flush_needs; }

ILC_VERSION=10.0.12
ilc_path() {
    local cache="${NUGET_PACKAGES:-}"
    [ -n "$cache" ] || cache=$(dotnet nuget locals global-packages -l 2>/dev/null | sed -n 's/^global-packages: *//p')
    [ -n "$cache" ] || cache="$HOME/.nuget/packages"
    echo "${cache%/}/runtime.linux-x64.microsoft.dotnet.ilcompiler/$ILC_VERSION/tools/ilc"
}
need_ilc() {
    ILC=$(ilc_path)
    [ -x "$ILC" ] && return 0
    say "restoring the NativeAOT compiler packages (ILCompiler $ILC_VERSION) from NuGet"
    dotnet restore "$ROOT/kernel/toolchain/Toolchain.csproj" -v q >/dev/null || die "could not restore Microsoft.DotNet.ILCompiler $ILC_VERSION from NuGet"
    ILC=$(ilc_path); [ -x "$ILC" ] || die "ilc not found at $ILC after restore"
}
csc_path() { echo "$(dotnet --list-sdks | tail -n1 | sed -E 's/^([^ ]+) \[(.*)\]$/\2\/\1/')/Roslyn/bincore/csc.dll"; }

# ---------------------------------------------------------------- build --
# newer TARGET SOURCES...: true when TARGET is missing or any source is newer.
stale() {
    local target="$1" f; shift; [ -e "$target" ] || return 0
    for f in "$@"; do [ "$f" -nt "$target" ] && return 0; done; return 1
}

kernel_sources() {
    { find kernel -name '*.cs' -not -path '*/tools/*' -not -path '*/toolchain/*' -not -path '*/obj/*' -not -path '*/bin/*'
      find sched -name '*.cs' -not -path 'sched/sim/*' -not -path '*/obj/*' -not -path '*/bin/*'
      find tests/kernel -name '*.cs' 2>/dev/null; } | LC_ALL=C sort
}

# The image's build id (kernel/core/BuildInfo.cs): the commit, its date and
# whether the tree has uncommitted changes, as constants in $OBJ/BuildStamp.g.cs,
# rewritten only when they change (an unchanged tree does not recompile).
write_build_stamp() {
    local commit="unknown (not a git checkout)" date="unknown" dirty=false f="$OBJ/BuildStamp.g.cs"
    if command -v git >/dev/null 2>&1 && git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        commit=$(git -C "$ROOT" rev-parse --short=12 HEAD)
        date=$(TZ=UTC git -C "$ROOT" log -1 --format=%cd --date=format-local:'%Y-%m-%d %H:%M:%S UTC' HEAD)
        [ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] || dirty=true
    fi
    printf '// Written by build.sh (write_build_stamp); read by kernel/core/BuildInfo.cs.\nnamespace Osprey.Kernel\n{\n    internal static class BuildStamp\n    {\n        internal const string Commit = "%s", Date = "%s";\n        internal const bool Dirty = %s;\n    }\n}\n' "$commit" "$date" "$dirty" >"$f.new"
    if cmp -s "$f.new" "$f"; then rm -f "$f.new"; else mv "$f.new" "$f"; fi
}

build_kernel() {
    need_build_tools; need_ilc; mkdir -p "$OBJ"
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
    # The guest images (flat 32-bit binaries) first: svm/images.asm embeds them.
    local asm objs=() g bins=()
    mkdir -p "$OBJ/guests"
    for g in kernel/vmm/guests/*.asm; do
        local b="$OBJ/guests/$(basename "$g" .asm).bin"
        bins+=("$b")
        if stale "$b" "$g" kernel/vmm/guests/common.inc; then nasm -f bin -w+all -I kernel/vmm/guests/ -o "$b" "$g" || die "nasm failed on $g"; fi
    done
    for asm in boot/entry.asm kernel/arch/x86_64/*.asm kernel/arch/x86_64/svm/*.asm; do
        local o="$OBJ/$(basename "$asm" .asm).o"
        objs+=("$o")
        if stale "$o" "$asm" "${bins[@]}"; then nasm -f elf64 -w+all -I "$OBJ/guests/" -o "$o" "$asm" || die "nasm failed on $asm"; fi
    done
    if stale "$OUT/kernel.elf" "$OBJ/kernel.o" "${objs[@]}" boot/linker.ld kernel/arch/x86_64/symtab.awk; then
        say "linking out/kernel.elf"
        # Pass 1 links without names; its symbol list becomes the .ksymtab section of
        # pass 2 (placed after all code and data, so no address the table names moves).
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
    local workload="${1:-$DEFAULT_WORKLOAD}" iso="$OUT/kernel.iso" stamp="$OBJ/iso.workload" sum
    [ -f "$workload" ] || die "workload file '$workload' not found"
    # The image embeds one workload: rebuild when it is another file's (or
    # the same file changed), not only when a file got newer.
    sum="$workload $(cksum <"$workload")"
    if stale "$iso" "$OUT/kernel.elf" boot/grub.cfg "$workload" || [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
        say "making the hybrid BIOS/UEFI image out/kernel.iso"
        rm -rf "$OBJ/iso"; mkdir -p "$OBJ/iso/boot/grub"
        cp "$OUT/kernel.elf" "$OBJ/iso/boot/kernel.elf"; cp "$workload" "$OBJ/iso/boot/workload.wl"
        cp boot/grub.cfg "$OBJ/iso/boot/grub/grub.cfg"
        grub-mkrescue -o "$iso" "$OBJ/iso" >"$OBJ/grub-mkrescue.log" 2>&1 \
            || { cat "$OBJ/grub-mkrescue.log" >&2; die "grub-mkrescue failed"; }
        echo "$sum" >"$stamp"
    fi
}

# ---------------------------------------------------------------- tools --
# build_dotnet PROJECT DLL [DIR...]: dotnet build -c Release when a C# source
# or project file under the project's folder or the DIRs is newer than DLL.
build_dotnet() {
    local proj="$1" dll="$2" name; name=$(basename "$1" .csproj); shift 2
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
build_sim() { build_dotnet sched/sim/Sim.csproj "$(sim_dll)" sched qemu/tracetool; }
build_conformance() { build_dotnet qemu/conformance/Conformance.csproj "$ROOT/qemu/conformance/bin/Release/net10.0/Conformance.dll"; }
# run: the QEMU command line, the terminal and the trace are the runner's
# (qemu/runner/RunCommand.cs); the ISO embeds the workload, so it is built
# here with FILE first (and dated back, so the next build makes the default one).
cmd_run() {
    build_kernel; need_qemu; build_runner
    local a prev="" iso=0 file=""
    for a in "$@"; do
        [ "$a" = -- ] && break
        case "$a" in --iso|--uefi) iso=1; need_ovmf ;; -*) ;; *) [ "$prev" = --trace ] || file="$a" ;; esac
        prev="$a"
    done
    if [ "$iso" = 1 ] && [ -n "$file" ] && [ -f "$file" ]; then build_iso "$file"; touch -d '1970-01-02' "$OUT/kernel.iso"; fi
    dotnet "$(runner_dll)" run --root "$ROOT" "$@"
}

# ---------------------------------------------------------------- test --
# The stages, their verdicts and the closing "N passed, N failed" line are the
# runner's (qemu/runner/Stages/StageList.cs); this builds what they boot.
cmd_test() {
    local t0; t0=$(date +%s)
    printf '\n== %s\n' "build"
    build_kernel || die "build failed"
    need_qemu; need_ovmf
    build_runner; build_sim; build_conformance
    dotnet "$(runner_dll)" test --root "$ROOT" --started "$t0" "$@"
}

# ---------------------------------------------------------------- bench --
# The boots, the tables and their targets are the runner's (qemu/runner/Benchmarks).
cmd_bench() {
    build_kernel; need_qemu; build_runner
    case " $* " in *" --osprey-only "*) dotnet "$(runner_dll)" bench --root "$ROOT" "$@"; return;; esac
    need gcc gcc; need /usr/lib/x86_64-linux-gnu/libc.a libc6-dev; flush_needs
    bash qemu/linux-rt/prepare.sh "$OUT/linux-rt" || die "bench: preparing the Linux-RT kernel and initramfs failed"
    dotnet "$(runner_dll)" bench --root "$ROOT" "$@"
}

# bench-host: the host figures (ns, with the caches and the machine's load),
# then, unless --host-only, the same workload in the kernel under -icount
# (instructions: the algorithmic cost, repeatable to the instruction).
cmd_bench_host() {
    local args=() a
    for a in "$@"; do [ "$a" = --host-only ] || args+=("$a"); done
    build_sim
    dotnet "$(sim_dll)" --bench "${args[@]}" || return
    [ "${#args[@]}" != "$#" ] && return 0 # --host-only
    build_kernel; need_qemu; build_runner
    dotnet "$(runner_dll)" bench --root "$ROOT" --ready-only
}

cmd="${1:-build}"
[ $# -gt 0 ] && shift
case "$cmd" in
    build) build_kernel ;;
    run) cmd_run "$@" ;;
    test) cmd_test "$@" ;;
    flash) [ $# -ge 1 ] || die "flash: which device? usage: ./build.sh flash DEVICE [--yes]"
        build_kernel; exec bash "$ROOT/qemu/flash.sh" "$OUT/kernel.iso" "$@" ;;
    sim) [ $# -ge 1 ] || die "sim: which workload file? usage: ./build.sh sim FILE [--trace OUT]"
        build_sim; dotnet "$(sim_dll)" "$@" ;;
    trace) [ $# -ge 2 ] || die "trace: usage: ./build.sh trace IN OUT [--from MS] [--to MS] [--title TEXT]"
        build_tracetool; dotnet "$(tracetool_dll)" "$@" ;;
    bench-host) cmd_bench_host "$@" ;;
    bench) cmd_bench "$@" ;;
    matrix) build_kernel; need_qemu; need_ovmf; build_runner
        dotnet "$(runner_dll)" matrix --iso "$OUT/kernel.iso" --out "$OUT/matrix" "$@" ;;
    clean) rm -rf "$OUT"; find "$ROOT" -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +; say "cleaned" ;;
    help|-h|--help) usage ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
esac
