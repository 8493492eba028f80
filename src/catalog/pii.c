/* pii.c: the PII column classifier (see pii.h for the evidence it combines). Every value
 * matcher is hand-written: each one is a few lines of character tests, clearer and much
 * faster than a regex per value. */
#include "catalog/pii.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/pii_int.h"

/* ---------------------------------------------------------------- column names ---- */

#define NAME_MAX_TOKENS 16
#define NAME_TOKEN_LEN 32

/* A column name as lowercase tokens plus the name squashed to lowercase alphanumerics
 * ("Date of Birth" -> date, of, birth / "dateofbirth"). */
typedef struct name_tokens {
    char tok[NAME_MAX_TOKENS][NAME_TOKEN_LEN];
    size_t n;
    char squash[128];
} name_tokens;

static void tokenize(const char *name, name_tokens *nt)
{
    memset(nt, 0, sizeof *nt);
    size_t len = 0, sq = 0;
    char cur[NAME_TOKEN_LEN];
    for (const char *p = name ? name : "";; p++) {
        unsigned char c = (unsigned char)*p;
        bool alnum = c && isalnum(c);
        bool boundary = !alnum;
        if (alnum && len) {
            unsigned char prev = (unsigned char)p[-1];
            /* camelCase (lower then upper) and letter/digit changes split tokens */
            if ((islower(prev) && isupper(c)) || (isalpha(prev) && isdigit(c)) ||
                (isdigit(prev) && isalpha(c)))
                boundary = true;
        }
        if (boundary && len) {
            if (nt->n < NAME_MAX_TOKENS) {
                memcpy(nt->tok[nt->n], cur, len);
                nt->tok[nt->n][len] = '\0';
                nt->n++;
            }
            len = 0;
        }
        if (!c)
            break;
        if (alnum) {
            if (len < NAME_TOKEN_LEN - 1)
                cur[len++] = (char)tolower(c);
            if (sq < sizeof nt->squash - 1)
                nt->squash[sq++] = (char)tolower(c);
        }
    }
}

/* True when one of the NULL-terminated words is a token of the name. */
static bool has_token(const name_tokens *nt, const char *const *words)
{
    for (size_t i = 0; i < nt->n; i++)
        for (const char *const *w = words; *w; w++)
            if (!strcmp(nt->tok[i], *w))
                return true;
    return false;
}

static bool squash_has(const name_tokens *nt, const char *const *parts)
{
    for (const char *const *w = parts; *w; w++)
        if (strstr(nt->squash, *w))
            return true;
    return false;
}

/* How strongly the name points at a class. */
enum { HINT_NONE = 0, HINT_WEAK = 1, HINT_STRONG = 2 };

static int email_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"email", "emails", "emailaddress", "mail", NULL};
    static const char *const sq[] = {"email", NULL};
    return has_token(nt, tok) || squash_has(nt, sq) ? HINT_STRONG : HINT_NONE;
}

static int phone_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"phone", "phones", "telephone", "tel", "mobile", "cell",
                                      "cellphone", "fax", "msisdn", "phonenumber", "whatsapp", NULL};
    static const char *const sq[] = {"phone", NULL};
    static const char *const weak[] = {"contact", "number", NULL};
    static const char *const veto[] = {"model", "brand", "make", "os", "carrier", "type", NULL};
    if (has_token(nt, veto))
        return HINT_NONE;
    if (has_token(nt, tok) || squash_has(nt, sq))
        return HINT_STRONG;
    return has_token(nt, weak) ? HINT_WEAK : HINT_NONE;
}

static int ssn_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"ssn", "ssns", "social", NULL};
    static const char *const sq[] = {"socialsecurity", "ssnumber", NULL};
    return has_token(nt, tok) || squash_has(nt, sq) ? HINT_STRONG : HINT_NONE;
}

