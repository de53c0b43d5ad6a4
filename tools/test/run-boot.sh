#!/bin/sh
# Run the boot tests of a matrix file (see tests/boot/matrix for the
# format). Logs go to build/boot/<name>.log. Prints PASS/FAIL per row and a
# final "N passed, N failed"; exits non-zero on any failure.
# BOOT_FILTER=<regex> runs only the matching names; BOOT_GROUP (default tcg)
# selects the group.
matrix=$1
xhv=${XHV:-build/xhv}
group=${BOOT_GROUP:-tcg}
mkdir -p build/boot
passed=0
failed=0
kernel=""

trim() { printf '%s' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }

# all_match LOG PATTERNS: every ';;'-separated regex occurs in LOG; else
# sets $missing to the first that does not.
all_match() {
    rest=$2
    while [ -n "$rest" ]; do
        pat=${rest%%;;*}
        if [ "$pat" = "$rest" ]; then rest=""; else rest=${rest#*;;}; fi
        pat=$(trim "$pat")
        [ -z "$pat" ] && continue
        if ! tr -d '\r' <"$1" 2>/dev/null | grep -aEq -- "$pat"; then
            missing=$pat
            return 1
        fi
    done
    return 0
}

while IFS= read -r line; do
    case "$line" in ''|'#'*) continue ;; esac
    name=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $1}')")
    grp=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $2}')")
    smp=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $3}')")
    mem=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $4}')")
    tmo=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $5}')")
    want=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $6}')")
    append=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $7}')")
    expect=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $8}')")
    extra=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $9}')")
    modules=$(trim "$(printf '%s' "$line" | awk -F' [|] ' '{print $10}')")
    [ "$extra" = "-" ] && extra=""
    [ "$grp" = "$group" ] || continue
    if [ -n "$BOOT_FILTER" ] && ! printf '%s' "$name" | grep -Eq "$BOOT_FILTER"; then
        continue
    fi
    log="build/boot/$name.log"
    case "$modules" in
    *@KERNEL@*)
        if [ -z "$kernel" ]; then
            kernel=$(tools/fetch-kernel.sh) || kernel=""
        fi
        if [ -z "$kernel" ]; then
            echo "FAIL: boot/$name: cannot fetch Debian's kernel"
            failed=$((failed + 1))
            continue
        fi
        modules=$(printf '%s' "$modules" | sed "s|@KERNEL@|$kernel|g") ;;
    esac
    case "$modules" in
    *@INITRAMFS@*)
        initramfs=$(tools/mkinitramfs.sh) || initramfs=""
        modules=$(printf '%s' "$modules" | sed "s|@INITRAMFS@|$initramfs|g") ;;
    esac
    set --
    [ -n "$modules" ] && set -- -initrd "$modules"
    cpu="-cpu qemu64"
    case "$extra" in *-cpu*) cpu="" ;; esac
    start=$(date +%s)
    # shellcheck disable=SC2086
    timeout -s KILL "$tmo" qemu-system-x86_64 -machine pc,accel=tcg $cpu \
        -m "$mem" -smp "$smp" -nodefaults -display none -no-reboot \
        -serial "file:$log" -monitor none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$xhv" -append "$append" "$@" $extra </dev/null >"$log.qemu" 2>&1 &
    qpid=$!
    why=""
    if [ "$want" = "match" ]; then
        # Pass as soon as every pattern is in the log; then stop QEMU.
        while kill -0 "$qpid" 2>/dev/null; do
            if all_match "$log" "$expect"; then
                kill -KILL "$qpid" 2>/dev/null
                break
            fi
            sleep 1
        done
        wait "$qpid" 2>/dev/null
        all_match "$log" "$expect" || why="missing /$missing/ (exit status or timeout before it)"
    else
        wait "$qpid"
        rc=$?
        if [ "$rc" -eq 137 ]; then
            why="timed out after ${tmo}s"
        elif [ "$rc" -ne "$want" ]; then
            why="exit status $rc, expected $want"
        fi
        if [ -z "$why" ] && ! all_match "$log" "$expect"; then
            why="missing /$missing/"
        fi
    fi
    secs=$(($(date +%s) - start))
    if [ -z "$why" ]; then
        echo "PASS: boot/$name (${secs}s)"
        passed=$((passed + 1))
    else
        echo "FAIL: boot/$name: $why (log: $log)"
        tail -n 15 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done <"$matrix"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
