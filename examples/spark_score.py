#!/usr/bin/env python3
"""Score a summary table inside Spark, partition by partition, with `clvfit score` in a map step.

The recipe (docs/sql-push-down.md, "Scoring inside an engine's map step"):

- each partition's rows go to one `clvfit score --no-header --columns ... --quiet` process
  through `rdd.pipe`, as CSV lines without a header; the scores come back the same way, so no
  header has to be added to a partition or filtered out of the output, and an empty partition
  scores to nothing;
- `checkCode=True`: a process that fails (a bad row, a missing monetary value) fails the task
  and so the job, instead of losing its partition's rows silently (PySpark's default is False);
- the rows in and the rows out are counted, and a difference is an error.

Numbers go to clvfit as Python's repr (the shortest decimal that reads back as the same double),
so a partition's scores are the bytes `clvfit score` writes for the same rows from a file.

As a program (what the test suite runs):

  python examples/spark_score.py --clvfit PATH/clvfit --model model.json \
      --summary summary.csv --out scores.csv [--partitions N]

reads a summary CSV written by `clvfit summarize` (or by the emitted SQL), scores it in N
partitions, and writes `customer_id,p_alive,expected_purchases,expected_spend,clv` with a header.
On a cluster, ship the binary and the model with `spark-submit --files clvfit,model.json` and
give their `SparkFiles.get` paths.
"""
import argparse
import csv
import shlex
import sys

SCORE_COLUMNS = ["customer_id", "p_alive", "expected_purchases", "expected_spend", "clv"]


def csv_line(values):
    """One CSV line, numbers as their shortest round-trip decimal, ids quoted as needed."""
    fields = []
    for v in values:
        if v is None:
            fields.append("")
        elif isinstance(v, float):
            fields.append(repr(v))
        else:
            text = str(v)
            if any(c in text for c in ',"\r\n'):
                text = '"' + text.replace('"', '""') + '"'
            fields.append(text)
    return ",".join(fields)


def parse_line(line):
    return next(csv.reader([line]))


def score(summary, clvfit, model, extra_arguments=()):
    """`summary`: a DataFrame of a clvfit summary (customer_id, frequency, recency, T[,
    monetary_value]). Returns a DataFrame of `SCORE_COLUMNS` (strings, as clvfit writes them),
    one row per input row; raises if a partition's process fails or rows are lost."""
    columns = summary.columns
    command = [clvfit, "score", "--model", model, "--summary", "-", "--no-header",
               "--columns", ",".join(columns), "--quiet", *extra_arguments]
    lines = summary.rdd.map(lambda row: csv_line(list(row)))
    scored = lines.pipe(" ".join(shlex.quote(c) for c in command), checkCode=True).map(parse_line)
    scored.cache()
    rows_in, rows_out = summary.count(), scored.count()
    if rows_in != rows_out:
        raise RuntimeError(f"clvfit score returned {rows_out} rows for {rows_in}: rows were lost or added")
    return scored.toDF(SCORE_COLUMNS)


def main():
    p = argparse.ArgumentParser(description="Score a summary CSV in Spark partitions with clvfit score.")
    p.add_argument("--clvfit", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--summary", required=True, help="a summary CSV with a header (clvfit summarize's)")
    p.add_argument("--out", required=True)
    p.add_argument("--partitions", type=int, default=4)
    args = p.parse_args()

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("clvfit-score")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        # Every column as a string, so the numbers reach clvfit as they were written.
        summary = spark.read.csv(args.summary, header=True, inferSchema=False).repartition(args.partitions)
        scores = score(summary, args.clvfit, args.model)
        rows = scores.collect()
    finally:
        spark.stop()
    with open(args.out, "w", newline="") as out:
        out.write(",".join(SCORE_COLUMNS) + "\n")
        for row in rows:
            out.write(csv_line(list(row)) + "\n")
    print(f"scored {len(rows)} rows in {args.partitions} partitions", file=sys.stderr)


if __name__ == "__main__":
    main()
