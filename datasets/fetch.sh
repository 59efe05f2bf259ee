#!/usr/bin/env bash
# Fetch the CDNOW / donations data sets shipped in the Python package
# lifetimes==0.11.3 (MIT) from PyPI, verify them against SHA256SUMS and
# convert them to plain CSV files in this directory.
#
#   datasets/fetch.sh          (or: make datasets)
#
# Idempotent: when every output already exists and matches SHA256SUMS the
# script does nothing (no network access). Runnable from any directory.
# Needs: bash, python3 with pip (only the standard library is used for
# hashing, unzipping and conversion).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SUMS="$DIR/SHA256SUMS"
PKG="lifetimes==0.11.3"
WHEEL_PREFIX="lifetimes/datasets"
PYTHON="${PYTHON:-python3}"

# output file -> how it is made
OUTPUTS=(cdnow_master.csv cdnow_sample.csv donations.csv cdnow_customers_summary.csv example_transactions.csv)
# files taken from the wheel (path inside the wheel, all under lifetimes/datasets/)
RAW=(CDNOW_master.txt CDNOW_sample.txt donations.csv cdnow_customers_summary.csv example_transactions.csv)

die() { echo "fetch.sh: error: $*" >&2; exit 1; }
log() { echo "fetch.sh: $*" >&2; }

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
[[ -f "$SUMS" ]] || die "missing $SUMS"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{ print $1 }'
        return
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | awk '{ print $1 }'
        return
    fi
    "$PYTHON" - "$1" <<'PY'
import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
print(h.hexdigest())
PY
}

# expected_sum NAME -> the hash recorded in SHA256SUMS for NAME (exact match of
# the second field), or die.
expected_sum() {
    local name="$1" sum
    sum="$(awk -v n="$name" '$1 !~ /^#/ && NF == 2 && ($2 == n || $2 == "*" n) { print $1; exit }' "$SUMS")"
    [[ -n "$sum" ]] || die "no checksum recorded for '$name' in $SUMS"
    printf '%s\n' "$sum"
}

# check FILE NAME -> 0 if FILE's sha256 equals the recorded one for NAME
check() {
    local file="$1" name="$2" want got
    want="$(expected_sum "$name")"
    got="$(sha256_of "$file")"
    [[ "$got" == "$want" ]]
}

# every file must have a recorded checksum (dies loudly otherwise)
for out in "${OUTPUTS[@]}"; do expected_sum "$out" >/dev/null; done
for raw in "${RAW[@]}"; do expected_sum "$WHEEL_PREFIX/$raw" >/dev/null; done

# ---------------------------------------------------------------- fast path
all_ok=1
for out in "${OUTPUTS[@]}"; do
    if [[ ! -f "$DIR/$out" ]] || ! check "$DIR/$out" "$out"; then
        all_ok=0
        break
    fi
done
if [[ "$all_ok" == 1 ]]; then
    log "all outputs present and verified; nothing to do"
    exit 0
fi

# ---------------------------------------------------------------- download
TMP="$(mktemp -d "$DIR/.tmp.fetch.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

log "downloading $PKG from PyPI"
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: "$PKG" -d "$TMP/dl" >&2 \
    || die "pip download $PKG failed"

