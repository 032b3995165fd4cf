# Sourced by the guest tests (POSIX sh): Debian's kernel from the cache and
# a busybox initramfs holding ccnc-agent, iproute2's ip, some modules and an
# /init.  Whatever is missing ends the test with 77 and the reason.
#   guest_kernel                  sets vmlinuz, kver (fetches with CCNC_GUEST_FETCH=1)
#   guest_initrd INIT OUT MODULE...   writes the initramfs OUT (uses $tmp)
# Needs top (the source tree) and agent (the ccnc-agent to put in).

kdir=${CCNC_GUEST_KERNEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccnc/guest-kernel/root}

guest_kernel() {
    vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
    if [ -z "$vmlinuz" ] && [ "${CCNC_GUEST_FETCH:-}" = 1 ] && [ -z "${CCNC_GUEST_KERNEL_DIR:-}" ]; then
        "$top/tests/guest/fetch-kernel.sh" >/dev/null && vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -1)
    fi
    if [ -z "$vmlinuz" ]; then
        echo "SKIP: no guest kernel in $kdir (run tests/guest/fetch-kernel.sh, set CCNC_GUEST_FETCH=1 to let the test run it, or set CCNC_GUEST_KERNEL_DIR)"
        exit 77
    fi
    kver=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
}

# a program and the shared libraries ldd lists for it, into the tree $1
guest_copy_prog() { # ROOT PROGRAM DEST
    cp "$2" "$1/$3"
    ldd "$2" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
        while read -r lib; do
            mkdir -p "$1$(dirname "$lib")"
            cp -L "$lib" "$1$lib"
        done
}

guest_initrd() { # INIT OUT MODULE...
    _init=$1 _out=$2
    shift 2
    [ -x "$agent" ] || { echo "SKIP: no ccnc-agent at $agent"; exit 77; }
    _busybox=$(command -v busybox) || { echo "SKIP: no busybox"; exit 77; }
    case $(file -L "$_busybox" 2>/dev/null) in
    *statically*) ;;
    *) echo "SKIP: $_busybox is not statically linked (install busybox-static)"; exit 77 ;;
    esac
    _ip=$(command -v ip) || { echo "SKIP: no ip (iproute2)"; exit 77; }
    _r=$tmp/initrd
    mkdir -p "$_r/bin" "$_r/sbin" "$_r/usr/bin" "$_r/lib/modules" "$_r/proc" "$_r/sys" \
        "$_r/dev" "$_r/tmp"
    cp "$_busybox" "$_r/bin/busybox"
    for _app in sh mount insmod sleep grep sed mkfifo poweroff cat ls readlink wc tr awk head \
        cut seq; do
        ln -s busybox "$_r/bin/$_app"
    done
    guest_copy_prog "$_r" "$agent" usr/bin/ccnc-agent
    guest_copy_prog "$_r" "$_ip" sbin/ip
    for _f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
        [ -e "$_f" ] && { mkdir -p "$_r$(dirname "$_f")"; cp -L "$_f" "$_r$_f"; }
    done
    for _m in "$@"; do
        _f=$(find "$kdir/lib/modules/$kver" -name "$_m.ko*" | head -1)
        [ -n "$_f" ] || { echo "SKIP: no $_m module in $kdir"; exit 77; }
        case $_f in
        *.xz) xz -dc "$_f" >"$_r/lib/modules/$_m.ko" ;;
        *.zst) zstd -dcq "$_f" >"$_r/lib/modules/$_m.ko" ;;
        *) cp "$_f" "$_r/lib/modules/$_m.ko" ;;
        esac
    done
    cp "$_init" "$_r/init"
    chmod +x "$_r/init"
    (cd "$_r" && find . | cpio -o -H newc --quiet | gzip -1) >"$_out" || exit 99
}
