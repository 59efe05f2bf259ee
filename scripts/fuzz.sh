#!/usr/bin/env bash
# `make fuzz` and `make fuzz-merge` (docs/fuzzing.md).
#
#   scripts/fuzz.sh run BINARY SECONDS [TARGET...]   fuzz each target for SECONDS
#   scripts/fuzz.sh merge BINARY [TARGET...]         minimise the committed corpus with what runs found
#
# Inputs: Tests/Fuzz/corpus/<target>/ (committed, read only while fuzzing) and
# Tests/Fuzz/crashes/<target>/ (every input that ever crashed, read only). New corpus entries go
# to .build-fuzz/out/corpus/<target>/, crashes to .build-fuzz/out/artifacts/<target>/, logs to
# .build-fuzz/out/<target>.log. `run` fails when any target crashed (or leaked, timed out, ran
# out of memory).
set -u
mode=$1 bin=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build-fuzz/out
all_targets="transaction-log summary model-file date number"
mkdir -p "$out"

case $mode in
run)
    seconds=$1; shift
    targets=${*:-$all_targets}
    failed=""
    summary=""
    for t in $targets; do
        mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
        dirs=("$out/corpus/$t" "$root/Tests/Fuzz/corpus/$t")
        [ -d "$root/Tests/Fuzz/crashes/$t" ] && dirs+=("$root/Tests/Fuzz/crashes/$t")
        echo "== fuzzing $t for ${seconds}s (log: $out/$t.log)"
        # -timeout: seconds per input (a hang is a finding); -rss_limit_mb: ASan's shadow and
        # quarantine take a few hundred MB of it.
        SWIFT_BACKTRACE=enable=no CLVFIT_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" "${dirs[@]}" >"$out/$t.log" 2>&1
        status=$?
        units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log")
        added=$(sed -n 's/^stat::new_units_added: *//p' "$out/$t.log")
        cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -1)
        if [ $status -ne 0 ]; then
            failed="$failed $t"
            echo "!! $t: exit status $status; the input is in $out/artifacts/$t/:"
            grep -E 'ERROR|fuzz invariant|Fatal error|SUMMARY|Test unit written' "$out/$t.log" | head -8
        fi
        summary="$summary$(printf '%-16s %10s %10s %8s  %s %s' "$t" "${units:-?}" "${rate:-?}" "${added:-?}" "${cov:-}" "$([ $status -ne 0 ] && echo CRASHED)")\n"
    done
    echo
    printf '%-16s %10s %10s %8s  %s\n' target executions "exec/s" "new" "coverage"
    printf "$summary"
    if [ -n "$failed" ]; then
        echo "fuzzing found crashes in:$failed (see docs/fuzzing.md: add the input to Tests/Fuzz/crashes/<target>/ and fix)" >&2
        exit 1
    fi
    ;;
merge)
    targets=${*:-$all_targets}
    for t in $targets; do
        merged=$(mktemp -d)
        dirs=("$root/Tests/Fuzz/corpus/$t")
        [ -d "$out/corpus/$t" ] && dirs+=("$out/corpus/$t")
        SWIFT_BACKTRACE=enable=no CLVFIT_FUZZ_TARGET=$t "$bin" -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=4096 "$merged" "${dirs[@]}" >"$out/$t.merge.log" 2>&1 \
            || { echo "merge of $t failed (see $out/$t.merge.log)" >&2; rm -rf "$merged"; exit 1; }
        rm -f "$root/Tests/Fuzz/corpus/$t"/*
        cp "$merged"/* "$root/Tests/Fuzz/corpus/$t/"
        rm -rf "$merged"
        echo "$t: $(ls "$root/Tests/Fuzz/corpus/$t" | wc -l) files, $(du -sk "$root/Tests/Fuzz/corpus/$t" | cut -f1) KB"
    done
    ;;
*)
    echo "usage: $0 run BINARY SECONDS [TARGET...] | merge BINARY [TARGET...]" >&2
    exit 2
    ;;
esac
