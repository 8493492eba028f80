#!/usr/bin/env python3
"""Generates the labelled PII evaluation set: tests/data/pii_eval/columns.jsonl.

Each line is one column: {"name", "type" (DuckDB), "expected": [classes], "kind", "values"}.
Labels say what a person reviewing the table would call the column, written from the
column's meaning (what the generator put in it), never from the classifier's rules: a
column of person names called "created_by" is labelled "name" whether or not any rule can
see it. Decoys (expected = []) are columns that look like PII to a careless rule: ZIP
codes, order numbers, timestamps, product codes, phone-like IDs, product/company/city
names, prices, error codes.

Deterministic: a fixed seed; the output is committed, so the test never runs Python.
    python3 tests/data/pii_eval/gen.py > tests/data/pii_eval/columns.jsonl
"""
import json
import random
import sys

R = random.Random(20260226)

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty",
         "Mark", "Margaret", "Emily", "Olivia", "Priya", "Wei", "Oluwaseun", "Mateo", "Sofia",
         "Aaliyah", "Kenji", "Yuki", "Ingrid", "Lars", "Siobhan", "Declan", "Thandiwe", "Ravi",
         "Anika", "Diego", "Camila", "Hiroshi", "Fatima", "Omar", "Leila", "Jamal", "Keisha",
         "Dmitri", "Olga", "Marcus", "Nina", "Tariq", "Mei", "Hamid", "Grace", "Noah", "Liam",
         "Ava", "Isabella", "Ethan", "Zoe", "Chloe", "Lucas", "Amara", "Bjorn", "Astrid"]
LAST = ["Smith", "Johnson", "Okafor", "Nakamura", "Kowalski", "Fitzgerald", "Lindqvist",
        "Papadopoulos", "Haddad", "Oyelaran", "Brown", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore",
        "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
        "Young", "Allen", "Wright", "Scott", "Nguyen", "Hill", "Adams", "Baker", "Nelson",
        "Mitchell", "Perez", "Roberts", "Campbell", "Novak", "Schneider", "Rossi", "Dubois",
        "Silva", "Kaur", "Tanaka", "O'Brien", "McAllister", "Eriksson", "Mensah", "Abubakar",
        "Ivanova", "Kim", "Chen", "Patel", "Singh", "Cohen", "Murphy", "Byrne", "Horvat"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "example.com", "acme-corp.com", "mail.co.uk",
           "uni.edu", "hospital.org", "proton.me", "corp.example.net", "web.de", "icloud.com"]
AREA = [201, 202, 212, 213, 305, 312, 404, 415, 503, 512, 602, 617, 646, 702, 713, 718, 773,
        805, 818, 917, 919, 972, 206, 303, 480, 614, 704, 801, 843, 952]
STREETS = ["Main", "Oak", "Maple", "Elm", "Cedar", "Pine", "Washington", "Lake", "Hill",
           "Park", "Sunset", "Baker", "High", "Church", "Mill", "River", "Highland", "Franklin",
           "Jefferson", "Willow", "Chestnut", "Spring", "Ridge", "Meadow", "King"]
SUFFIX = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Ln", "Lane", "Dr", "Drive",
          "Ct", "Way", "Pl", "Terrace", "Pkwy", "Circle"]
UNITS = ["Apt 4B", "Apt. 12", "Suite 200", "Unit 3", "#7", "Apt 1010", "Fl 2"]
CITIES = ["Springfield, IL 62704", "Austin, TX 78701", "Portland, OR 97205",
          "Brooklyn, NY 11201", "Denver, CO 80202", "Madison, WI 53703", "Columbus, OH 43215"]
ICD = ["E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "E78.5", "J06.9", "N39.0",
       "R51", "Z00.00", "E03.9", "G43.909", "F41.1", "I25.10", "J44.9", "M17.11", "L40.0",
       "C50.911", "S52.501A", "B34.9", "H10.9", "K58.9", "E66.9", "I48.91", "O80", "Z23"]
CONDITIONS = ["Type 2 diabetes mellitus", "Essential hypertension", "Asthma, moderate persistent",
              "Major depressive disorder", "Low back pain", "Gastro-esophageal reflux disease",
              "Hyperlipidemia", "Acute upper respiratory infection", "Urinary tract infection",
              "Migraine without aura", "Generalized anxiety disorder", "Atrial fibrillation",
              "Chronic obstructive pulmonary disease", "Osteoarthritis of knee", "Psoriasis",
              "Hypothyroidism", "Obesity", "Acute bronchitis", "Community-acquired pneumonia",
              "Seasonal allergic rhinitis", "Iron deficiency anemia", "Chronic kidney disease"]
