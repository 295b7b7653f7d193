"""Write the small sample files in data/samples/ (one per table, as real tools export them).

Deterministic: `python scripts/make_samples.py` rewrites the same files. Human headers on purpose
(`Customer ID`, `Start Date`, `MRR`, ...) so the automatic mapping is exercised. contracts.csv
holds two deliberately bad rows (documented in docs/data.md):
  line 12: end date before start date;  line 19: negative MRR.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "data" / "samples"
SEGMENTS = ["Enterprise", "Mid-Market", "SMB"]
CSMS = ["Ana Ruiz", "Ben Okafor", "Chloe Martin"]
PLANS = {"Enterprise": "Scale", "Mid-Market": "Growth", "SMB": "Starter"}
N_ACCOUNTS = 24


def accounts() -> pd.DataFrame:
    rng = random.Random(1)
    rows = []
    for i in range(1, N_ACCOUNTS + 1):
        seg = SEGMENTS[i % 3]
        rows.append({
            "Customer ID": f"ACME-{i:03d}", "Customer Name": f"Customer {i:03d} Ltd",
            "Segment": seg, "CSM": CSMS[i % 3], "Plan": PLANS[seg],
            "Industry": rng.choice(["Software", "Retail", "Finance", "Health"]),
            "Region": rng.choice(["EMEA", "NA", "APAC"]),
            "Created": (dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 500))).isoformat(),
            "Employees": rng.choice([12, 40, 180, 900, 4200]),
        })
    return pd.DataFrame(rows)


def contracts() -> pd.DataFrame:
    rng = random.Random(2)
    rows = []
    for i in range(1, N_ACCOUNTS + 1):
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 360))
        churned = i % 5 == 0
        end = start + dt.timedelta(days=364) if churned else None
        mrr = {0: 4000, 1: 1200, 2: 300}[i % 3] + rng.randint(0, 10) * 50
        rows.append({"Contract ID": f"SUB-{i:04d}", "Customer ID": f"ACME-{i:03d}",
                     "Start Date": start.strftime("%d/%m/%Y"),
                     "End Date": end.strftime("%d/%m/%Y") if end else "",
                     "MRR": f"{mrr:.2f}", "Currency": "EUR", "Product": "Platform"})
    # Two deliberately bad rows (see docs/data.md).
    rows.insert(10, {"Contract ID": "SUB-9001", "Customer ID": "ACME-011", "Start Date": "01/06/2024",
                     "End Date": "31/05/2024", "MRR": "500.00", "Currency": "EUR", "Product": "Add-on"})
    rows.insert(17, {"Contract ID": "SUB-9002", "Customer ID": "ACME-017", "Start Date": "15/03/2024",
                     "End Date": "", "MRR": "-250.00", "Currency": "EUR", "Product": "Add-on"})
    return pd.DataFrame(rows)


def usage() -> pd.DataFrame:
    rng = random.Random(3)
    rows = []
    day0 = dt.date(2023, 1, 1)
    for i in range(1, N_ACCOUNTS + 1):
        users = [f"u{i:03d}-{k}" for k in range(1, 4 + i % 5)]
        for d in range(0, 540, 3):
            if rng.random() < 0.5:
                continue
            when = dt.datetime.combine(day0 + dt.timedelta(days=d), dt.time(9 + rng.randint(0, 8), 15),
                                       tzinfo=dt.timezone.utc)
            rows.append({"Account ID": f"ACME-{i:03d}", "Timestamp": when.isoformat().replace("+00:00", "Z"),
                         "Event": rng.choice(["login", "report_viewed", "export", "dashboard_shared"]),
                         "User ID": rng.choice(users), "Count": rng.randint(1, 6)})
    return pd.DataFrame(rows)


def assessments() -> pd.DataFrame:
    rng = random.Random(4)
    rows = []
    for i in range(1, N_ACCOUNTS + 1):
        for q in range(4):
            date = dt.date(2024, 1, 15) + dt.timedelta(days=91 * q)
            rows.append({"Account": f"ACME-{i:03d}", "Assessment Date": date,
                         "CSM Health": rng.choice(["Green", "Green", "Yellow", "Red"]),
                         "Assessed By": CSMS[i % 3], "Notes": rng.choice(["", "QBR done", "Champion on leave"])})
    return pd.DataFrame(rows)


def nps() -> list[dict]:
    rng = random.Random(5)
    out = []
    for i in range(1, N_ACCOUNTS + 1):
        out.append({"customer_id": f"ACME-{i:03d}", "response_date": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "nps_score": rng.randint(0, 10), "comment": rng.choice(["", "Great support", "Too expensive"])})
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    accounts().to_csv(OUT / "accounts.csv", index=False)
    contracts().to_csv(OUT / "contracts.csv", index=False)
    usage().to_parquet(OUT / "usage.parquet", index=False)
    assessments().to_excel(OUT / "assessments.xlsx", index=False, sheet_name="Health")
    with open(OUT / "nps.jsonl", "w", encoding="utf-8") as handle:
        for rec in nps():
            handle.write(json.dumps(rec) + "\n")
    print(f"wrote samples to {OUT}")


if __name__ == "__main__":
    main()
