#!/usr/bin/env bash
# Write the Osprey ISO to a USB stick, safely.
#
#   qemu/flash.sh IMAGE DEVICE [--yes] [--unmount]
#
# Refuses, each with its own message and exit code:
#    2  usage error
#    3  image missing or unreadable
#    4  image is not an ISO9660 image ('CD001' at byte 32769)
#    5  device does not exist
#    6  device is not a block device
#    7  device is a partition, not a whole disk
#    8  device is not a disk the kernel lists in /sys/block
#    9  disk is not removable
#   10  disk is not on USB
#   11  disk holds the root, boot or swap filesystem (system disk)
#   12  disk has mounted partitions (or is held by LVM/dm/RAID); --unmount
#       unmounts them (never for a system disk)
#   13  disk has no medium or is smaller than the image
#   14  not confirmed (anything but 'yes' typed)
#   15  unmount failed
#   16  no permission to write the device (run as root)
#    1  the write or the sync failed
#    0  written (or printed, in dry-run mode)
#
# Before writing it shows the disk's vendor, model and size and asks for
# 'yes' (skipped with --yes). It writes with dd conv=fsync oflag=direct and
# then runs sync.
#
# For tests every system path can be redirected:
#   FLASH_SYSFS=DIR          instead of /sys
#   FLASH_PROC_MOUNTS=FILE   instead of /proc/mounts
#   FLASH_PROC_SWAPS=FILE    instead of /proc/swaps
#   FLASH_FAKE_BLOCKDEV=1    accept a regular file as the block device
#   FLASH_DRY_RUN=1          print the umount/dd/sync commands instead of running them
set -u

SYSFS=${FLASH_SYSFS:-/sys}
MOUNTS=${FLASH_PROC_MOUNTS:-/proc/mounts}
SWAPS=${FLASH_PROC_SWAPS:-/proc/swaps}
FAKE_BLOCKDEV=${FLASH_FAKE_BLOCKDEV:-0}
DRY_RUN=${FLASH_DRY_RUN:-0}

usage() {
    echo "usage: $0 IMAGE DEVICE [--yes] [--unmount]" >&2
    echo "  writes IMAGE (an ISO9660 image, e.g. out/kernel.iso) to DEVICE, a whole removable USB disk such as /dev/sdb" >&2
}

refuse() { # CODE MESSAGE...
    local code=$1; shift
    echo "flash: refused: $*" >&2
    echo "flash: nothing was written." >&2
    exit "$code"
}

image= device= yes=0 unmount=0
for arg in "$@"; do
    case "$arg" in
        --yes|-y) yes=1 ;;
        --unmount) unmount=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) usage; echo "flash: unknown option '$arg'" >&2; exit 2 ;;
        *)
            if [ -z "$image" ]; then image=$arg
            elif [ -z "$device" ]; then device=$arg
            else usage; echo "flash: too many arguments" >&2; exit 2
            fi ;;
    esac
done
if [ -z "$image" ] || [ -z "$device" ]; then
    usage
    exit 2
fi

# ---- the image -------------------------------------------------------------
if [ ! -e "$image" ]; then
    refuse 3 "image '$image' does not exist (build it first: ./build.sh)"
fi
if [ ! -f "$image" ] || [ ! -r "$image" ]; then
    refuse 3 "image '$image' is not a readable file"
fi
image_bytes=$(stat -L -c %s -- "$image")
sig=$(head -c 32774 -- "$image" 2>/dev/null | tail -c 5)
if [ "$image_bytes" -lt 32774 ] || [ "$sig" != "CD001" ]; then
    refuse 4 "'$image' is not an ISO9660 image (no 'CD001' signature at byte 32769)"
fi

# ---- the device ------------------------------------------------------------
if [ ! -e "$device" ]; then
    refuse 5 "device '$device' does not exist"
fi
if [ ! -b "$device" ]; then
    if [ "$FAKE_BLOCKDEV" = 1 ] && [ -f "$device" ]; then
        : # test mode: a regular file stands in for the device node
    else
        refuse 6 "'$device' is not a block device"
    fi
fi
devpath=$(readlink -f -- "$device")
name=$(basename -- "$devpath")

if [ -e "$SYSFS/class/block/$name/partition" ] || [ -e "$SYSFS/block/$name/partition" ]; then
    parent=$(basename "$(dirname "$(readlink -f "$SYSFS/class/block/$name")")")
    case "$parent" in
        block|class|"$name"|"") parent=$(echo "$name" | sed -E 's/p?[0-9]+$//') ;;
    esac
    refuse 7 "'$device' is a partition ($name); give the whole disk, e.g. /dev/$parent"
fi
sysdev="$SYSFS/block/$name"
if [ ! -d "$sysdev" ]; then
    refuse 8 "'$device' ($name) is not a whole disk listed in $SYSFS/block"
fi

removable=$(cat "$sysdev/removable" 2>/dev/null || echo 0)
if [ "$removable" != 1 ]; then
    refuse 9 "/dev/$name is not a removable disk ($sysdev/removable is '${removable}'); only USB sticks are written"
fi

devlink=$(readlink -f "$sysdev/device" 2>/dev/null || true)
blocklink=$(readlink -f "$sysdev" 2>/dev/null || true)
case "$devlink/ $blocklink/" in
    */usb*) ;;
    *) refuse 10 "/dev/$name is not on USB (device path: ${devlink:-unknown})" ;;