MEDS = ["Metformin 500 mg", "Lisinopril 10mg", "Atorvastatin 20 mg", "Levothyroxine 50 mcg",
        "Amlodipine 5mg", "Omeprazole 20 mg", "Albuterol inhaler", "Sertraline 50 mg",
        "Gabapentin 300mg", "Hydrochlorothiazide 25 mg", "Losartan 50mg", "Insulin glargine",
        "Amoxicillin 500 mg", "Prednisone 10 mg", "Warfarin 5 mg", "Ibuprofen 400mg",
        "Montelukast 10 mg", "Escitalopram 10mg", "Metoprolol succinate 25 mg", "Furosemide 40 mg"]
PRODUCTS = ["Wireless Mouse", "USB-C Cable 2m", "Laptop Stand", "Noise Cancelling Headphones",
            "Ceramic Coffee Mug", "Standing Desk", "Mechanical Keyboard", "Yoga Mat",
            "Water Bottle 750ml", "Phone Case", "Desk Lamp", "Running Shoes", "Backpack",
            "Bluetooth Speaker", "Office Chair", "Notebook A5", "Gel Pens (12 pack)",
            "Webcam HD", "Monitor Arm", "Travel Adapter", "Jordan Retro Sneaker",
            "Madison Tote Bag", "Grace Floral Dress", "Victoria Sponge Mix"]
COMPANIES = ["Acme Corp", "Globex Corporation", "Initech LLC", "Johnson & Johnson",
             "Ford Motor Company", "Smith Consulting Group", "Wells Fargo", "Stark Industries",
             "Umbrella Holdings", "Hooli Inc", "Wayne Enterprises", "Taylor & Sons Ltd",
             "Morgan Stanley", "Baker Hughes", "Harris Teeter", "Allen & Overy", "Thomson Reuters",
             "Dell Technologies", "Martin Marietta Materials", "Anderson Logistics"]
US_CITIES = ["Jackson", "Austin", "Madison", "Charlotte", "Houston", "Phoenix", "Denver",
             "Lincoln", "Franklin", "Clinton", "Georgetown", "Springfield", "Salem", "Columbus",
             "Arlington", "Aurora", "Savannah", "Tyler", "Warren", "Florence", "Chester"]


def pick(xs):
    return R.choice(xs)


def person():
    return pick(FIRST), pick(LAST)


def email():
    f, l = person()
    f, l = f.lower().replace("'", ""), l.lower().replace("'", "")
    form = R.randrange(6)
    local = [f"{f}.{l}", f"{f[0]}{l}", f"{f}_{l}{R.randrange(99)}", f"{f}+news", f"{l}.{f}",
             f"{f}{R.randrange(1970, 2005)}"][form]
    v = f"{local}@{pick(DOMAINS)}"
    r = R.random()
    return v.upper() if r < 0.1 else (v.title() if r < 0.2 else v)


def nanp_digits():
    return pick(AREA), R.randrange(200, 1000), R.randrange(0, 10000)


def phone_us(style):
    a, e, x = nanp_digits()
    if e % 100 == 11:
        e += 1
    return [f"({a}) {e}-{x:04d}", f"{a}-{e}-{x:04d}", f"{a}.{e}.{x:04d}", f"{a}{e}{x:04d}",
            f"+1 {a} {e} {x:04d}", f"+1-{a}-{e}-{x:04d}", f"1-{a}-{e}-{x:04d}",
            f"{a}-{e}-{x:04d} x{R.randrange(10, 999)}"][style]


def phone_intl():
    k = R.randrange(6)
    if k == 0:
        return f"+44 20 7946 {R.randrange(10000):04d}"
    if k == 1:
        return f"+44 7700 {R.randrange(900000, 999999)}"
    if k == 2:
        return f"+49 30 {R.randrange(1000000, 9999999)}"
    if k == 3:
        return f"+33 1 {R.randrange(10, 99)} {R.randrange(10, 99)} {R.randrange(10, 99)} {R.randrange(10, 99)}"
    if k == 4:
        return f"+91 98{R.randrange(100, 999)} {R.randrange(10000, 99999)}"
    return f"+61 4{R.randrange(10, 99)} {R.randrange(100, 999)} {R.randrange(100, 999)}"


def ssn_parts():
    while True:
        a = R.randrange(1, 900)
        if a != 666:
            return a, R.randrange(1, 100), R.randrange(1, 10000)


