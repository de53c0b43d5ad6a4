#!/bin/sh
# Run host unit-test binaries; each prints "N passed, N failed" last.
# Prints one summary line of the same form; exits non-zero on any failure.
# A binary that crashes or prints no summary counts as one failure.
passed=0
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    log=$(mktemp)
    "$bin" >"$log" 2>&1
    rc=$?
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$summary" ]; then
        echo "FAIL: unit/$name (no summary line, exit $rc)"
        tail -n 30 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    else
        p=${summary%% passed*}
        f=${summary#*, }; f=${f%% failed*}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1
            echo "FAIL: unit/$name exited $rc"
            tail -n 30 "$log" | sed 's/^/    /'
        fi
        [ "$f" -ne 0 ] && grep -E '^(FAIL|  check failed)' "$log" | sed "s|^|    $name: |"
        echo "unit/$name: $p passed, $f failed"
        passed=$((passed + p))
        failed=$((failed + f))
    fi
    rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
