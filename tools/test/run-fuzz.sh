#!/bin/sh
# Run each libFuzzer binary for SECONDS, starting from its seed corpus
# (tests/fuzz/seeds/<name>/, if present) and a working corpus under
# build/fuzz/<name>-corpus. A crash, leak or sanitizer report is a failure.
secs=$1
shift
passed=0
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    corpus="build/fuzz/$name-corpus"
    mkdir -p "$corpus" "build/fuzz/$name-artifacts"
    seeds=""
    [ -d "tests/fuzz/seeds/$name" ] && seeds="tests/fuzz/seeds/$name"
    log="build/fuzz/$name.log"
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build/fuzz/$name-artifacts/" \
        "$corpus" $seeds >"$log" 2>&1; then
        runs=$(grep -ao 'Done [0-9]* runs' "$log" | tail -n 1)
        echo "PASS: fuzz/$name (${secs}s, ${runs:-no run count})"
        passed=$((passed + 1))
    else
        echo "FAIL: fuzz/$name (see $log)"
        grep -aE 'ERROR|SUMMARY|runtime error' "$log" | head -n 5 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
