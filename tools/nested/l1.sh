#!/bin/sh
# Runs inside L1 (the image of tools/nested/build-l1.sh), from the host
# folder mounted over 9p at /host, as root, by /sbin/xhv-l1-init; L1
# powers off when it returns. Copied there by tools/nested/run.py, so
# changing it needs no image rebuild.
#
# /host holds xhv, vmlinuz (the guest), initramfs.cpio.gz and "scenarios",
# one L2 run per line, fields separated by '|':
#
#   name | timeout (s) | smp | mem (MiB) | hv flags (after -cpu host,) |
#   kernel (a file in /host, normally xhv) | its command line |
#   guest command line | extra QEMU arguments (split on blanks)
#
# Each runs as
#   timeout -s KILL <timeout> qemu-system-x86_64 -accel kvm -machine pc
#     -cpu host,<flags> -m <mem> -smp <smp> -nodefaults -display none
#     -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04
#     -action panic=exit-failure -d guest_errors -D <qemu log>
#     -kernel <kernel> -append <its cmdline>
#     -initrd "vmlinuz <guest cmdline>,initramfs.cpio.gz" <extra>
# with one retry when the timeout kills it. L2's serial goes to this
# console (L1's serial, L0's stdout: one log for all levels) and to
# /host/out/<name>.log; QEMU's own log (-d/-trace) follows it there,
# except kvm_run_exit trace lines, which are only counted:
#   out/<name>.rc        L2 QEMU's exit status (137: killed by the timeout)
#   out/<name>.secs      its run time (L1's clock)
#   out/<name>.attempts  1 or 2
#   out/<name>.sysevents "<system-event exits> <exits>": KVM_EXIT_SYSTEM_EVENT
#                        and all exits to QEMU seen by -trace kvm_run_exit
# Scenarios with an out/<name>.rc from an earlier L1 boot are skipped (run.py
# boots L1 again when L1 itself hung). A scenario named "shell" runs L2 on
# the console, interactively. out/l1-done marks the end of the list;
# out/heartbeat is rewritten every 10 s while this script runs.
H=/host
out=$H/out
mkdir -p "$out"
up() { cut -d' ' -f1 /proc/uptime; }
echo "xhv-l1: ready at $(up) s"
up >>"$out/l1-ready"
# Heartbeat for run.py: a wedged L1 stops touching it (run.py then kills
# L0 and boots L1 again, which resumes with the scenarios left).
(while :; do up >"$out/heartbeat"; sleep 10; done) &
hb=$!
if [ ! -c /dev/kvm ]; then
    echo "xhv-l1: FATAL: no /dev/kvm"
    echo "no /dev/kvm" >"$out/l1-fatal"
    exit 1
fi

# L2 QEMU for one scenario; its serial on stdout, its status in /tmp/rc.
run_l2() {
    # shellcheck disable=SC2086
    timeout $fg -s KILL "$tmo" qemu-system-x86_64 -accel kvm -machine pc \
        -cpu "host${cpu:+,$cpu}" -m "$mem" -smp "$smp" -nodefaults \
        -display none -no-reboot -serial stdio \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -action panic=exit-failure -d guest_errors -D "/tmp/qemu-$name.log" \
        -kernel "$H/$kernel" -append "$xappend" \
        -initrd "$H/vmlinuz $gappend,$H/initramfs.cpio.gz" $extra
}

while IFS='|' read -r name tmo smp mem cpu kernel xappend gappend extra; do
    case $name in '' | '#'*) continue ;; esac
    if [ -f "$out/$name.rc" ]; then
        echo "xhv-l1: $name: already run in an earlier L1 boot"
        continue
    fi
    fg=
    if [ "$name" = shell ]; then
        echo "xhv-l1: begin shell (L2 on this console; poweroff in the guest ends it)"
        fg=--foreground
        run_l2 </dev/console >/dev/console 2>&1
        echo $? >"$out/$name.rc"
        continue
    fi
    attempt=1
    while :; do
        echo "xhv-l1: begin $name (attempt $attempt) at $(up) s"
        rm -f "/tmp/qemu-$name.log"
        t0=$(date +%s.%N)
        { run_l2 </dev/null; echo $? >/tmp/rc; } 2>&1 | tee "/tmp/$name.log"
        t1=$(date +%s.%N)
        rc=$(cat /tmp/rc)
        sysev=0
        exits=0
        if [ -f "/tmp/qemu-$name.log" ]; then
            exits=$(grep -c 'kvm_run_exit' "/tmp/qemu-$name.log")
            sysev=$(grep -c 'kvm_run_exit.* reason 24$' "/tmp/qemu-$name.log")
            grep -v 'kvm_run_exit' "/tmp/qemu-$name.log" | tee -a "/tmp/$name.log"
        fi
        secs=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
        echo "xhv-l1: end $name: exit status $rc after $secs s, KVM exits traced $exits, system-event exits $sysev"
        if [ "$rc" = 137 ] && [ "$attempt" = 1 ]; then
            echo "xhv-l1: $name timed out after $tmo s: retrying once"
            cp "/tmp/$name.log" "$out/$name.attempt1.log"
            attempt=2
            continue
        fi
        break
    done
    cp "/tmp/$name.log" "$out/$name.log"
    echo "$secs" >"$out/$name.secs"
    echo "$attempt" >"$out/$name.attempts"
    echo "$sysev $exits" >"$out/$name.sysevents"
    echo "$rc" >"$out/$name.rc"
    rm -f "/tmp/$name.log" "/tmp/qemu-$name.log"
done <"$H/scenarios"
kill "$hb" 2>/dev/null
echo "xhv-l1: all scenarios done at $(up) s"
up >"$out/l1-done"
