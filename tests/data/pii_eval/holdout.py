#!/usr/bin/env python3
"""A held-out PII set: formats and names the classifier was NOT developed against.

Written once, run once, never used to change the classifier; its numbers are reported
next to the main set's in docs/BENCHMARKS.md to show how the rules generalise.
    python3 tests/data/pii_eval/holdout.py > tests/data/pii_eval/holdout.jsonl
"""
import json
import random
import sys

R = random.Random(99)
F = ["Harriet", "Tobias", "Ngozi", "Rahul", "Ximena", "Callum", "Freya", "Joaquin", "Ayesha",
     "Mikhail", "Saoirse", "Thabo", "Elif", "Kwame", "Luca", "Margaret", "Paul", "Susan"]
L = ["Okonkwo", "Fernandes", "Lindgren", "Brennan", "Yilmaz", "Petrov", "Moreau", "Achebe",
     "Kaplan", "Walsh", "Reyes", "Thompson", "Miller", "Baker", "Young", "Gallagher"]
COLS = []


def n():
    return R.randrange(40, 120)


def col(name, t, exp, kind, fn):
    COLS.append({"name": name, "type": t, "expected": exp, "kind": kind,
                 "values": [str(fn()) for _ in range(n())]})


p = lambda: f"{R.choice(F)} {R.choice(L)}"
col("owner", "VARCHAR", ["email"], "email with display name",
    lambda: f"{p()} <{R.choice(F).lower()}@{R.choice(['corp.io', 'example.org'])}>")