def ssn(style):
    a, g, s = ssn_parts()
    return [f"{a:03d}-{g:02d}-{s:04d}", f"{a:03d}{g:02d}{s:04d}", f"{a:03d} {g:02d} {s:04d}"][style]


def address(unit=0.3, city=0.0):
    v = f"{R.randrange(1, 9999)} {pick(STREETS)} {pick(SUFFIX)}"
    if R.random() < 0.05:
        v = f"{R.randrange(1, 200)}{pick('ABC')} {pick(STREETS)} {pick(SUFFIX)}"
    if R.random() < unit:
        v += f", {pick(UNITS)}" if R.random() < 0.5 else f" {pick(UNITS)}"
    if R.random() < city:
        v += f", {pick(CITIES)}"
    return v


def date_between(y0, y1):
    y = R.randrange(y0, y1 + 1)
    return y, R.randrange(1, 13), R.randrange(1, 29)


def sample(n, fn):
    return [fn() for _ in range(n)]


COLS = []


def col(name, type_, expected, kind, values):
    COLS.append({"name": name, "type": type_, "expected": expected, "kind": kind,
                 "values": [str(v) for v in values]})


def n():
    return R.randrange(50, 201)


# ---------------------------------------------------------------- positives ----
for name in ["email", "Email", "contact_email", "e_mail", "user_email", "EmailAddress",
             "work_email", "customer_email", "email_address", "mail", "billing_email",
             "personal_email", "EMAIL_ADDR", "notify_to"]:
    col(name, "VARCHAR", ["email"], "email", sample(n(), email))
col("col_12", "VARCHAR", ["email"], "email, unnamed", sample(n(), email))
col("login", "VARCHAR", ["email"], "email as login", sample(n(), email))
col("email", "VARCHAR", ["email"], "email with junk",
    sample(n(), lambda: email() if R.random() < 0.8 else pick(["n/a", "unknown", "-"])))

for name, style in [("phone", 0), ("phone_number", 1), ("mobile", 2), ("cell", 3),
                    ("tel", 4), ("Telephone", 5), ("contact_phone", 6), ("home_phone", 7),
                    ("fax", 1), ("work_phone", 0), ("PhoneNumber", 3), ("msisdn", 4),
                    ("emergency_contact_phone", 2), ("mobile_no", 3), ("whatsapp", 5)]:
    col(name, "VARCHAR", ["phone"], "phone us", sample(n(), lambda: phone_us(style)))
col("phone", "VARCHAR", ["phone"], "phone mixed formats", sample(n(), lambda: phone_us(R.randrange(8))))
col("phone_intl", "VARCHAR", ["phone"], "phone e164", sample(n(), phone_intl))
col("mobile", "VARCHAR", ["phone"], "phone e164 uk", sample(n(), lambda: f"+44 7{R.randrange(100, 999)} {R.randrange(100000, 999999)}"))
col("contact", "VARCHAR", ["phone"], "phone, weak name", sample(n(), lambda: phone_us(0)))
col("col_7", "VARCHAR", ["phone"], "phone, unnamed", sample(n(), phone_intl))
col("phone", "BIGINT", ["phone"], "phone as integer", sample(n(), lambda: phone_us(3)))
col("uk_phone", "VARCHAR", ["phone"], "phone uk national",
    sample(n(), lambda: f"0{pick(['20', '161', '121', '113'])} {R.randrange(100, 999)} {R.randrange(1000, 9999)}"))

for name, style in [("ssn", 0), ("SSN", 1), ("social_security_number", 0), ("employee_ssn", 2),
                    ("ssn_number", 1), ("SocialSecurityNo", 0), ("applicant_ssn", 0),
                    ("ssn_no", 1), ("member_ssn", 2)]:
    col(name, "VARCHAR", ["ssn"], "ssn", sample(n(), lambda: ssn(style)))
col("national_id", "VARCHAR", ["ssn"], "ssn, unnamed", sample(n(), lambda: ssn(0)))
col("tax_identifier", "VARCHAR", ["ssn"], "ssn, other name", sample(n(), lambda: ssn(0)))
col("ssn", "BIGINT", ["ssn"], "ssn as integer", sample(n(), lambda: int(ssn(1))))
col("ssn", "VARCHAR", ["ssn"], "ssn with blanks",
    sample(n(), lambda: ssn(0) if R.random() < 0.85 else "000-00-0000"))

