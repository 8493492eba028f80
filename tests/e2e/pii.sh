# End to end: PII detection at ingest and on resync (docs/INTERNALS.md, "PII detection").
source "$(dirname "$0")/lib.sh"
cd "$WORK"

python3 - <<'PY'
import random
r = random.Random(7)
first = ["Ada", "Alan", "Grace", "Mary", "John", "Priya", "Wei", "Linda", "James", "Sofia"]
last = ["Lovelace", "Turing", "Hopper", "Smith", "Garcia", "Patel", "Chen", "Nguyen", "Brown", "Okafor"]
conds = ["E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "E78.5", "N39.0", "Z00.00", "G43.909"]
with open("patients.csv", "w") as f:
    f.write("id,full_name,email,phone,ssn,salary,address,dob,diagnosis,zip,order_id,sku,created_at\n")
    for i in range(300):
        fn, ln = r.choice(first), r.choice(last)
        f.write(",".join([
            str(i + 1), f"{fn} {ln}", f"{fn.lower()}.{ln.lower()}{i}@example.com",
            f"({r.choice([212, 415, 312, 617])}) {r.randrange(200, 999)}-{r.randrange(10000):04d}",
            f"{r.randrange(1, 899):03d}-{r.randrange(1, 99):02d}-{r.randrange(1, 9999):04d}",
            str(r.randrange(40000, 200000)),
            f"\"{r.randrange(1, 9999)} {r.choice(['Main', 'Oak', 'Elm'])} {r.choice(['St', 'Ave', 'Rd'])}\"",
            f"{r.randrange(1940, 2005)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}",
            r.choice(conds), f"{r.randrange(1000, 99999):05d}", str(100000 + i),
            f"SKU-{r.randrange(10000, 99999)}",
            f"2024-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d} 10:{r.randrange(60):02d}:00"]) + "\n")
PY

check "ingest a CSV with PII and decoys" "$LH" ingest patients.csv --json

# "col=class1+class2 ..." for every column, and the dataset's sensitivity
pii_summary() {
  lh datasets "$1" --json | python3 -c '
import json, sys
m = json.load(sys.stdin)
print(m["sensitivity"], " ".join(c["name"] + "=" + "+".join(c.get("pii", [])) for c in m["columns"]))'
}
want="restricted id= full_name=name email=email phone=phone ssn=ssn salary=salary address=address dob=dob diagnosis=medical zip= order_id= sku= created_at="
expect_eq "the right columns are flagged, decoys are not" "$want" "$(pii_summary patients)"
expect_eq "each flag names its rule and a confidence" "ok" "$("$LH" datasets patients --json | python3 -c '
import json, sys
m = json.load(sys.stdin)
bad = [c["name"] for c in m["columns"] for f in c.get("pii_rules", [])
       if f["class"] not in c["pii"] or not f["rule"] or not 0 < f["confidence"] <= 1]
flagged = [c["name"] for c in m["columns"] if c["pii"] and len(c["pii_rules"]) != len(c["pii"])]
print("ok" if not bad and not flagged else bad + flagged)')"
expect_eq "column sensitivity follows the class" "restricted confidential internal" "$("$LH" datasets patients --json | python3 -c '
import json, sys
c = {c["name"]: c for c in json.load(sys.stdin)["columns"]}
print(c["ssn"]["sensitivity"], c["email"]["sensitivity"], c["zip"]["sensitivity"])')"

# resync re-detects after the PII fields were blanked in the manifest file
python3 - "$LAKEHOUSE_DATA/_catalog/datasets/patients.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["sensitivity"] = "internal"
for c in m["columns"]:
    c["pii"] = []
    c.pop("pii_rules", None)
    c["sensitivity"] = "internal"
json.dump(m, open(sys.argv[1], "w"))
PY
expect_eq "blanked" "internal id= full_name= email= phone= ssn= salary= address= dob= diagnosis= zip= order_id= sku= created_at=" "$(pii_summary patients)"
check "resync" "$LH" resync patients --json
expect_eq "resync reports pii as a changed field" "True ['pii']" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))[0]; print(d["changed"], d["fields"])' "$WORK/out")"
expect_eq "resync re-detects every flag" "$want" "$(pii_summary patients)"
check "resync again" "$LH" resync patients --json
expect_eq "a second resync changes nothing" "False" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["changed"])' "$WORK/out")"

# sensitivity is never lowered: a dataset without PII keeps a user's explicit level
printf 'sku,qty,created_at\nSKU-1,2,2024-01-01 00:00:00\nSKU-2,5,2024-01-02 00:00:00\n' > stock.csv
check "ingest a table without PII" "$LH" ingest stock.csv
expect_eq "no PII: the default sensitivity stays" "internal sku= qty= created_at=" "$(pii_summary stock)"
check "raise it by hand" "$LH" datasets stock --sensitivity restricted
check "resync" "$LH" resync stock
expect_eq "an explicit higher level survives resync" "restricted" "$(pii_summary stock | cut -d' ' -f1)"

# an append adds flags its new file shows (a new column) and keeps the old ones
printf 'sku,qty,created_at,buyer_email\nSKU-3,1,2024-01-03 00:00:00,ana@example.com\nSKU-4,1,2024-01-04 00:00:00,bo@example.org\n' > stock2.csv
check "append a file with a new email column" "$LH" ingest stock2.csv --name stock
expect_eq "the new column is flagged" "restricted sku= qty= created_at= buyer_email=email" "$(pii_summary stock)"

# an SMS Backup & Restore export: its "address" attribute is the other party's phone
# number (values first: the numbers decide, not the word "address"); ingest and resync agree
python3 - <<'PY'
import random
r = random.Random(11)
# as phones store them: mostly bare national digits, some E.164
nums = ["5035550147", "5035550199", "9715550111", "2065550173", "3605550142", "5415550168",
        "+15035550188", "+12065550190", "+447700900123", "5035550123"]
with open("sms-20240105.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n<smses count="40">\n')
    for i in range(40):
        f.write('  <sms protocol="0" address="%s" date="%d" type="%d" subject="null" body="see you at %d" '
                'toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" '
                'date_sent="0" readable_date="" contact_name="(Unknown)" />\n'
                % (r.choice(nums), 1704400000000 + i * 60000, 1 + i % 2, i))
    f.write('</smses>\n')
PY
check "ingest an SMS backup" "$LH" ingest sms-20240105.xml --name sms
sms_address() {
  "$LH" datasets sms --json | python3 -c '
import json, sys
c = {c["name"]: c for c in json.load(sys.stdin)["columns"]}
print("+".join(c["address"].get("pii", [])))'
}
expect_eq "an SMS backup's address column is flagged phone, not address" "phone" "$(sms_address)"
check "resync the SMS backup" "$LH" resync sms
expect_eq "resync keeps the phone flag on address" "phone" "$(sms_address)"