col("reply_to", "VARCHAR", ["email"], "email", lambda: f"{R.choice(L).lower()}.{R.randrange(99)}@mail.example.com")
col("primary_contact", "VARCHAR", ["phone"], "+1 (area) format", lambda: f"+1 ({R.choice([206, 303, 512])}) {R.randrange(200, 999)}-{R.randrange(10000):04d}")
col("phone", "VARCHAR", ["phone"], "slash format", lambda: f"{R.choice([206, 303, 512])}/{R.randrange(200, 999)}-{R.randrange(10000):04d}")
col("tel_fr", "VARCHAR", ["phone"], "french national", lambda: f"0{R.randrange(1, 7)} {R.randrange(10, 99)} {R.randrange(10, 99)} {R.randrange(10, 99)} {R.randrange(10, 99)}")
col("mobile_e164", "VARCHAR", ["phone"], "e164 no spaces", lambda: f"+4915{R.randrange(10**8, 10**9)}")
col("ssn", "VARCHAR", ["ssn"], "dotted ssn", lambda: f"{R.randrange(1, 899):03d}.{R.randrange(1, 99):02d}.{R.randrange(1, 9999):04d}")
col("SSN_Masked", "VARCHAR", ["ssn"], "masked ssn", lambda: f"***-**-{R.randrange(1, 9999):04d}")
col("taxpayer_ssn", "VARCHAR", ["ssn"], "ssn", lambda: f"{R.randrange(1, 899):03d}-{R.randrange(1, 99):02d}-{R.randrange(1, 9999):04d}")
col("annual_comp_usd", "VARCHAR", ["salary"], "usd per year text", lambda: f"USD {R.randrange(40, 300)},{R.randrange(1000):03d}/yr")
col("gross_pay", "DOUBLE", ["salary"], "pay", lambda: round(R.uniform(1500, 9000), 2))
col("ctc_inr", "BIGINT", ["salary"], "inr ctc", lambda: R.randrange(300000, 4000000))
col("address", "VARCHAR", ["address"], "uk flat first", lambda: f"Flat {R.randrange(1, 20)}, {R.randrange(1, 300)} {R.choice(['Baker', 'Camden', 'Church'])} Street")
col("addr", "VARCHAR", ["address"], "portuguese", lambda: f"Rua {R.choice(['Augusta', 'das Flores', 'do Ouro'])} {R.randrange(1, 2000)}")
col("ship_to", "VARCHAR", ["address"], "us with city", lambda: f"{R.randrange(1, 9999)} {R.choice(['Pine', 'Lake', 'Birch'])} {R.choice(['Ave', 'Blvd', 'Ct'])}, Seattle, WA 98101")
col("birth", "VARCHAR", ["dob"], "long dates", lambda: f"{R.choice(['March', 'July', 'October'])} {R.randrange(1, 28)}, {R.randrange(1940, 2005)}")
col("dob", "VARCHAR", ["dob"], "slashed iso", lambda: f"{R.randrange(1940, 2005)}/{R.randrange(1, 13):02d}/{R.randrange(1, 29):02d}")
col("patient_birth_dt", "DATE", ["dob"], "iso", lambda: f"{R.randrange(1930, 2020)}-{R.randrange(1, 13):02d}-{R.randrange(1, 29):02d}")
col("icd", "VARCHAR", ["medical"], "lowercase icd", lambda: R.choice(["e11.9", "i10", "j45.909", "f32.9", "m54.5"]))
col("meds", "VARCHAR", ["medical"], "lowercase meds", lambda: R.choice(["metformin", "lisinopril", "atorvastatin", "sertraline", "albuterol"]))
col("problem_list", "VARCHAR", ["medical"], "conditions, unhinted name", lambda: R.choice(["hypertension", "type 2 diabetes", "asthma", "COPD", "depression"]))
col("reason_for_visit", "VARCHAR", ["medical"], "free text", lambda: R.choice(["follow-up for hypertension", "chest pain", "asthma flare", "annual physical", "migraine"]))
col("attending", "VARCHAR", ["name"], "doctor names", lambda: f"Dr. {p()}")
col("name", "VARCHAR", ["name"], "hyphenated", lambda: f"{R.choice(F)} {R.choice(L)}-{R.choice(L)}")
col("nome", "VARCHAR", ["name"], "portuguese column name", p)
col("surname", "VARCHAR", ["name"], "rare surnames", lambda: R.choice(L))
col("cardholder", "VARCHAR", ["name"], "upper names", lambda: p().upper())
# decoys
col("phone_id", "VARCHAR", [], "uuid-ish ids", lambda: "%08x" % R.getrandbits(32))
col("ssn_verified", "BOOLEAN", [], "bool", lambda: R.choice(["true", "false"]))
col("birth_order", "INTEGER", [], "small ints", lambda: R.randrange(1, 6))
col("salary_currency", "VARCHAR", [], "codes", lambda: R.choice(["USD", "EUR", "INR"]))
col("country_calling_code", "VARCHAR", [], "codes", lambda: R.choice(["+1", "+44", "+49", "+91"]))
col("zip4", "VARCHAR", [], "zip+4", lambda: f"{R.randrange(10000, 99999)}-{R.randrange(10000):04d}")
col("isbn10", "VARCHAR", [], "isbn-10", lambda: f"0-{R.randrange(100, 999)}-{R.randrange(10000, 99999)}-{R.randrange(10)}")
col("part", "VARCHAR", [], "icd-like parts", lambda: f"{R.choice('ABCDEFGHKMNPRST')}{R.randrange(10, 99)}.{R.randrange(1, 9)}")
col("street_view_url", "VARCHAR", [], "urls", lambda: f"https://maps.example.com/?q={R.randrange(10**6)}")
col("order_placed", "VARCHAR", [], "timestamps", lambda: f"2025-0{R.randrange(1, 9)}-1{R.randrange(0, 9)}T0{R.randrange(0, 9)}:00:00+02:00")
col("tracking", "VARCHAR", [], "10-digit tracking", lambda: f"{R.randrange(2, 9)}{R.randrange(10**8, 10**9)}")
col("medication_class", "VARCHAR", [], "drug classes of a catalog", lambda: R.choice(["Statins", "ACE inhibitors", "SSRIs", "Beta blockers"]))
col("street_team", "VARCHAR", [], "marketing teams", lambda: R.choice(["North Crew", "Downtown Squad", "West Side"]))
col("product", "VARCHAR", [], "people-named products", lambda: R.choice(["Margaret Rose Tea", "Paul Smith Wallet", "Susan Miller Guide"]))
for c in COLS:
    sys.stdout.write(json.dumps(c) + "\n")
sys.stderr.write(f"{len(COLS)} columns\n")
