#!/usr/bin/env bash
# Builds the Linux-RT side of ./build.sh bench from Debian packages only:
# Debian's linux-image-rt-amd64 kernel, and an initramfs with busybox-static,
# rt-tests' cyclictest (and the shared libraries it needs) and pingpong.c,
# smpwake.c and burn.c compiled statically. Output: $1/vmlinuz and $1/initramfs.cpio.gz.
set -euo pipefail
out="$(mkdir -p "$1" && cd "$1" && pwd)" # absolute: the archive is written from inside $root
here="$(cd "$(dirname "$0")" && pwd)"
debs="$out/debs"; root="$out/root"; x="$out/extract"
mkdir -p "$debs"
die() { echo "linux-rt: error: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "apt-get not found (Debian packages are the only source allowed)"
command -v gcc >/dev/null || die "gcc not found (apt-get install gcc libc6-dev)"

# The versioned kernel package behind the linux-image-rt-amd64 metapackage.
kpkg=$(apt-cache depends linux-image-rt-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9].*-rt-amd64/{print $2; exit}')
[ -n "$kpkg" ] || die "cannot resolve linux-image-rt-amd64 (run apt-get update?)"
need=("$kpkg" busybox-static rt-tests libnuma1)
for p in "${need[@]}"; do
    if ! ls "$debs/${p}_"*.deb >/dev/null 2>&1; then
        echo "linux-rt: downloading the Debian package $p"
        (cd "$debs" && apt-get download "$p" >/dev/null) || die "apt-get download $p failed"
    fi
done
rm -rf "$x" "$root"; mkdir -p "$x" "$root"
for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$x"; done

vmlinuz=$(ls "$x"/boot/vmlinuz-*-rt-amd64 | head -n 1)
[ -f "$vmlinuz" ] || die "no vmlinuz in $kpkg"
cp "$vmlinuz" "$out/vmlinuz"

mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib64,lib/x86_64-linux-gnu}
cp "$x/bin/busybox" "$root/bin/busybox"
cp "$x/usr/bin/cyclictest" "$root/bin/cyclictest"
for prog in pingpong smpwake burn; do
    gcc -static -O2 -pthread -o "$root/bin/$prog" "$here/$prog.c" || die "gcc could not compile $prog.c"
done
cp "$here/init.sh" "$root/init"; chmod +x "$root/init"
# cyclictest's shared libraries: libnuma from its package, the C library from this system's.
for lib in $(LD_LIBRARY_PATH="$x/usr/lib/x86_64-linux-gnu:$x/lib/x86_64-linux-gnu" ldd "$root/bin/cyclictest" | awk '/=>/{print $3} /ld-linux/{print $1}'); do
    [ -f "$lib" ] || continue
    case "$lib" in
        */ld-linux-x86-64.so.2) cp -L "$lib" "$root/lib64/" ;;
        *) cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
    esac
done
# The archive is written by the static busybox just extracted (its cpio applet).
(cd "$root" && find . | "$x/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$out/initramfs.cpio.gz")
echo "linux-rt: $(basename "$vmlinuz") and an initramfs of $(du -sh "$root" | cut -f1) ready in $out"