static int salary_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"salary", "salaries", "wage", "wages", "comp", "compensation",
                                      "pay", "payrate", "income", "earnings", "bonus",
                                      "remuneration", "stipend", "paycheck", "ctc", NULL};
    static const char *const sq[] = {"salary", "compensation", NULL};
    static const char *const veto[] = {"id", "date", "day", "type", "method", "grade", "band",
                                       "period", "frequency", "currency", "status", "code",
                                       "count", "flag", "plan", "schedule", "level", "cycle",
                                       "group", "class",
                                       /* counts and shares of something wage-related:
                                        * "Low_wage_jobs", "wage_gap_pct" */
                                       "jobs", "job", "workers", "employees", "people",
                                       "persons", "positions", "households", "hours", "share",
                                       "pct", "percent", "percentage", "ratio", "gap", "growth",
                                       "change", "index", "rank", NULL};
    if (has_token(nt, veto))
        return HINT_NONE;
    return has_token(nt, tok) || squash_has(nt, sq) ? HINT_STRONG : HINT_NONE;
}

static int address_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"address", "addr", "street", "addresses", "streetaddress",
                                      "addressline", NULL};
    static const char *const sq[] = {"address", "street", NULL};
    static const char *const veto[] = {"email", "mail", "ip", "ipv4", "ipv6", "mac", "web", "url",
                                       "wallet", "server", "host", "memory", "mem", "city",
                                       "country", "state", "zip", "postal", "postcode", "region",
                                       "type", "verified", "id", "hash", "btc", "eth", "contract",
                                       "remote", "local", "bind", "proxy", "gateway", NULL};
    if (has_token(nt, veto) || strstr(nt->squash, "email") || strstr(nt->squash, "ipaddr"))
        return HINT_NONE;
    return has_token(nt, tok) || squash_has(nt, sq) ? HINT_STRONG : HINT_NONE;
}

static int medical_hint(const name_tokens *nt)
{
    static const char *const strong[] = {"icd", "diagnosis", "diagnoses", "medication",
                                         "medications", "prescription", "prescriptions",
                                         "prescribed", "allergy", "allergies", NULL};
    /* "diagnostic" is not "diagnosis": diagnostic codes are as often a car's or a device's */
    static const char *const sq[] = {"diagnosis", "diagnoses", "medication", "icd10", NULL};
    static const char *const weak[] = {"dx", "rx", "meds", "drug", "drugs", "condition",
                                       "conditions", "illness", "disease", "medical", NULL};
    static const char *const veto[] = {"bytes", "packets", "errors", "dropped", "bits", "power",
                                       "signal", "queue", "rate", "count", "id", NULL};
    if (has_token(nt, veto))
        return HINT_NONE;
    if (has_token(nt, strong) || squash_has(nt, sq))
        return HINT_STRONG;
    return has_token(nt, weak) ? HINT_WEAK : HINT_NONE;
}

static bool person_veto(const name_tokens *nt)
{
    static const char *const veto[] = {
        "product", "company", "file", "filename", "user", "username", "item", "brand", "table",
        "column", "host", "hostname", "domain", "city", "street", "country", "category", "team",
        "org", "organization", "organisation", "vendor", "store", "shop", "school", "project",
        "event", "app", "model", "business", "bank", "department", "dept", "sku", "course", "job",
        "role", "group", "region", "state", "county", "species", "drug", "medication", "field",
        "key", "server", "service", "merchant", "supplier", "hotel", "restaurant", "venue",
        "campaign", "plan", "package", "tag", "label", "title", "screen", "display", "nick",
        "nickname", "handle", "login", "account", "publisher", "employer", "firm", "agency",
        "carrier", "airline", "device", "color", "colour", "town", "place", "site", "location",
        "warehouse", "branch", "ship", "playlist", "song", "album", "book", "movie", "film",
        "game", "pet", "breed", "dataset", "database", "schema", "queue", "topic", "bucket",
        "feature", "metric", "sensor", "building", "office", "facility", "center", "centre",
        "street", "road", "stock", "ticker", "fund", "index", NULL};
    return has_token(nt, veto) || strstr(nt->squash, "username") || strstr(nt->squash, "company");
}