SAL = [("salary", "DOUBLE", lambda: round(R.uniform(32000, 210000), 2)),
       ("annual_salary", "BIGINT", lambda: R.randrange(30000, 250000)),
       ("base_salary", "DECIMAL(10,2)", lambda: f"{R.uniform(40000, 180000):.2f}"),
       ("Salary_USD", "VARCHAR", lambda: f"${R.randrange(35, 240)},{R.randrange(1000):03d}"),
       ("compensation", "BIGINT", lambda: R.randrange(45000, 400000)),
       ("total_comp", "DOUBLE", lambda: round(R.uniform(60000, 500000), 0)),
       ("hourly_wage", "DOUBLE", lambda: round(R.uniform(12, 85), 2)),
       ("wage", "DECIMAL(8,2)", lambda: f"{R.uniform(9, 60):.2f}"),
       ("pay_rate", "DOUBLE", lambda: round(R.uniform(15, 120), 2)),
       ("monthly_pay", "INTEGER", lambda: R.randrange(2500, 15000)),
       ("bonus", "INTEGER", lambda: R.randrange(500, 40000)),
       ("annual_income", "BIGINT", lambda: R.randrange(18000, 350000)),
       ("earnings", "DOUBLE", lambda: round(R.uniform(20000, 150000), 2)),
       ("EmployeeSalary", "BIGINT", lambda: R.randrange(30000, 200000)),
       ("salary_eur", "VARCHAR", lambda: f"{R.randrange(30, 120)}.{R.randrange(1000):03d} EUR")]
for name, t, fn in SAL:
    col(name, t, ["salary"], "salary", sample(n(), fn))

for name, unit, city in [("address", 0.3, 0.0), ("street_address", 0.2, 0.0),
                         ("home_address", 0.3, 0.7), ("address_line1", 0.0, 0.0),
                         ("addr", 0.3, 0.0), ("Street", 0.0, 0.0), ("mailing_address", 0.2, 0.9),
                         ("billing_address", 0.4, 0.5), ("shipping_address", 0.3, 1.0),
                         ("AddressLine1", 0.5, 0.0), ("patient_address", 0.2, 0.5),
                         ("residence", 0.3, 0.8), ("location", 0.2, 1.0)]:
    col(name, "VARCHAR", ["address"], "address", sample(n(), lambda: address(unit, city)))
col("address", "VARCHAR", ["address"], "address with po boxes",
    sample(n(), lambda: address() if R.random() < 0.8 else f"PO Box {R.randrange(1, 9999)}"))
col("col_3", "VARCHAR", ["address"], "address, unnamed", sample(n(), lambda: address(0.3, 0.5)))

for name in ["icd10_code", "diagnosis_code", "dx_code", "icd_code", "primary_dx", "ICD10"]:
    col(name, "VARCHAR", ["medical"], "icd10", sample(n(), lambda: pick(ICD)))
col("icd10", "VARCHAR", ["medical"], "icd10 no dots", sample(n(), lambda: pick(ICD).replace(".", "")))
col("code_1", "VARCHAR", ["medical"], "icd10, unnamed", sample(n(), lambda: pick(ICD)))
for name in ["diagnosis", "primary_diagnosis", "conditions", "chronic_conditions", "Diagnosis"]:
    col(name, "VARCHAR", ["medical"], "diagnosis text", sample(n(), lambda: pick(CONDITIONS)))
col("diagnosis", "VARCHAR", ["medical"], "diagnosis with code",
    sample(n(), lambda: f"{pick(ICD)} {pick(CONDITIONS)}"))
for name in ["medication", "current_medications", "rx", "prescription", "drug_name", "meds"]:
    col(name, "VARCHAR", ["medical"], "medication", sample(n(), lambda: pick(MEDS)))
col("allergies", "VARCHAR", ["medical"], "allergies",
    sample(n(), lambda: pick(["Penicillin", "Peanuts", "Latex", "Sulfa drugs", "Shellfish",
                              "None known", "Codeine", "Bee stings"])))
col("visit_reason", "VARCHAR", ["medical"], "diagnosis text, other name",
    sample(n(), lambda: pick(CONDITIONS)))

for name, fn in [("first_name", lambda: pick(FIRST)), ("last_name", lambda: pick(LAST)),
                 ("full_name", lambda: " ".join(person())), ("name", lambda: " ".join(person())),
                 ("customer_name", lambda: " ".join(person())),
                 ("patient_name", lambda: " ".join(person())), ("FirstName", lambda: pick(FIRST)),
                 ("surname", lambda: pick(LAST)), ("given_name", lambda: pick(FIRST)),
                 ("contact_name", lambda: " ".join(person())),
                 ("employee_name", lambda: " ".join(person())),
                 ("LastName", lambda: pick(LAST)), ("fname", lambda: pick(FIRST)),
                 ("lname", lambda: pick(LAST))]:
    col(name, "VARCHAR", ["name"], "person name", sample(n(), fn))
