# Turns `nm -n --defined-only kernel.elf` output into the .ksymtab section
# (nasm source) that kernel/core/Symbols.cs reads:
#   dq count
#   count x { dq address; dq offset of the name from ksymtab_start }
#   NUL-terminated names
# Only code and data symbols are kept: their addresses do not move when the
# table is added (it lies after them), unlike .bss symbols.
$2 ~ /^[TtRrDd]$/ && $3 !~ /"/ && $3 !~ /^ksym_/ && $3 !~ /^\./ {
    addr[n] = $1; name[n] = $3; n++
}
END {
    print "section .ksymtab progbits alloc noexec nowrite align=8"
    print "global ksym_start"
    print "ksym_start:"
    printf "    dq %d\n", n
    for (i = 0; i < n; i++) printf "    dq 0x%s, ksym_n%d - ksym_start\n", addr[i], i
    for (i = 0; i < n; i++) printf "ksym_n%d: db \"%s\", 0\n", i, name[i]
}