static int person_hint(const name_tokens *nt)
{
    static const char *const strong[] = {"surname", "firstname", "lastname", "fullname", "fname",
                                         "lname", "givenname", "forename", "forenames",
                                         "maidenname", "familyname", "middlename", NULL};
    static const char *const sq[] = {"firstname", "lastname", "surname", "fullname", "givenname",
                                     "familyname", "middlename", "maidenname", NULL};
    static const char *const qual[] = {"first", "last", "given", "family", "middle", "full",
                                       "maiden", "patient", "employee", "customer", "person",
                                       "contact", "member", "student", "manager", "author",
                                       "applicant", "candidate", "driver", "passenger", "guest",
                                       "recipient", "sender", "owner", "emergency", "client",
                                       "physician", "doctor", "nurse", "teacher", "parent",
                                       "spouse", "child", "beneficiary", "insured", "holder",
                                       "cardholder", "borrower", "tenant", "buyer", "seller",
                                       "rep", "agent", "worker", "staff", "legal", NULL};
    static const char *const name[] = {"name", "names", NULL};
    if (person_veto(nt))
        return HINT_NONE;
    if (has_token(nt, strong) || squash_has(nt, sq))
        return HINT_STRONG;
    if (has_token(nt, name))
        return has_token(nt, qual) ? HINT_STRONG : HINT_WEAK;
    return HINT_NONE;
}

/* A column named for a role only people fill ("athlete", "Director") holds their names
 * when the values are name-shaped; the values decide (values first), the noun only lets
 * name shapes count without a hit in our short name lists. */
static bool person_role(const name_tokens *nt)
{
    static const char *const role[] = {
        "athlete", "athletes", "player", "players", "director", "directors", "actor", "actors",
        "actress", "author", "authors", "artist", "artists", "composer", "writer", "writers",
        "singer", "coach", "candidate", "nominee", "laureate", "victim", "suspect", "defendant",
        "plaintiff", "politician", "senator", "swimmer", "runner", "cyclist", "gymnast",
        "skater", "boxer", "golfer", "jockey", "rider", "umpire", "referee", NULL};
    return !person_veto(nt) && has_token(nt, role);
}

/* A column named only for a person ("name", "person", "first_name"): the name alone is
 * too weak to flag single words ("name" also holds states and species), but single
 * capitalised words of which a good share are given names or surnames are people. */
static bool bare_person_column(const name_tokens *nt)
{
    static const char *const bare[] = {"name", "person", "firstname", "givenname", NULL};
    for (const char *const *w = bare; *w; w++)
        if (!strcmp(nt->squash, *w))
            return true;
    return false;
}

