#!/bin/sh
# Build the nested harness's guest initramfs (the PV guest inside L2):
# Debian's static busybox and an /init that runs a scripted scenario
# chosen by "xhvtest=<name>" on the guest's command line, through an
# interactive shell (so its prompt, the shell marker "xhv-guest# ", shows
# up as in tools/test/guest-shell.py):
#
#   xhvtest=sleep   `time sleep 2` (the guest's clock), `sleep 2` between
#                   two marks (the host's clock), short-lived processes on
#                   every vCPU (IPIs, remote TLB flushes), poweroff
#   xhvtest=crash   panic_on_oops=1, then `echo c > /proc/sysrq-trigger`
#   xhvtest=reboot  `reboot -f`
#   (none)          a shell on the console, for interactive use
#
# Marks are lines "xhvtest: mark <label>"; tools/nested/run.py timestamps
# them with the host's clock. Output: build/nested/initramfs.cpio.gz
# (rebuilt when this script, busybox or tools/lib/initramfs.sh changes); its
# path on stdout.
set -e
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../lib/initramfs.sh
. tools/lib/initramfs.sh
out=build/nested/initramfs.cpio.gz
initramfs_need_busybox nested/mkinitramfs
if initramfs_fresh "$out" "$0"; then
    echo "$out"
    exit 0
fi
initramfs_tree root scenarios

# shellcheck disable=SC2016 # /init expands it, at boot
initramfs_init_start "$root/init" \
    '$(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPUs' <<'INIT'
# PID 1 of the nested harness's guest. busybox's poweroff/reboot/halt
# signal PID 1: honour them with the real system calls.
INIT
cat >>"$root/init" <<'INIT'
sc=$(sed -n 's/.*xhvtest=\([A-Za-z0-9_-]*\).*/\1/p' /proc/cmdline)
export PS1="xhv-guest# "
if [ -n "$sc" ]; then
    if [ -f "/scenarios/$sc" ]; then
        echo "xhvtest: scenario $sc"
        # An interactive shell reading the scenario: it prints its prompt
        # before each command, like a person at the console.
        sh -i <"/scenarios/$sc" >"$tty" 2>&1
        echo "xhvtest: scenario $sc ended without shutting down"
    else
        echo "xhvtest: no scenario '$sc'"
    fi
    echo "xhvtest: mark failed"
    poweroff -f
fi
while true; do
    setsid cttyhack sh -l <"$tty" >"$tty" 2>&1 &
    wait $!
done
INIT

cat >"$root/scenarios/sleep" <<'EOF'
time sleep 2
echo "xhvtest: mark sleep-begin"; sleep 2; echo "xhvtest: mark sleep-end"
# Short-lived processes on every vCPU (fork, exec, exit, munmap): Linux
# sends IPIs and remote TLB flushes.
echo "xhvtest: mark work-begin"
for i in 1 2 3 4 5 6 7 8; do (cat /proc/self/stat; cat /proc/self/stat) >/dev/null & done; wait
echo "xhvtest: mark work-end"
grep -E 'CPU|timer|IPI|callfunc|resched' /proc/interrupts
echo "xhvtest: mark poweroff"
poweroff -f
EOF
cat >"$root/scenarios/crash" <<'EOF'
echo 1 >/proc/sys/kernel/panic_on_oops
echo 1 >/proc/sys/kernel/sysrq
echo "xhvtest: mark crash"
echo c >/proc/sysrq-trigger
EOF
cat >"$root/scenarios/reboot" <<'EOF'
echo "xhvtest: mark reboot"
reboot -f
EOF
echo 'export PS1="xhv-guest# "' >"$root/etc/profile"
initramfs_pack "$root" "$out"
echo "$out"
