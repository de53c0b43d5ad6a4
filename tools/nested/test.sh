#!/bin/sh
# Test stage: xhv's Hyper-V parent against KVM's Hyper-V emulation, nested
# (docs/nested.md): L0 QEMU TCG with AMD SVM -> L1 Debian + kvm_amd -> L2
# QEMU/KVM with the hv-* flags -> build/xhv -> Debian's PV guest.
#
# One L1 boot runs every L2 scenario: two harness controls (a tiny
# non-xhv kernel writing the crash MSRs / the reset MSR: proves the
# harness sees what the xhv checks look for), then for each flag variant
# ("plain": the 12 hv-* flags; "enforce": + hv-enforce-cpuid,
# hv-spinlocks=0x1fff) three guest runs with L2 -smp 2:
#   sleep   boot to the shell marker, parent: hyperv, `time sleep 2`,
#           fork/exit work on both vCPUs, poweroff, Hyper-V call counters
#   crash   echo c > /proc/sysrq-trigger -> crash MSRs -> "Guest crashed"
#   reboot  reboot -f -> reset MSR -> KVM system event, QEMU exits 0
#
# Prints PASS:/FAIL: per check and "N passed, N failed" last (exit 1 on any
# failure). When the L1 image cannot be built here (no root, no space, no
# mirror, debootstrap fails): a loud "SKIP: ..." and "0 passed, 0 failed".
# Logs: build/nested/serial.log (all levels, host timestamps),
# build/nested/share/out/<scenario>.log (one L2 run each).
#
# Environment: XHV (the shim, build/xhv), XHV_NESTED_SMP (L2 vCPUs, 2), XHV_NESTED_MEM (L2 MiB, 512),
# XHV_NESTED_L2_TIMEOUT (s per L2 run, 300; one retry on timeout),
# XHV_NESTED_DEADLINE (s for the whole run, 900), XHV_NESTED_APPEND (xhv's
# command line, "console=com1"), XHV_NESTED_FILTER (regex on scenario names).

# ---- What the shim prints; adjust here when the driver's wording changes.
# The parent line of a shim that uses its Hyper-V driver (grep -E, on lines
# with the "(xhv) " prefix) ...
HV_PARENT_RE='^\(xhv\) parent: hyperv'
# ... and what on such a line (or anywhere) says the driver is not in use.
HV_NATIVE_RE='native ops|no Hyper-V driver'
# The first line of the Hyper-V call counters printed at poweroff (grep -Ei).
HV_COUNTERS_RE='hv calls|hyper-v calls|hyper-v call counters|hypercalls to hyper-v'
# The counter block is the (at most HV_COUNTERS_LINES) lines after that
# header, up to a line matching HV_COUNTERS_END_RE (grep -Ei; the Xen
# census, which names set_timer_op, must not count).
HV_COUNTERS_END_RE='hypercall census|hypercalls: [0-9]+ in all'
HV_COUNTERS_LINES=40
# Each of these (';;'-separated regexes, any case) must occur on a line of
# the block whose first number after the match (a decimal number standing
# alone: the count) is >= 1: synthetic timer programming, cluster IPIs,
# flush hypercalls (drivers/hyperv/counters.c's wording; its "native
# fallback" lines must not match).
HV_COUNTERS_WANT='STIMER0?_COUNT writes;;ClusterIpi;;FlushVirtualAddress'
# -------------------------------------------------------------------------

cd "$(dirname "$0")/../.." || exit 1
HV_FLAGS="hv-relaxed,hv-vpindex,hv-time,hv-synic,hv-stimer,hv-stimer-direct"
HV_FLAGS="$HV_FLAGS,hv-tlbflush,hv-ipi,hv-crash,hv-reset,hv-frequencies,hv-runtime"
HV_ENFORCE="$HV_FLAGS,hv-enforce-cpuid,hv-spinlocks=0x1fff"
smp=${XHV_NESTED_SMP:-2}
mem=${XHV_NESTED_MEM:-512}
l2_timeout=${XHV_NESTED_L2_TIMEOUT:-300}
deadline=${XHV_NESTED_DEADLINE:-900}
xhv_append=${XHV_NESTED_APPEND:-console=com1}
guest_append="console=hvc0 earlyprintk=xen"
nd=build/nested
share=$nd/share
res=$share/out