/* One capitalised alphabetic word ("Alan"; not "ALAN", "alan", "Ana Ruiz"). */
static bool single_capitalised_word(const char *v)
{
    size_t n;
    v = lh__pii_trim(v, &n);
    if (n < 2 || !isupper((unsigned char)v[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!islower((unsigned char)v[i]))
            return false;
    return true;
}

static int dob_hint(const name_tokens *nt)
{
    static const char *const tok[] = {"dob", "birth", "birthdate", "birthday", "bday", "born",
                                      "birthyear", "dateofbirth", NULL};
    static const char *const sq[] = {"dateofbirth", "birthdate", "birthday", NULL};
    static const char *const veto[] = {"place", "city", "country", "location", "weight",
                                       "order", "certificate", "rate", "rank", "name", "town",
                                       "state", "id", NULL};
    if (has_token(nt, veto))
        return HINT_NONE;
    return has_token(nt, tok) || squash_has(nt, sq) ? HINT_STRONG : HINT_NONE;
}

/* ---------------------------------------------------------------- the classifier ---- */

static const char *const class_order[] = {"email", "phone", "ssn", "salary", "address",
                                          "medical", "name", "dob"};

const char *lh_pii_class_sensitivity(const char *cls)
{
    if (!cls)
        return NULL;
    if (!strcmp(cls, "ssn") || !strcmp(cls, "medical"))
        return "restricted";
    for (size_t i = 0; i < COUNT(class_order); i++)
        if (!strcmp(cls, class_order[i]))
            return "confidential";
    return NULL;
}

static const char *const levels[] = {"public", "internal", "confidential", "restricted"};

int lh_pii_sensitivity_rank(const char *level)
{
    for (int i = 0; level && i < 4; i++)
        if (!strcmp(level, levels[i]))
            return i;
    return -1;
}

const char *lh_pii_sensitivity_name(int rank)
{
    return rank >= 0 && rank < 4 ? levels[rank] : NULL;
}

static bool numeric_type(const char *type)
{
    static const char *const num[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                                      "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
                                      "FLOAT", "DOUBLE", "REAL", "DECIMAL", NULL};
    if (!type)
        return false;
    for (const char *const *p = num; *p; p++)
        if (!strncasecmp(type, *p, strlen(*p)))
            return true;
    return false;
}

static bool integer_type(const char *type)
{
    return numeric_type(type) && strncasecmp(type, "FLOAT", 5) && strncasecmp(type, "DOUBLE", 6) &&
           strncasecmp(type, "REAL", 4) && strncasecmp(type, "DECIMAL", 7);
}

/* Fractions of the sample matching each value rule. */
typedef struct evidence {
    double email, email_text, icd_letters, phone_strong, phone_any, ssn_dashed, ssn_any, amount, address_full,
        address_any, icd_any, icd_dotted, medical_text, person_list, person_any, person_multi,
        birth_date, amount_hourly, amount_period, single_word, single_listed;
} evidence;

static void gather(const char *type, bool ssn_pad, const char *const *values, size_t n,
                   evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    bool letters[26] = {false};
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i] ? values[i] : "";
        bool em = lh__pii_email_value(v);
        ev->email += em;
        ev->email_text += em || lh__pii_email_in_text(v);
        int p = lh__pii_phone_value(v);
        ev->phone_strong += p == PHONE_STRONG;
        ev->phone_any += p != PHONE_NO;
        int s = lh__pii_ssn_value(v, ssn_pad);
        ev->ssn_dashed += s == SSN_DASHED;
        ev->ssn_any += s != SSN_NO;
        double x;
        if (lh__pii_parse_amount(v, &x)) {
            ev->amount += x >= 5 && x <= 10e6;
            ev->amount_hourly += x >= 5 && x <= 500;
            ev->amount_period += x >= 1000 && x <= 10e6;
        }
        int a = lh__pii_address_value(v);
        ev->address_full += a == ADDR_FULL;
        ev->address_any += a != ADDR_NO;
        int c = lh__pii_icd10_value(v);
        ev->icd_any += c != ICD_NO;
        if (c != ICD_NO)
            letters[toupper((unsigned char)*lh__pii_trim(v, &(size_t){0})) - 'A'] = true;
        ev->icd_dotted += c == ICD_DOTTED;
        ev->medical_text += lh__pii_medical_text(v);
        bool multi = false;
        int pv = lh__pii_person_value(v, &multi);
        ev->person_list += pv == PERSON_LIST;
        ev->person_any += pv != PERSON_NO;
        ev->person_multi += pv != PERSON_NO && multi;
        if (single_capitalised_word(v)) {
            ev->single_word++;
            ev->single_listed += pv == PERSON_LIST; /* one word: a given name or surname */
        }
        int year = 0;
        if (integer_type(type) && strlen(v) == 4)
            year = (int)strtol(v, NULL, 10); /* a birth_year column */
        else if (!lh__pii_date_value(v, &year))
            year = 0;
        ev->birth_date += year >= 1900 && year <= 2030;
    }
    double *f = &ev->email;
    for (size_t k = 0; k < sizeof *ev / sizeof(double); k++)
        f[k] = n ? f[k] / (double)n : 0;
    for (int k = 0; k < 26; k++)
        ev->icd_letters += letters[k]; /* a count, not a fraction */
}

typedef struct flag {
    const char *rule;
    double confidence;
} flag;

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 0.99 ? 0.99 : x;
}

/* name+values: 0.90-0.99; values alone: from 0.6 up; name alone: 0.5-0.7. */
static void set_flag(flag *f, const char *rule, double confidence)
{
    if (!f->rule || confidence > f->confidence) {
        f->rule = rule;
        f->confidence = clamp01(confidence);
    }
}