esac

# The disk and its partitions, as kernel names.
names=("$name")
for p in "$sysdev"/*/partition; do
    [ -e "$p" ] || continue
    names+=("$(basename "$(dirname "$p")")")
done
is_ours() { # NAME -> 0 when it is the disk or one of its partitions
    local n
    for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}
# Decode the octal escapes of /proc/mounts (\040 = space).
unescape() { printf '%b' "$1"; }

mounted=()      # "source mountpoint" pairs on this disk
system_mounts=()
if [ -r "$MOUNTS" ]; then
    while read -r src mnt _rest; do
        [ -n "${src:-}" ] || continue
        case "$src" in /*) ;; *) continue ;; esac
        real=$src
        [ -e "$src" ] && real=$(readlink -f -- "$src")
        n=$(basename -- "$real")
        is_ours "$n" || continue
        mnt=$(unescape "$mnt")
        mounted+=("$src on $mnt")
        case "$mnt" in
            /|/boot|/boot/efi|/efi|/usr|/var|/home) system_mounts+=("$src on $mnt") ;;
        esac
    done < "$MOUNTS"
fi
if [ -r "$SWAPS" ]; then
    while read -r src _rest; do
        case "$src" in /*) ;; *) continue ;; esac
        real=$src
        [ -e "$src" ] && real=$(readlink -f -- "$src")
        if is_ours "$(basename -- "$real")"; then system_mounts+=("$src as swap"); fi
    done < "$SWAPS"
fi
if [ ${#system_mounts[@]} -gt 0 ]; then
    refuse 11 "/dev/$name holds a system filesystem (${system_mounts[*]}); this is not a USB stick to overwrite"
fi
holders=()
for n in "${names[@]}"; do
    d="$sysdev/holders"
    [ "$n" != "$name" ] && d="$sysdev/$n/holders"
    for h in "$d"/*; do
        [ -e "$h" ] && holders+=("$n is held by $(basename "$h")")
    done
done
if [ ${#holders[@]} -gt 0 ]; then
    refuse 12 "/dev/$name is in use (${holders[*]}; LVM, dm-crypt or RAID); release it first"
fi
if [ ${#mounted[@]} -gt 0 ] && [ "$unmount" != 1 ]; then
    refuse 12 "/dev/$name has mounted partitions (${mounted[*]}); unmount them first, or pass --unmount"
fi

sectors=$(cat "$sysdev/size" 2>/dev/null || echo 0)
case "$sectors" in ''|*[!0-9]*) sectors=0 ;; esac
disk_bytes=$((sectors * 512))
if [ "$disk_bytes" -eq 0 ]; then
    refuse 13 "/dev/$name has no medium (size 0)"
fi
if [ "$disk_bytes" -lt "$image_bytes" ]; then
    refuse 13 "/dev/$name ($disk_bytes bytes) is smaller than the image ($image_bytes bytes)"
fi

if [ "$DRY_RUN" != 1 ] && [ ! -w "$device" ]; then
    refuse 16 "no permission to write '$device' (run as root, e.g. with sudo)"
fi

# ---- confirm ---------------------------------------------------------------
trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' ; }
vendor=$(cat "$sysdev/device/vendor" 2>/dev/null | trim)
model=$(cat "$sysdev/device/model" 2>/dev/null | trim)
human() { # BYTES -> e.g. 14.9 GiB
    awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u, " "); i = 1;
        while (b >= 1024 && i < 5) { b /= 1024; i++ }
        printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}
echo "Image:  $image ($(human "$image_bytes"), ISO9660)"
echo "Device: $device (/dev/$name): ${vendor:+$vendor }${model:-unknown model}, $(human "$disk_bytes"), removable USB disk"
if [ ${#mounted[@]} -gt 0 ]; then
    echo "Mounted, will be unmounted: ${mounted[*]}"
fi
echo "EVERYTHING ON /dev/$name WILL BE OVERWRITTEN."
if [ "$yes" != 1 ]; then
    printf "Type 'yes' to write the image: "
    answer=
    read -r answer || true
    [ -t 0 ] || echo
    if [ "$answer" != yes ]; then
        echo
        echo "flash: aborted (answer was '${answer}'); nothing was written." >&2
        exit 14
    fi
fi

run() {
    if [ "$DRY_RUN" = 1 ]; then
        echo "DRY RUN: $*"
    else
        "$@"
    fi
}

# ---- unmount (only what --unmount allowed), write, sync ---------------------
if [ ${#mounted[@]} -gt 0 ]; then
    for m in "${mounted[@]}"; do
        src=${m%% on *}
        if ! run umount -- "$src"; then
            echo "flash: could not unmount $src; nothing was written." >&2
            exit 15
        fi
    done
fi

echo "Writing $image to $device ..."
if ! run dd if="$image" of="$device" bs=4M conv=fsync oflag=direct status=progress; then
    echo "flash: dd failed; the stick is probably unusable now, write it again." >&2
    exit 1
fi
if ! run sync; then
    echo "flash: sync failed" >&2
    exit 1
fi
if [ "$DRY_RUN" = 1 ]; then
    echo "Dry run: nothing was written."
else
    echo "Done: $device now holds $(basename -- "$image"). It boots under BIOS and UEFI; remove the stick."
fi
exit 0