passed=0
failed=0
pass() {
    echo "PASS: $1${2:+ ($2)}"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL: $1${2:+ ($2)}"
    failed=$((failed + 1))
}
check() {   # check NAME DETAIL COMMAND...: PASS when the command succeeds
    n=$1
    d=$2
    shift 2
    if "$@"; then pass "$n" "$d"; else fail "$n" "$d"; fi
}
finish() {
    [ "$failed" -eq 0 ] ||
        echo "nested: logs: $nd/serial.log (all levels), $res/<scenario>.log (one L2 run each)"
    echo "nested: stage took $(($(date +%s) - stage_start)) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
stage_start=$(date +%s)
mkdir -p "$nd"

xhv=${XHV:-build/xhv}
if [ ! -f "$xhv" ]; then
    fail nested/build "no $xhv"
    finish
fi

# ---- The L1 image (cached; ~1-5 min the first time).
tools/nested/build-l1.sh >"$nd/image" 2>"$nd/build-l1.err"
rc=$?
cat "$nd/build-l1.err" >&2
if [ "$rc" -eq 77 ]; then
    why=$(sed -n 's/.*CANNOT BUILD the nested L1 image: //p' "$nd/build-l1.err" | head -n 1)
    echo "************************************************************"
    echo "SKIP: nested Hyper-V tests NOT RUN: ${why:-the L1 image cannot be built}"
    echo "************************************************************"
    echo "0 passed, 0 failed"
    exit 0
elif [ "$rc" -ne 0 ]; then
    fail nested/image "tools/nested/build-l1.sh exit status $rc"
    finish
fi
image=$(cat "$nd/image")
echo "nested: L1 image $image"

# ---- The harness's control kernels.
for v in crash reset; do
    def=
    [ "$v" = crash ] && def="--defsym CRASH=1"
    # shellcheck disable=SC2086
    if ! { as --32 $def tools/nested/hvctl.S -o "$nd/hvctl-$v.o" &&
        ld -m elf_i386 -Ttext 0x100000 -e _start -o "$nd/hvctl-$v.elf" "$nd/hvctl-$v.o"; }; then
        fail nested/hvctl "cannot assemble tools/nested/hvctl.S"
        finish
    fi
done

# ---- The scenario list (fields: tools/nested/l1.sh).
scen=$nd/scenarios
{
    echo "harness-crash|60|1|128|$HV_FLAGS|hvctl-crash.elf|-|-|-trace kvm_run_exit"
    echo "harness-reset|60|1|128|$HV_FLAGS|hvctl-reset.elf|-|-|-trace kvm_run_exit"
    for v in plain enforce; do
        flags=$HV_FLAGS
        [ "$v" = enforce ] && flags=$HV_ENFORCE
        echo "$v-sleep|$l2_timeout|$smp|$mem|$flags|xhv|$xhv_append|$guest_append xhvtest=sleep|"
        echo "$v-crash|$l2_timeout|$smp|$mem|$flags|xhv|$xhv_append|$guest_append xhvtest=crash|-trace kvm_run_exit"
        echo "$v-reboot|$l2_timeout|$smp|$mem|$flags|xhv|$xhv_append|$guest_append xhvtest=reboot|-trace kvm_run_exit"
    done
} | if [ -n "${XHV_NESTED_FILTER:-}" ]; then grep -E "^[^|]*(${XHV_NESTED_FILTER})"; else cat; fi >"$scen"

# ---- Run: L0 -> L1 -> every L2 scenario.
tools/nested/run.py --image "$image" --scenarios "$scen" --deadline "$deadline" --xhv "$xhv" \
    --file "$nd/hvctl-crash.elf" --file "$nd/hvctl-reset.elf"
rc=$?
[ "$rc" -eq 0 ] || echo "nested: run.py exit status $rc (L1 did not finish; see $nd/serial.log)"

# ---- Checks.
# log NAME: L2's output of a scenario, without carriage returns.
log() { tr -d '\r' <"$res/$1.log" 2>/dev/null; }
val() { cat "$res/$1.$2" 2>/dev/null; }
has() { log "$1" | grep -aEq -- "$2"; }
mark() { awk -v k="$2" '$1 == k { print $2 }' "$res/$1.marks" 2>/dev/null | tail -n 1; }
# ran NAME CHECK: the scenario has a result; else one FAIL for CHECK.
ran() {
    rc=$(val "$1" rc)
    if [ -z "$rc" ]; then
        fail "nested/$2" "scenario $1 has no result (L1 hung or deadline; $nd/serial.log)"
        return 1
    fi
    if [ "$rc" = 137 ]; then
        fail "nested/$2" "scenario $1 killed by the ${l2_timeout}s timeout twice ($res/$1.log)"
        return 1
    fi
    return 0
}
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; }
crash_params() { log "$1" | grep -aEo 'HV crash parameters: \(((0|0x[0-9a-f]+) ){4}(0|0x[0-9a-f]+)\)' | head -n 1; }