json_t *lh_pii_classify(const char *name, const char *type, const char *const *values, size_t n)
{
    name_tokens nt;
    tokenize(name, &nt);
    int h_email = email_hint(&nt), h_phone = phone_hint(&nt), h_ssn = ssn_hint(&nt),
        h_salary = salary_hint(&nt), h_addr = address_hint(&nt), h_med = medical_hint(&nt),
        h_person = person_hint(&nt), h_dob = dob_hint(&nt);
    evidence ev;
    gather(type, h_ssn && integer_type(type), values, n, &ev);
    flag f[8] = {{0}};
    enum { EMAIL, PHONE, SSN, SALARY, ADDRESS, MEDICAL, NAME, DOB };
    const char *NV = "name+values", *VP = "value-pattern", *VL = "value-list", *NM = "name";

    if (n == 0) {
        /* nothing to look at: only unambiguous names speak */
        int hints[8] = {h_email, h_phone, h_ssn, h_salary, h_addr, h_med, h_person, h_dob};
        for (int k = 0; k < 8; k++)
            if (hints[k] == HINT_STRONG)
                set_flag(&f[k], NM, 0.5);
    } else {
        /* email: the syntax is unambiguous */
        if (h_email && ev.email >= 0.3)
            set_flag(&f[EMAIL], NV, 0.9 + 0.09 * ev.email);
        if (ev.email >= 0.6)
            set_flag(&f[EMAIL], VP, 0.6 + 0.38 * ev.email);
        else if (ev.email_text >= 0.2)
            set_flag(&f[EMAIL], "value-contains", 0.5 + 0.4 * ev.email_text);

        /* phone: formatted NANP / E.164 alone; bare digits only next to a phone name */
        if (h_phone == HINT_STRONG && ev.phone_any >= 0.6)
            set_flag(&f[PHONE], NV, 0.9 + 0.09 * ev.phone_any);
        else if (h_phone == HINT_WEAK && ev.phone_strong >= 0.6)
            set_flag(&f[PHONE], NV, 0.85 + 0.1 * ev.phone_strong);
        if (ev.phone_strong >= 0.7)
            set_flag(&f[PHONE], VP, 0.55 + 0.4 * ev.phone_strong);
        /* values first: an "address" full of phone numbers is the phone's address, as in
         * every SMS Backup & Restore export; bare digits count there as next to "phone" */
        if (h_addr && ev.phone_any >= 0.6 && ev.address_any < 0.2)
            set_flag(&f[PHONE], NV, 0.9 + 0.09 * ev.phone_any);
        /* a contact column holding both emails and phone numbers */
        if (ev.email >= 0.25 && ev.phone_strong >= 0.25 && ev.email + ev.phone_strong >= 0.8) {
            set_flag(&f[EMAIL], VP, 0.5 + 0.4 * ev.email);
            set_flag(&f[PHONE], VP, 0.5 + 0.4 * ev.phone_strong);
        }

        /* ssn: dashed AAA-GG-SSSS in valid ranges alone; bare nine digits with the name */
        if (h_ssn && ev.ssn_any >= 0.7)
            set_flag(&f[SSN], NV, 0.9 + 0.09 * ev.ssn_any);
        if (ev.ssn_dashed >= 0.8)
            set_flag(&f[SSN], VP, 0.55 + 0.4 * ev.ssn_dashed);

        /* salary: needs the name, and values that read as pay: plausible amounts that sit
         * in one band, hourly (5-500) or per month/year (1,000 and up); counts spread
         * over both bands ("Low_wage_jobs": 0, 12, 193, 3895) contradict the name */
        if (h_salary && ev.amount >= 0.8 && (ev.amount_hourly >= 0.8 || ev.amount_period >= 0.8) &&
            (numeric_type(type) || ev.phone_any < 0.5))
            set_flag(&f[SALARY], NV, 0.85 + 0.14 * ev.amount);

        /* address */
        if (h_addr && (ev.address_full >= 0.2 || ev.address_any >= 0.5))
            set_flag(&f[ADDRESS], NV, 0.9 + 0.09 * ev.address_any);
        if (ev.address_full >= 0.5)
            set_flag(&f[ADDRESS], VP, 0.55 + 0.4 * ev.address_full);

        /* medical: ICD-10 codes (dotted ones are distinctive), clinical vocabulary */
        if (h_med && (ev.icd_any >= 0.5 || ev.medical_text >= 0.2))
            set_flag(&f[MEDICAL], NV, 0.9 + 0.09 * (ev.icd_any > ev.medical_text ? ev.icd_any
                                                                                 : ev.medical_text));
        /* codes from one chapter only ("L12.34, L40.17": lot numbers) are not diagnoses */
        if (ev.icd_any >= 0.8 && ev.icd_dotted >= 0.3 && (ev.icd_letters >= 3 || n < 10))
            set_flag(&f[MEDICAL], VP, 0.55 + 0.4 * ev.icd_any);
        if (ev.medical_text >= 0.5)
            set_flag(&f[MEDICAL], VL, 0.5 + 0.45 * ev.medical_text);
        if (h_med == HINT_STRONG && !f[MEDICAL].rule)
            set_flag(&f[MEDICAL], NM, 0.65);

        /* person names: list hits; a strong name hint also accepts name-shaped values */
        if (h_person == HINT_STRONG && (ev.person_list >= 0.25 || ev.person_any >= 0.8))
            set_flag(&f[NAME], NV, 0.85 + 0.14 * ev.person_any);
        else if (h_person == HINT_WEAK && ev.person_list >= 0.4)
            set_flag(&f[NAME], NV, 0.8 + 0.15 * ev.person_list);
        if (person_role(&nt) && ev.person_any >= 0.8 && ev.person_multi >= 0.5)
            set_flag(&f[NAME], NV, 0.85 + 0.1 * ev.person_any);
        /* "name" / "person" of single words: mostly one capitalised word each, and at
         * least a fifth of them in our (short) name lists, twice over at least; states,
         * boroughs and species named "name" hit the lists once in fifty values or less */
        if (bare_person_column(&nt) && ev.single_word >= 0.8 && ev.single_listed >= 0.2 &&
            ev.single_listed * (double)n >= 2)
            set_flag(&f[NAME], NV, 0.8 + 0.15 * ev.single_listed);
        if (!person_veto(&nt) && ev.person_list >= 0.6 && ev.person_multi >= 0.5)
            set_flag(&f[NAME], VL, 0.5 + 0.4 * ev.person_list);

        /* date of birth: needs the name */
        if (h_dob && ev.birth_date >= 0.8)
            set_flag(&f[DOB], NV, 0.9 + 0.09 * ev.birth_date);
    }

    /* one column, one meaning: an email column is not also a name column (emails hold
     * names), nor an address column an ICD one */
    if (f[EMAIL].rule)
        f[NAME].rule = NULL;

    json_t *out = json_object(), *pii = json_array(), *rules = json_array();
    if (!out || !pii || !rules) {
        json_decref(out);
        json_decref(pii);
        json_decref(rules);
        return NULL;
    }
    int rank = -1;
    for (size_t k = 0; k < COUNT(class_order); k++) {
        if (!f[k].rule)
            continue;
        double conf = round(f[k].confidence * 100) / 100;
        json_array_append_new(pii, json_string(class_order[k]));
        json_array_append_new(rules, json_pack("{s:s, s:s, s:f}", "class", class_order[k], "rule",
                                               f[k].rule, "confidence", conf));
        int r = lh_pii_sensitivity_rank(lh_pii_class_sensitivity(class_order[k]));
        if (r > rank)
            rank = r;
    }
    json_object_set_new(out, "pii", pii);
    json_object_set_new(out, "pii_rules", rules);
    json_object_set_new(out, "sensitivity",
                        rank >= 0 ? json_string(lh_pii_sensitivity_name(rank)) : json_null());
    return out;
}