col("name", "VARCHAR", ["name"], "name last, first", sample(n(), lambda: "{1}, {0}".format(*person())))
col("Name", "VARCHAR", ["name"], "name upper", sample(n(), lambda: " ".join(person()).upper()))
col("full_name", "VARCHAR", ["name"], "name lower", sample(n(), lambda: " ".join(person()).lower()))
col("full_name", "VARCHAR", ["name"], "name with middle initial",
    sample(n(), lambda: f"{pick(FIRST)} {pick('ABCDEJKLMRST')}. {pick(LAST)}"))
col("employee", "VARCHAR", ["name"], "name, no name word", sample(n(), lambda: " ".join(person())))
col("created_by", "VARCHAR", ["name"], "name, other name", sample(n(), lambda: " ".join(person())))
col("col_5", "VARCHAR", ["name"], "name, unnamed", sample(n(), lambda: " ".join(person())))
col("physician", "VARCHAR", ["name"], "name, doctor",
    sample(n(), lambda: "Dr. " + " ".join(person())))
col("first_name", "VARCHAR", ["name"], "name, international",
    sample(n(), lambda: pick(["Oluwaseun", "Thandiwe", "Siobhan", "Kenji", "Yuki", "Ingrid",
                              "Bjorn", "Astrid", "Tariq", "Hamid", "Amara", "Dmitri", "Mei"])))

for name, t, fn in [
        ("dob", "DATE", lambda: "%04d-%02d-%02d" % date_between(1940, 2010)),
        ("date_of_birth", "DATE", lambda: "%04d-%02d-%02d" % date_between(1935, 2005)),
        ("birth_date", "VARCHAR", lambda: "{1:02d}/{2:02d}/{0}".format(*date_between(1950, 2008))),
        ("birthdate", "VARCHAR", lambda: "{2:02d}.{1:02d}.{0}".format(*date_between(1950, 2008))),
        ("DOB", "VARCHAR", lambda: "%04d-%02d-%02d" % date_between(1945, 2006)),
        ("BirthDate", "TIMESTAMP", lambda: "%04d-%02d-%02d 00:00:00" % date_between(1950, 2000)),
        ("birthday", "DATE", lambda: "%04d-%02d-%02d" % date_between(1960, 2015)),
        ("born_on", "DATE", lambda: "%04d-%02d-%02d" % date_between(1930, 2000)),
        ("patient_dob", "VARCHAR", lambda: "{1}/{2}/{0}".format(*date_between(1930, 2020))),
        ("birth_year", "BIGINT", lambda: R.randrange(1940, 2008)),
        ("DateOfBirth", "DATE", lambda: "%04d-%02d-%02d" % date_between(1950, 2005))]:
    col(name, t, ["dob"], "dob", sample(n(), fn))

col("contact", "VARCHAR", ["email", "phone"], "mixed email/phone",
    sample(n(), lambda: email() if R.random() < 0.5 else phone_us(0)))

# ---------------------------------------------------------------- decoys ----
def d(name, type_, kind, fn):
    col(name, type_, [], kind, sample(n(), fn))


