#!/usr/bin/env bash
# `make demo`: the whole clvfit pipeline on the CDNOW 1/10 sample (2,357 customers, 1997–98):
# summarize → train → score → evaluate, printing what each step produces.
set -euo pipefail
clvfit=${1:-.build/release/clvfit}
cd "$(dirname "$0")/.."
out=.build/demo
mkdir -p "$out"
data=datasets/cdnow_sample.csv
split=(--unit week --calibration-end 1997-09-30 --observation-end 1998-06-30)

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step clvfit summarize $data "${split[@]}" -o $out/summary.csv
"$clvfit" summarize $data "${split[@]}" -o $out/summary.csv
head -5 $out/summary.csv
echo "… $(($(wc -l < $out/summary.csv) - 1)) customers"

step clvfit train $data "${split[@]}" -o $out/model.json
"$clvfit" train $data "${split[@]}" -o $out/model.json

step clvfit score --model $out/model.json --summary $out/summary.csv --horizon 12 --horizon-unit month -o $out/scores.csv
"$clvfit" score --model $out/model.json --summary $out/summary.csv --horizon 12 --horizon-unit month -o $out/scores.csv
head -6 $out/scores.csv
echo "… top 5 customers by 12-month CLV:"
tail -n +2 $out/scores.csv | sort -t, -k5 -g -r > $out/top.csv
head -5 $out/top.csv

step clvfit evaluate $data "${split[@]}" --report $out/report.html
"$clvfit" evaluate $data "${split[@]}" --report "$out/report.html"

step clvfit train $data --unit week -o $out/model-all.json
"$clvfit" train $data --unit week -o $out/model-all.json

step clvfit report --model $out/model-all.json $data --unit week --currency USD -o $out/customer-base.html --segments $out/segments.csv
"$clvfit" report --model $out/model-all.json $data --unit week --currency USD -o $out/customer-base.html --segments $out/segments.csv 2>/dev/null
echo "customer-base.html: $(grep -o '<h1>[^<]*' $out/customer-base.html | cut -c5-), as the model trained on all the data sees it; customers by segment:"
cut -d, -f2 $out/segments.csv | tail -n +2 | sort | uniq -c

printf '\nOutputs are in %s/ (summary.csv, model.json, scores.csv, report.html — the evaluation — and customer-base.html — the production report: open them in a browser).\n' "$out"