shopt -s nullglob nocaseglob
wheels=("$TMP"/dl/lifetimes-0.11.3-*.whl)
shopt -u nullglob nocaseglob
[[ ${#wheels[@]} -eq 1 ]] || die "expected exactly one lifetimes 0.11.3 wheel in $TMP/dl, found ${#wheels[@]}"
log "downloaded $(basename "${wheels[0]}")"

# unzip lifetimes/datasets/* with python's zipfile (unzip may be missing)
"$PYTHON" - "${wheels[0]}" "$TMP/raw" "$WHEEL_PREFIX" <<'PY'
import os, sys, zipfile
wheel, dest, prefix = sys.argv[1], sys.argv[2], sys.argv[3].rstrip("/") + "/"
os.makedirs(dest, exist_ok=True)
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        base = name[len(prefix):]
        if "/" in base or base in ("", ".", ".."):
            continue
        with z.open(info) as src, open(os.path.join(dest, base), "wb") as dst:
            dst.write(src.read())
        n += 1
if n == 0:
    sys.exit("no files under %s in %s" % (prefix, wheel))
PY

# ---------------------------------------------------------------- verify raw
bad=0
for raw in "${RAW[@]}"; do
    f="$TMP/raw/$raw"
    if [[ ! -f "$f" ]]; then
        log "MISSING in wheel: $WHEEL_PREFIX/$raw"; bad=1; continue
    fi
    want="$(expected_sum "$WHEEL_PREFIX/$raw")"
    got="$(sha256_of "$f")"
    if [[ "$got" != "$want" ]]; then
        log "CHECKSUM MISMATCH for $WHEEL_PREFIX/$raw: expected $want, got $got"; bad=1
    fi
done
[[ "$bad" == 0 ]] || die "downloaded data does not match $SUMS; refusing to continue"
log "raw files verified"

# ---------------------------------------------------------------- convert
mkdir -p "$TMP/out"
"$PYTHON" - "$TMP/raw" "$TMP/out" <<'PY'
import datetime, os, re, shutil, sys

raw, out = sys.argv[1], sys.argv[2]
AMOUNT = re.compile(r"^[0-9]+\.[0-9]{2}$")

def fail(msg):
    sys.exit("conversion error: " + msg)

def iso(yyyymmdd, where):
    if not re.fullmatch(r"[0-9]{8}", yyyymmdd):
        fail("%s: bad date %r" % (where, yyyymmdd))
    try:
        d = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        fail("%s: bad date %r" % (where, yyyymmdd))
    return d.isoformat()

def uint(s, where, what):
    if not re.fullmatch(r"[0-9]+", s):
        fail("%s: bad %s %r" % (where, what, s))
    return str(int(s))  # strips leading zeros

def convert(src, dst, id_col, ncols, has_header):
    with open(os.path.join(raw, src), "r", encoding="ascii", newline="") as f:
        lines = f.read().splitlines()
    if has_header:
        if lines[0].split() != ["customer_id", "date", "number_of_cds", "dollar_value"]:
            fail("%s: unexpected header %r" % (src, lines[0]))
        lines = lines[1:]
    rows = []
    for i, line in enumerate(lines, start=2 if has_header else 1):
        if not line.strip():
            continue
        where = "%s line %d" % (src, i)
        cols = line.split()
        if len(cols) != ncols:
            fail("%s: expected %d columns, got %d" % (where, ncols, len(cols)))
        cid = uint(cols[id_col], where, "customer id")
        date = iso(cols[-3], where)
        cds = uint(cols[-2], where, "number of cds")
        amount = cols[-1]
        if not AMOUNT.match(amount):
            fail("%s: bad dollar value %r" % (where, amount))
        rows.append("%s,%s,%s,%s\n" % (cid, date, cds, amount))
    with open(os.path.join(out, dst), "w", encoding="ascii", newline="\n") as f:
        f.write("customer_id,date,cds,amount\n")
        f.writelines(rows)

# master: " customer_id  date number_of_cds  dollar_value" header, 4 columns
convert("CDNOW_master.txt", "cdnow_master.csv", id_col=0, ncols=4, has_header=True)
# sample: no header, 5 columns: master id, sample id (1..2357), date, cds, dollars
convert("CDNOW_sample.txt", "cdnow_sample.csv", id_col=1, ncols=5, has_header=False)
for name in ("donations.csv", "cdnow_customers_summary.csv", "example_transactions.csv"):
    shutil.copyfile(os.path.join(raw, name), os.path.join(out, name))
PY

# ---------------------------------------------------------------- verify + install
bad=0
for out in "${OUTPUTS[@]}"; do
    if ! check "$TMP/out/$out" "$out"; then
        log "CHECKSUM MISMATCH for converted $out: expected $(expected_sum "$out"), got $(sha256_of "$TMP/out/$out")"
        bad=1
    fi
done
[[ "$bad" == 0 ]] || die "converted outputs do not match $SUMS; nothing installed"

for out in "${OUTPUTS[@]}"; do
    # $TMP is inside $DIR (same filesystem), so this rename is atomic
    mv -f "$TMP/out/$out" "$DIR/$out"
done
log "wrote ${OUTPUTS[*]} to $DIR"