d("zip", "VARCHAR", "zip", lambda: f"{R.randrange(501, 99950):05d}")
d("zip_code", "BIGINT", "zip", lambda: R.randrange(10000, 99950))
d("postal_code", "VARCHAR", "zip+4", lambda: f"{R.randrange(501, 99950):05d}-{R.randrange(10000):04d}")
d("ZIP", "VARCHAR", "zip+4 bare", lambda: f"{R.randrange(10000, 99950)}{R.randrange(10000):04d}")
d("postcode", "VARCHAR", "uk postcode", lambda: f"{pick(['SW1A', 'EC2V', 'M1', 'B33', 'LS6'])} {R.randrange(1, 9)}{pick('ABDEFGHJ')}{pick('LNPQRSTU')}")
d("order_id", "BIGINT", "order number", lambda: R.randrange(100000, 999999))
d("order_number", "VARCHAR", "order number", lambda: f"ORD-2024-{R.randrange(1000000):06d}")
d("invoice_no", "VARCHAR", "order number", lambda: f"INV{R.randrange(10**7, 10**8)}")
d("order_ref", "BIGINT", "order number 10 digits", lambda: R.randrange(1000000000, 1999999999))
d("tracking_number", "VARCHAR", "tracking", lambda: f"1Z{R.randrange(10**15, 10**16)}")
d("confirmation_code", "VARCHAR", "code", lambda: "".join(R.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)))
d("created_at", "TIMESTAMP", "timestamp", lambda: "%04d-%02d-%02d %02d:%02d:%02d" % (date_between(2019, 2025) + (R.randrange(24), R.randrange(60), R.randrange(60))))
d("updated_at", "VARCHAR", "timestamp iso", lambda: "%04d-%02d-%02dT%02d:%02d:%02dZ" % (date_between(2020, 2025) + (R.randrange(24), R.randrange(60), R.randrange(60))))
d("event_time", "BIGINT", "epoch ms", lambda: R.randrange(1600000000000, 1760000000000))
d("order_date", "DATE", "date", lambda: "%04d-%02d-%02d" % date_between(2018, 2025))
d("ship_date", "VARCHAR", "date us", lambda: "{1:02d}/{2:02d}/{0}".format(*date_between(2018, 2025)))
d("hire_date", "DATE", "date", lambda: "%04d-%02d-%02d" % date_between(1990, 2024))
d("start_date", "DATE", "date", lambda: "%04d-%02d-%02d" % date_between(2000, 2025))
d("year", "BIGINT", "year", lambda: R.randrange(1990, 2025))
d("model_year", "INTEGER", "year", lambda: R.randrange(1995, 2026))
d("sku", "VARCHAR", "product code", lambda: f"SKU-{R.randrange(10000, 99999)}")
d("product_code", "VARCHAR", "product code", lambda: f"{pick(['AB', 'XY', 'QT'])}-{R.randrange(1000, 9999)}-{pick(['S', 'M', 'L', 'XL'])}")
d("part_number", "VARCHAR", "product code", lambda: f"{pick('ABCDEFGH')}{R.randrange(10, 99)}-{R.randrange(1000, 9999)}")
d("item_code", "VARCHAR", "icd-like code", lambda: f"{pick('ABCDEFGHJK')}{R.randrange(10, 99)}")
d("bin_location", "VARCHAR", "icd-like code", lambda: f"{pick('ABCDEF')}{R.randrange(1, 9)}{pick('ABCD')}{R.randrange(1, 9)}")
d("error_code", "VARCHAR", "icd-like code", lambda: f"E{R.randrange(100, 999)}")
d("model", "VARCHAR", "model", lambda: f"{pick(['X', 'Z', 'M'])}{R.randrange(100, 999)}")
d("upc", "VARCHAR", "upc", lambda: f"{R.randrange(10**11, 10**12)}")
d("isbn", "VARCHAR", "isbn", lambda: f"978-{R.randrange(0, 9)}-{R.randrange(100, 999)}-{R.randrange(10000, 99999)}-{R.randrange(10)}")
d("account_number", "VARCHAR", "10-digit id", lambda: f"{R.randrange(0, 2)}{R.randrange(10**8, 10**9)}")
d("customer_id", "BIGINT", "10-digit id", lambda: R.randrange(10**9, 10**10))
d("account_id", "VARCHAR", "10-digit id dashed", lambda: f"{R.randrange(100, 199)}-{R.randrange(100, 999)}-{R.randrange(1000, 9999)}")
d("device_imei", "VARCHAR", "imei", lambda: f"35{R.randrange(10**12, 10**13)}")
d("npi", "BIGINT", "provider id", lambda: R.randrange(1000000000, 1999999999))
d("routing_number", "VARCHAR", "9-digit id", lambda: f"{R.randrange(1, 13):02d}{R.randrange(10**6, 10**7)}")
d("ein", "VARCHAR", "ein", lambda: f"{R.randrange(10, 99)}-{R.randrange(1000000, 9999999)}")
d("serial_no", "VARCHAR", "serial", lambda: f"{R.randrange(100, 999)}-{R.randrange(100, 999)}-{R.randrange(100, 999)}")
d("employee_id", "VARCHAR", "9-digit id", lambda: f"{R.randrange(900, 999)}-{R.randrange(10, 99)}-{R.randrange(1000, 9999)}")
d("batch_id", "BIGINT", "9-digit id", lambda: R.randrange(10**8, 10**9))
d("session_id", "VARCHAR", "uuid", lambda: "%08x-%04x-4%03x-a%03x-%012x" % (R.getrandbits(32), R.getrandbits(16), R.getrandbits(12), R.getrandbits(12), R.getrandbits(48)))
d("product_name", "VARCHAR", "product name", lambda: pick(PRODUCTS))
d("name", "VARCHAR", "product name", lambda: pick(PRODUCTS))
d("company_name", "VARCHAR", "company name", lambda: pick(COMPANIES))
d("name", "VARCHAR", "company name", lambda: pick(COMPANIES))
d("customer", "VARCHAR", "company name", lambda: pick(COMPANIES))
d("city", "VARCHAR", "city", lambda: pick(US_CITIES))
d("destination", "VARCHAR", "city", lambda: pick(US_CITIES))
d("team_name", "VARCHAR", "team", lambda: pick(["Red Sox", "Yankees", "Lakers", "Celtics", "Bulls", "Cubs", "Jets", "Giants"]))
d("brand", "VARCHAR", "brand", lambda: pick(["Nike", "Adidas", "Apple", "Samsung", "Sony", "Jordan", "Ralph Lauren", "Tommy Hilfiger", "Calvin Klein"]))
d("username", "VARCHAR", "handle", lambda: f"{pick(FIRST).lower()}{R.randrange(1, 999)}")
d("file_name", "VARCHAR", "file", lambda: f"report_{R.randrange(1000)}.pdf")
d("hostname", "VARCHAR", "host", lambda: f"web-{R.randrange(1, 40):02d}.prod.example.com")
d("category", "VARCHAR", "category", lambda: pick(["Electronics", "Home", "Garden", "Toys", "Books", "Clothing"]))
d("paint_color", "VARCHAR", "paint colours", lambda: pick(["Oak Grove", "Maple Ridge", "Sunset Boulevard Red", "Park Avenue Grey"]))
d("price", "DOUBLE", "amount", lambda: round(R.uniform(1, 5000), 2))
d("amount", "DECIMAL(12,2)", "amount", lambda: f"{R.uniform(5, 100000):.2f}")
d("total", "DOUBLE", "amount", lambda: round(R.uniform(10, 90000), 2))
d("revenue", "BIGINT", "amount", lambda: R.randrange(10000, 900000))
d("pay_date", "DATE", "date", lambda: "%04d-%02d-%02d" % date_between(2020, 2025))
d("payment_method", "VARCHAR", "enum", lambda: pick(["card", "ach", "paypal", "cash", "wire"]))
d("comp_id", "BIGINT", "id", lambda: R.randrange(1000, 99999))
d("pay_grade", "VARCHAR", "grade", lambda: f"G{R.randrange(1, 15)}")
d("ip_address", "VARCHAR", "ip", lambda: f"{R.randrange(1, 255)}.{R.randrange(256)}.{R.randrange(256)}.{R.randrange(256)}")
d("mac_address", "VARCHAR", "mac", lambda: ":".join("%02x" % R.getrandbits(8) for _ in range(6)))
d("website", "VARCHAR", "url", lambda: f"https://www.{pick(['acme', 'globex', 'initech', 'hooli'])}.com/{R.randrange(100)}")
d("domain", "VARCHAR", "domain", lambda: pick(DOMAINS))
d("twitter_handle", "VARCHAR", "handle", lambda: f"@{pick(FIRST).lower()}_{pick(LAST).lower()}")
d("rx_bytes", "BIGINT", "network counter", lambda: R.randrange(0, 10**9))
d("condition", "VARCHAR", "item condition", lambda: pick(["New", "Used - Like New", "Used - Good", "Refurbished", "For parts"]))
d("status", "VARCHAR", "enum", lambda: pick(["active", "pending", "closed", "cancelled"]))
d("description", "VARCHAR", "free text", lambda: pick(["Fast shipping and great value", "Fits most desks", "Includes two batteries", "Dishwasher safe", "Limited edition"]))
d("gender", "VARCHAR", "enum", lambda: pick(["F", "M", "X"]))
d("age", "INTEGER", "age", lambda: R.randrange(18, 90))
d("credit_score", "INTEGER", "score", lambda: R.randrange(300, 850))
d("latitude", "DOUBLE", "coordinate", lambda: round(R.uniform(25, 49), 6))
d("currency", "VARCHAR", "code", lambda: pick(["USD", "EUR", "GBP", "JPY"]))
d("country", "VARCHAR", "country", lambda: pick(["US", "GB", "DE", "FR", "IN", "JP"]))
d("state", "VARCHAR", "state", lambda: pick(["CA", "NY", "TX", "FL", "WA", "IL"]))
d("is_active", "BOOLEAN", "bool", lambda: pick(["true", "false"]))
d("quantity", "INTEGER", "count", lambda: R.randrange(1, 50))
d("discount_pct", "DOUBLE", "ratio", lambda: round(R.uniform(0, 0.5), 2))
d("version", "VARCHAR", "semver", lambda: f"{R.randrange(1, 5)}.{R.randrange(20)}.{R.randrange(20)}")
d("flight", "VARCHAR", "flight no", lambda: f"{pick(['AA', 'UA', 'DL', 'BA'])}{R.randrange(10, 9999)}")
d("seat", "VARCHAR", "seat", lambda: f"{R.randrange(1, 40)}{pick('ABCDEF')}")
d("room", "VARCHAR", "room", lambda: f"{pick('ABC')}{R.randrange(100, 450)}")
d("lot_number", "VARCHAR", "lot", lambda: f"L{R.randrange(10, 99)}.{R.randrange(10, 99)}")
d("vin", "VARCHAR", "vin", lambda: "".join(R.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(17)))
d("phone_model", "VARCHAR", "device model", lambda: pick(["iPhone 15", "Pixel 8", "Galaxy S24", "Moto G"]))
d("birth_weight_g", "INTEGER", "measure", lambda: R.randrange(2200, 4800))
d("dept", "VARCHAR", "department", lambda: pick(["Sales", "Finance", "Engineering", "HR", "Legal"]))
d("job_title", "VARCHAR", "title", lambda: pick(["Engineer", "Analyst", "Manager", "Director", "Nurse"]))
d("sensor_reading", "DOUBLE", "measure", lambda: round(R.uniform(-20, 120), 3))
d("timezone", "VARCHAR", "tz", lambda: pick(["America/New_York", "Europe/London", "Asia/Tokyo"]))
d("duration", "VARCHAR", "time", lambda: f"{R.randrange(24):02d}:{R.randrange(60):02d}:{R.randrange(60):02d}")
d("col_9", "VARCHAR", "phone-like ids, unnamed", lambda: f"{R.randrange(100, 199)}.{R.randrange(100, 999)}.{R.randrange(1000, 9999)}")
d("ticket", "VARCHAR", "ticket id", lambda: f"JIRA-{R.randrange(100, 9999)}")
d("hash", "VARCHAR", "hex", lambda: "%032x" % R.getrandbits(128))

