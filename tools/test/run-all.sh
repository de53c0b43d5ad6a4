#!/bin/sh
# `make test`: build, unit tests, fuzz smoke runs, boot tests. Each stage
# prints its own "N passed, N failed"; this script adds them up and ends
# with exactly one such line. A stage that cannot even build counts as one
# failure. Exit status is non-zero on any failure.
total_p=0
total_f=0

stage() {
    title=$1
    shift
    echo "==== $title"
    out=$(mktemp)
    "$@" 2>&1 | tee "$out"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "FAIL: $title produced no result"
        total_f=$((total_f + 1))
    else
        p=${summary%% passed*}
        f=${summary#*, }
        f=${f%% failed*}
        total_p=$((total_p + p))
        total_f=$((total_f + f))
    fi
    rm -f "$out"
}

build() {
    if make -s build/xhv; then
        echo "PASS: build/xhv"
        echo "1 passed, 0 failed"
    else
        echo "FAIL: build/xhv"
        echo "0 passed, 1 failed"
    fi
}

stage "build" build
# The decoder and loader tests also check Debian's real kernel when we have
# it (fetched once, cached outside the clone).
if [ -z "$XHV_TEST_VMLINUZ" ]; then
    XHV_TEST_VMLINUZ=$(tools/fetch-kernel.sh 2>/dev/null) || XHV_TEST_VMLINUZ=""
    export XHV_TEST_VMLINUZ
fi
stage "unit tests (ASan + UBSan)" make -s unit
stage "fuzz smoke runs" make -s fuzz-smoke
if [ -f build/xhv ]; then
    stage "boot tests (QEMU TCG)" make -s boot-tests
    stage "Debian guest shell under xhv (QEMU TCG)" tools/test/guest-shell.py
    # SMP: 2 and 4 vCPUs, each with 2 minutes of cross-vCPU work.
    stage "Debian guest, 2 vCPUs, cross-vCPU stress (QEMU TCG)" \
        tools/test/guest-shell.py --smp 2 --mem 768 --stress 120 --no-second-boot
    stage "Debian guest, 4 vCPUs, cross-vCPU stress (QEMU TCG)" \
        tools/test/guest-shell.py --smp 4 --mem 768 --stress 120 --no-second-boot
    stage "Hyper-V parent, nested (TCG SVM -> KVM hv-* -> xhv)" tools/nested/test.sh
fi
stage "benchmark tool smoke run (QEMU TCG, numbers not judged)" tools/bench/run --smoke

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
