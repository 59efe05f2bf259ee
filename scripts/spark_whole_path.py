#!/usr/bin/env python3
"""The whole push-down path in one run, for the test suite (issue 17, item 4):

transactions table in Spark -> `clvfit summarize --emit-sql spark --weighted` run by Spark SQL ->
`clvfit train --summary` on that weighted summary -> the per-customer summary SQL in Spark ->
scores through the map step of examples/spark_score.py.

  python scripts/spark_whole_path.py --clvfit PATH/clvfit --data transactions.csv --out DIR

writes DIR/weighted.csv, DIR/model.json and DIR/scores.csv; the test compares them with
`clvfit summarize`/`train`/`score` on the same CSV on one machine.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
import spark_score  # noqa: E402


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as out:
        out.write(",".join(columns) + "\n")
        for row in rows:
            out.write(spark_score.csv_line(list(row)) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clvfit", required=True)
    p.add_argument("--data", required=True, help="transactions CSV: customer_id,date,...,amount")
    p.add_argument("--unit", default="week")
    p.add_argument("--out", required=True)
    p.add_argument("--partitions", type=int, default=5)
    args = p.parse_args()

    def sql(*options):
        return subprocess.run([args.clvfit, "summarize", "--emit-sql", "spark", "--table", "transactions",
                               "--unit", args.unit, *options], check=True, capture_output=True, text=True).stdout.rstrip().rstrip(";")

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("clvfit-whole-path")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.addPyFile(spark_score.__file__)   # the workers import it to run the map step
    try:
        transactions = spark.read.csv(args.data, header=True, inferSchema=False)
        transactions.selectExpr("customer_id", "CAST(date AS DATE) AS date", "CAST(amount AS DECIMAL(18,2)) AS amount") \
            .createOrReplaceTempView("transactions")
        weighted = spark.sql(sql("--weighted"))
        write_csv(os.path.join(args.out, "weighted.csv"), weighted.columns, weighted.collect())
        model = os.path.join(args.out, "model.json")
        subprocess.run([args.clvfit, "train", "--summary", os.path.join(args.out, "weighted.csv"), "--unit", args.unit,
                        "--quiet", "-o", model], check=True, capture_output=True, text=True)
        summary = spark.sql(sql()).repartition(args.partitions)
        scores = spark_score.score(summary, args.clvfit, model)
        write_csv(os.path.join(args.out, "scores.csv"), spark_score.SCORE_COLUMNS, scores.collect())
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
