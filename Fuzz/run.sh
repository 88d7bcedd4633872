#!/bin/sh
# Runs each fuzz target for a set time and fails if any of them crashed or
# broke one of its invariants (`make fuzz`; docs/fuzzing.md).
#
# usage: Fuzz/run.sh BIN_DIR SECONDS [TARGET...]
#
# FUZZ_RUNS=N (optional) also stops each target after N executions, whichever
# comes first: `FUZZ_RUNS=10000000` with a generous SECONDS is a campaign
# toward the 10-million goal. FUZZ_TIMEOUT=S (default 10) is how long one
# input may run before it counts as a hang: raise it for a run at low
# priority on a busy machine, where a starved process can stall that long.
#
# Seeds are written fresh from the repository (Fuzz/seeds.py); the corpus a
# run grows is kept in .build-fuzz/work/corpus/<target>, so later runs start
# where earlier ones stopped. Crashing inputs land in .build-fuzz/work/crashes
# and the path is printed: turn each into a regression test in the suite of
# the code that crashed. Fuzz/dictionaries/<target>.dict, if present, gives
# libFuzzer the tokens of that format (keys, keywords) to splice in.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
seconds=$2
shift 2
targets=${*:-FuzzFrameDecoder FuzzClientHello FuzzHTTPHead FuzzHTTPRequestSequence FuzzProxyV2 FuzzJoinToken FuzzControl FuzzLZ4 FuzzHomeConfig FuzzDNSMessage}
work=$root/.build-fuzz/work

rm -rf "$work/seeds"
python3 "$root/Fuzz/seeds.py" "$root" "$work/seeds" || exit 1
mkdir -p "$work/crashes" "$work/logs"

# The Swift runtime's own crash handler reads freed memory while it prints
# (an ASan report of its own): libFuzzer reports the crash instead.
export SWIFT_BACKTRACE=enable=no
# Leak checking is off: leaks are not what these targets test, and Swift's
# runtime keeps caches for the process's life that LeakSanitizer may report.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"

failed=""
printf '%-18s %10s %12s %14s %s\n' target "exec/s" executions "cov start→end" result
for target in $targets; do
    log=$work/logs/$target.log
    mkdir -p "$work/corpus/$target" "$work/seeds/$target"
    dictionary=$root/Fuzz/dictionaries/$target.dict
    [ -f "$dictionary" ] && set -- -dict="$dictionary" || set --
    # -timeout: one input taking this long is a hang, reported like a crash.
    [ -n "${FUZZ_RUNS:-}" ] && set -- "$@" -runs="$FUZZ_RUNS"
    "$bin/$target" "$@" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1 \
        -artifact_prefix="$work/crashes/$target-" \
        "$work/corpus/$target" "$work/seeds/$target" >"$log" 2>&1
    status=$?
    # Wire and NIO instrumented give tens of thousands of counters; a few
    # hundred means only the harness was, and the fuzzer is blind.
    counters=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n 1)
    if [ "$status" -eq 0 ] && [ "${counters:-0}" -lt 5000 ]; then
        echo "$target: only ${counters:-0} coverage counters; Wire was built without coverage (rm -rf .build-fuzz and rebuild)" >>"$log"
        status=99
    fi
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    start=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -n 1)
    end=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status): $(grep -m 1 -o 'Test unit written to .*\|only [0-9]* coverage counters.*' "$log" || echo "see $log")"
        failed="$failed $target"
    fi
    printf '%-18s %10s %12s %14s %s\n' "$target" "${rate:--}" "${executions:--}" "${start:-?}→${end:-?}" "$result"
done

if [ -n "$failed" ]; then
    echo "fuzzing found problems in:$failed (logs in $work/logs)"
    exit 1
fi
