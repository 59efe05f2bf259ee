#!/usr/bin/env python3
"""Run clvfit's emitted summary SQL on a real engine, for the test suite (SummarySQLEnginesTests).

Loads a transaction CSV (customer_id,date,cds,amount, as CDNOW_master) into a table of the
engine under the names given (spaces and symbols allowed: the point is that the SQL quotes
them), runs each query file, and writes each result as CSV: a header of the result's column
names, then its rows; doubles as Python's repr (the shortest decimal that reads back as the
same double), NULL as the word NULL so that the test can refuse it.

  python scripts/sql_engines.py --engine duckdb|spark --data cdnow_master.csv \
      --table "CDNOW master" --customer-column "customer id" --date-column date \
      --amount-column "amount ($)" --out DIR NAME=query.sql ...

DuckDB runs in memory; Spark SQL in local mode (2 threads, no UI), with its default
configuration otherwise (ANSI mode on in Spark 4). The engines come from
scripts/engines-requirements.txt (`make setup-engines`).
"""
import argparse
import csv
import datetime
import decimal
import os
import sys


def field(value):
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def write(path, columns, rows):
    with open(path, "w", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([field(v) for v in row])


def duckdb_runner(args):
    import duckdb
    con = duckdb.connect()
    q = lambda name: '"' + name.replace('"', '""') + '"'
    table = ".".join(q(part) for part in args.table.split("."))
    con.execute(
        f"CREATE TABLE {table} AS SELECT CAST(customer_id AS VARCHAR) AS {q(args.customer_column)}, "
        f"CAST(\"date\" AS DATE) AS {q(args.date_column)}, cds, CAST(amount AS {args.amount_type}) AS {q(args.amount_column)} "
        "FROM read_csv(?, header = true, columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'cds': 'INTEGER', 'amount': 'VARCHAR'})",
        [args.data])

    def run(sql):
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    return run, lambda: None


def spark_runner(args):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("clvfit-sql-test")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "4")
             .config("spark.driver.memory", "1g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.csv(args.data, header=True, schema="customer_id STRING, date DATE, cds INT, amount STRING")
    df = df.selectExpr("customer_id", "date", "cds", f"CAST(amount AS {args.amount_type}) AS amount")
    df = (df.withColumnRenamed("customer_id", args.customer_column).withColumnRenamed("date", args.date_column)
          .withColumnRenamed("amount", args.amount_column))
    # A view name is parsed as SQL: quote it (a space or symbol is not a plain identifier).
    df.createOrReplaceTempView("`" + args.table.replace("`", "``") + "`")

    def run(sql):
        result = spark.sql(sql)
        return result.columns, result.collect()
    return run, spark.stop


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--engine", choices=["duckdb", "spark"], required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--customer-column", required=True)
    p.add_argument("--date-column", required=True)
    p.add_argument("--amount-column", required=True)
    p.add_argument("--amount-type", default="DECIMAL(18,2)")
    p.add_argument("--out", required=True)
    p.add_argument("queries", nargs="+", help="NAME=FILE: the result of FILE is written to OUT/NAME.csv")
    args = p.parse_args()
    run, stop = (duckdb_runner if args.engine == "duckdb" else spark_runner)(args)
    try:
        for item in args.queries:
            name, path = item.split("=", 1)
            with open(path) as f:
                columns, rows = run(f.read().rstrip().rstrip(";"))
            write(os.path.join(args.out, name + ".csv"), columns, rows)
    finally:
        stop()


if __name__ == "__main__":
    main()
