#!/usr/bin/env python3
"""Reference summaries from Python lifetimes 0.11.3 for the ingestion tests.

Complements scripts/lifetimes_fixtures.py (same environment, same JSON layout):

    /tmp/ltvenv/bin/python scripts/lifetimes_fixtures_ingest.py

Outputs, in Tests/Fixtures/lifetimes/:

    cdnow_master_summary_weeks.json        summary_data_from_transaction_data, CDNOW master, weeks
    example_transactions_summary_days.json summary_data_from_transaction_data, lifetimes'
                                           example_transactions.csv (columns date,id; timestamps
                                           with a time part; no amount), days

The Swift test suite only reads the JSON files; it never runs Python.
"""

import os
import sys

import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lifetimes_fixtures import DATA, OBS_END, environment, read_transactions, sha256, summary_rows, write_json  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402

EXAMPLE_END = "2014-12-31"


def environment_here():
    env = environment()
    env["generated_by"] = "scripts/lifetimes_fixtures_ingest.py"
    return env


def main():
    master, master_src = read_transactions("cdnow_master.csv")
    weeks = summary_data_from_transaction_data(
        master, "customer_id", "date", monetary_value_col="amount",
        observation_period_end=OBS_END, freq="D", freq_multiplier=7,
    )
    write_json("cdnow_master_summary_weeks.json", {
        "description": "lifetimes summary of the full CDNOW master file, time unit = week (7 days)",
        "environment": environment_here(),
        "source": master_src,
        "call": ("lifetimes.utils.summary_data_from_transaction_data(df, 'customer_id', 'date', "
                 "monetary_value_col='amount', observation_period_end='%s', freq='D', freq_multiplier=7)" % OBS_END),
        "count": len(weeks),
        "sum_frequency": int(weeks["frequency"].sum()),
        "rows": summary_rows(weeks, {"frequency"}),
    })

    path = os.path.join(DATA, "example_transactions.csv")
    if not os.path.exists(path):
        sys.exit("missing %s: run datasets/fetch.sh (make datasets) first" % path)
    example = pd.read_csv(path, dtype={"date": "str", "id": "int64"})
    days = summary_data_from_transaction_data(
        example, "id", "date", observation_period_end=EXAMPLE_END, freq="D",
    )
    write_json("example_transactions_summary_days.json", {
        "description": "lifetimes summary of lifetimes' example_transactions.csv (date,id; no amount), time unit = day",
        "environment": environment_here(),
        "source": {"file": "datasets/example_transactions.csv", "sha256": sha256(path), "rows": int(len(example))},
        "call": ("lifetimes.utils.summary_data_from_transaction_data(df, 'id', 'date', "
                 "observation_period_end='%s', freq='D')" % EXAMPLE_END),
        "count": len(days),
        "sum_frequency": int(days["frequency"].sum()),
        "rows": summary_rows(days, {"frequency", "recency", "T"}),
    })


if __name__ == "__main__":
    main()