# ---------------------------------------------------------------- added hard cases ----
# Written after the first run, before the fixes that followed it; labels from meaning.
col("notes", "VARCHAR", ["email"], "emails inside free text",
    sample(n(), lambda: f"Please contact me at {email()} after 5pm" if R.random() < 0.4
           else pick(["Called, no answer", "Prefers mornings", "Sent brochure", "VIP"])))
col("guardian", "VARCHAR", ["name"], "name, no name word", sample(n(), lambda: " ".join(person())))
col("dependents", "VARCHAR", ["name"], "names list",
    sample(n(), lambda: "; ".join(" ".join(person()) for _ in range(R.randrange(1, 4)))))
col("sales_rep", "VARCHAR", ["name"], "name, rep", sample(n(), lambda: " ".join(person())))
col("Emergency Contact", "VARCHAR", ["name"], "name, emergency", sample(n(), lambda: " ".join(person())))
col("home", "VARCHAR", ["phone"], "phone, terse name", sample(n(), lambda: phone_us(0)))
d("diagnostic_code", "VARCHAR", "car OBD-II trouble codes", lambda: f"{pick('PBCU')}0{R.randrange(100, 999)}")
d("email_opt_in", "BOOLEAN", "bool", lambda: pick(["true", "false"]))
d("phone_verified", "BOOLEAN", "bool", lambda: pick(["true", "false"]))
d("address_verified", "BOOLEAN", "bool", lambda: pick(["true", "false"]))
d("street_number", "INTEGER", "house number only", lambda: R.randrange(1, 9999))
d("salary_band", "VARCHAR", "band", lambda: f"B{R.randrange(1, 9)}")
d("ticker", "VARCHAR", "stock symbol", lambda: pick(["AAPL", "MSFT", "JNJ", "F", "WFC", "MS"]))
d("author", "VARCHAR", "book titles mislabelled column", lambda: pick(["The Great Gatsby", "Moby Dick", "War and Peace", "Dune", "Emma"]))

for c in COLS:
    sys.stdout.write(json.dumps(c, ensure_ascii=False) + "\n")
pos = sum(1 for c in COLS if c["expected"])
sys.stderr.write(f"{len(COLS)} columns: {pos} with PII, {len(COLS) - pos} decoys\n")