# The harness itself: KVM/QEMU in L1 report the crash and reset MSRs.
want_filter() { [ -z "${XHV_NESTED_FILTER:-}" ] || printf '%s' "$1" | grep -Eq "${XHV_NESTED_FILTER}"; }
if want_filter harness-crash && ran harness-crash harness/crash-msr; then
    p=$(crash_params harness-crash)
    d="control kernel: exit status $(val harness-crash rc), ${p:-no HV crash parameters}"
    if [ "$(val harness-crash rc)" = 1 ] && [ "$p" = "HV crash parameters: (0x11 0x22 0x33 0x44 0x55)" ]; then
        pass nested/harness/crash-msr "$d"
    else
        fail nested/harness/crash-msr "$d"
    fi
fi
if want_filter harness-reset && ran harness-reset harness/reset-msr; then
    ev=$(val harness-reset sysevents)
    d="control kernel: exit status $(val harness-reset rc), KVM system-event exits/all exits ${ev:-?}"
    if [ "$(val harness-reset rc)" = 0 ] && [ "${ev%% *}" -ge 1 ] 2>/dev/null; then
        pass nested/harness/reset-msr "$d"
    else
        fail nested/harness/reset-msr "$d"
    fi
fi

for v in plain enforce; do
    s=$v-sleep
    if want_filter "$s" && ran "$s" "$v/boot"; then
        check "nested/$v/boot" "guest /init and the shell marker in L2 (-smp $smp)" \
            has "$s" '^xhv-guest# '
        n=$(log "$s" | sed -n 's/^xhv-guest: \/init reached (.*, \([0-9]*\) vCPUs)$/\1/p' | head -n 1)
        check "nested/$v/guest-vcpus" "the guest sees ${n:-?} vCPUs, L2 has $smp" [ "$n" = "$smp" ]
        check "nested/$v/hyperv-detected" "$(log "$s" | grep -a '^(xhv) parent: ' | tail -n 1)" \
            has "$s" '^\(xhv\) parent: hyperv'
        line=$(log "$s" | grep -aE "$HV_PARENT_RE" | tail -n 1)
        if [ -n "$line" ] && ! printf '%s' "$line" | grep -Eq "$HV_NATIVE_RE" &&
            ! log "$s" | grep -aEq "$HV_NATIVE_RE"; then
            pass "nested/$v/hyperv-driver" "$line"
        else
            fail "nested/$v/hyperv-driver" "${line:-no parent: hyperv line}: the Hyper-V driver is not in use"
        fi
        g=$(log "$s" | sed -n 's/.*real[[:space:]]*\([0-9]*\)m[[:space:]]*\([0-9.]*\)s.*/\1 \2/p' |
            head -n 1 | awk '{ printf "%.2f", $1 * 60 + $2 }')
        check "nested/$v/sleep2-guest" "guest's time says ${g:-nothing} s, want 2 +-0.3" \
            within "$g" 1.7 2.3
        b=$(mark "$s" sleep-begin)
        e=$(mark "$s" sleep-end)
        h=$(awk -v b="$b" -v e="$e" 'BEGIN { if (b != "" && e != "") printf "%.2f", e - b }')
        check "nested/$v/sleep2-host" "host clock between the marks ${h:-?} s, want 1.7-2.5" \
            within "$h" 1.7 2.5
        d="exit status $(val "$s" rc) after 'shut down: poweroff'"
        if [ "$(val "$s" rc)" = 0 ] && has "$s" 'shut down: poweroff'; then
            pass "nested/$v/poweroff" "$d"
        else
            fail "nested/$v/poweroff" "$d"
        fi
        check "nested/$v/census" "Xen hypercall census at shutdown" has "$s" 'Hypercalls: [0-9]+ in all'
        hdr=$(log "$s" | grep -aEi -- "$HV_COUNTERS_RE" | head -n 1)
        check "nested/$v/hv-counters" "${hdr:-no line matching /$HV_COUNTERS_RE/}" [ -n "$hdr" ]
        if [ -n "$hdr" ]; then
            block=$(log "$s" | awk -v re="$HV_COUNTERS_RE" -v stop="$HV_COUNTERS_END_RE" \
                -v n="$HV_COUNTERS_LINES" '
                !on && tolower($0) ~ tolower(re) { on = 1; left = n; next }
                on && tolower($0) ~ tolower(stop) { exit }
                on && left-- > 0 { print }')
            missing=$(printf '%s\n' "$block" | awk -v want="$HV_COUNTERS_WANT" '
                { line[NR] = $0 }
                END {
                    n = split(want, w, /;;/)
                    for (i = 1; i <= n; i++) {
                        ok = 0
                        for (j = 1; j <= NR && !ok; j++) {
                            if (!match(tolower(line[j]), tolower(w[i])))
                                continue
                            k = split(substr(line[j], RSTART + RLENGTH), t, /[ \t]+/)
                            for (m = 1; m <= k; m++)
                                if (t[m] ~ /^[0-9]+$/) { ok = (t[m] + 0 >= 1); break }
                        }
                        if (!ok) printf " %s", w[i]
                    }
                }')
            check "nested/$v/hv-counters-used" \
                "${missing:+no non-zero count for:$missing; }want ${HV_COUNTERS_WANT}" [ -z "$missing" ]
        else
            fail "nested/$v/hv-counters-used" "no counters printed"
        fi
    fi

    s=$v-crash
    if want_filter "$s" && ran "$s" "$v/crash"; then
        check "nested/$v/crash-guest" "guest ran sysrq-c" has "$s" 'sysrq: Trigger a crash'
        p=$(crash_params "$s")
        rc=$(val "$s" rc)
        why="exit status $rc"
        [ "$rc" = 7 ] && why="exit status 7: the shim reported the crash through isa-debug-exit, not the crash MSRs"
        d="$why; ${p:-no 'HV crash parameters'}"
        if [ "$rc" = 1 ] && has "$s" 'Guest crashed' && [ -n "$p" ] &&
            printf '%s' "$p" | grep -q 0x; then
            pass "nested/$v/crash-msr" "$d"
        else
            fail "nested/$v/crash-msr" "$d"
        fi
    fi

    s=$v-reboot
    if want_filter "$s" && ran "$s" "$v/reboot"; then
        check "nested/$v/reboot-guest" "guest ran reboot -f, shim saw SHUTDOWN_reboot" \
            has "$s" 'shut down: reboot'
        ev=$(val "$s" sysevents)
        d="exit status $(val "$s" rc), KVM system-event exits/all exits ${ev:-?}"
        if [ "$(val "$s" rc)" = 0 ] && [ "${ev%% *}" -ge 1 ] 2>/dev/null; then
            pass "nested/$v/reboot-msr" "$d"
        else
            fail "nested/$v/reboot-msr" "$d; no system event: the reset did not go through the reset MSR"
        fi
    fi
done

# Timing summary for the log.
for f in "$res"/*.secs; do
    [ -f "$f" ] || continue
    n=${f##*/}
    n=${n%.secs}
    w=$(awk -v b="$(mark "$n" work-begin)" -v e="$(mark "$n" work-end)" \
        'BEGIN { if (b != "" && e != "") printf ", fork/exit work %.1f s", e - b }')
    echo "nested: $n: $(cat "$f") s in L2, exit status $(cat "$res/$n.rc")$w"
done
finish
