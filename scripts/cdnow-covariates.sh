#!/usr/bin/env bash
# Covariates of the CDNOW customers from their first purchase day (EXTENSIONS.md §1; the
# covariates example of docs/covariates.md): multi_cd = 1 when that day's CDs (rows of the day
# summed) are 2 or more, log_first_amount = ln(1 + that day's dollars).
#   scripts/cdnow-covariates.sh datasets/cdnow_sample.csv > covariates.csv
set -euo pipefail
echo "customer_id,multi_cd,log_first_amount"
awk -F, 'NR == 1 { next }
  !($1 in first) || $2 < first[$1] { first[$1] = $2; cds[$1] = 0; amount[$1] = 0 }
  $2 == first[$1] { cds[$1] += $3; amount[$1] += $4 }
  END { for (id in first) printf "%s,%d,%.12g\n", id, (cds[id] >= 2), log(1 + amount[id]) }' "$1" | sort -t, -k1,1n
