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
                                       "group", "class", NULL};
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

/* ---------------------------------------------------------------- value rules ---- */

/* Value with leading/trailing whitespace removed, as [s, s+len). */
static const char *trim(const char *v, size_t *len)
{
    while (*v && isspace((unsigned char)*v))
        v++;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    *len = n;
    return v;
}

static bool email_value(const char *v)
{
    size_t n;
    v = trim(v, &n);
    const char *at = memchr(v, '@', n);
    if (!at || at == v || memchr(at + 1, '@', n - (size_t)(at - v) - 1))
        return false;
    size_t local = (size_t)(at - v);
    if (local > 64 || v[0] == '.' || at[-1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        unsigned char c = (unsigned char)v[i];
        if (!isalnum(c) && !strchr("._%+-'", c))
            return false;
    }
    const char *d = at + 1, *end = v + n;
    size_t labels = 0, label_len = 0, label_alpha = 0, tld_len = 0, tld_alpha = 0;
    for (const char *p = d; p <= end; p++) {
        if (p == end || *p == '.') {
            if (!label_len || p[-1] == '-')
                return false;
            labels++;
            tld_len = label_len;
            tld_alpha = label_alpha;
            label_len = label_alpha = 0;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (!isalnum(c) && c != '-')
            return false;
        if (!label_len && c == '-')
            return false;
        label_len++;
        label_alpha += isalpha(c) != 0;
    }
    return labels >= 2 && tld_len >= 2 && tld_alpha == tld_len;
}

/* True when a word of free text is an email address ("write to ada@example.com."). */
static bool email_in_text(const char *v)
{
    if (!strchr(v, '@'))
        return false;
    char word[256];
    for (const char *p = v; *p;) {
        while (*p && (isspace((unsigned char)*p) || strchr("<>()[],;:\"", *p)))
            p++;
        size_t len = 0;
        while (p[len] && !isspace((unsigned char)p[len]) && !strchr("<>()[],;:\"", p[len]))
            len++;
        while (len && (p[len - 1] == '.' || p[len - 1] == '!' || p[len - 1] == '?'))
            len--;
        if (len && len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (email_value(word))
                return true;
        }
        while (*p && !isspace((unsigned char)*p) && !strchr("<>()[],;:\"", *p))
            p++;
    }
    return false;
}

/* NANP: NPA-NXX-XXXX, area and exchange start 2-9 and are not N11; area codes with a
 * middle 9 are reserved for expansion. d points at 10 digits. */
static bool nanp_valid(const char *d)
{
    if (d[0] < '2' || (d[1] == '1' && d[2] == '1') || d[1] == '9')
        return false;
    if (d[3] < '2' || (d[4] == '1' && d[5] == '1'))
        return false;
    return true;
}

/* Length of the ITU country code at the start of d (E.164 digits), or 0. */
static size_t country_code_len(const char *d, size_t n)
{
    if (n < 1)
        return 0;
    if (d[0] == '1' || d[0] == '7')
        return 1;
    if (n < 2)
        return 0;
    static const char *const two[] = {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40",
                                      "41", "43", "44", "45", "46", "47", "48", "49", "51", "52",
                                      "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
                                      "64", "65", "66", "81", "82", "84", "86", "90", "91", "92",
                                      "93", "94", "95", "98", NULL};
    static const char *const three[] = {"21", "22", "23", "24", "25", "26", "29", "35", "37",
                                        "38", "42", "50", "59", "67", "68", "69", "85", "88",
                                        "96", "97", "99", NULL};
    for (const char *const *p = two; *p; p++)
        if (d[0] == (*p)[0] && d[1] == (*p)[1])
            return 2;
    if (n >= 3 && d[0] == '9' && d[1] == '9' && (d[2] == '0' || d[2] == '7' || d[2] == '9'))
        return 0; /* 990, 997, 999: spare or reserved */
    for (const char *const *p = three; *p; p++)
        if (n >= 3 && d[0] == (*p)[0] && d[1] == (*p)[1])
            return 3;
    return 0;
}

enum { PHONE_NO = 0, PHONE_WEAK = 1, PHONE_STRONG = 2 };

/* Classifies a phone-number candidate: STRONG for E.164 (+ or 00 prefix, a real country
 * code, 8-15 digits) and for NANP numbers written with the usual grouping, WEAK for bare
 * valid NANP digits and for national numbers with a trunk 0 (only counted next to a
 * phone-like column name). */
static int phone_value(const char *v)
{
    size_t n;
    v = trim(v, &n);
    char digits[24];
    size_t nd = 0, groups = 0, glen[8] = {0};
    bool plus = false, paren = false, in_group = false;
    size_t i = 0;
    if (n && v[0] == '+') {
        plus = true;
        i = 1;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (isdigit(c)) {
            if (nd >= sizeof digits - 1)
                return PHONE_NO;
            digits[nd++] = (char)c;
            if (!in_group) {
                if (groups >= 8)
                    return PHONE_NO;
                groups++;
                in_group = true;
            }
            glen[groups - 1]++;
            continue;
        }
        in_group = false;
        if (c == '(' || c == ')') {
            paren = true;
            continue;
        }
        if (c == ' ' || c == '-' || c == '.')
            continue;
        /* an extension ends the number: " x123", " ext. 12", "#12" */
        if (tolower(c) == 'x' || tolower(c) == 'e' || c == '#') {
            const char *r = v + i;
            while (*r && (isalpha((unsigned char)*r) || *r == '.' || *r == '#' || *r == ' '))
                r++;
            size_t rest = n - (size_t)(r - v), k = 0;
            while (k < rest && isdigit((unsigned char)r[k]))
                k++;
            if (!k || k != rest || k > 6)
                return PHONE_NO;
            break;
        }
        return PHONE_NO;
    }
    digits[nd] = '\0';
    if (nd < 7)
        return PHONE_NO;
    if (!plus && nd > 2 && digits[0] == '0' && digits[1] == '0') {
        plus = true; /* 00 international prefix */
        memmove(digits, digits + 2, nd - 1);
        nd -= 2;
    }
    if (plus) {
        if (nd < 8 || nd > 15)
            return PHONE_NO;
        size_t cc = country_code_len(digits, nd);
        if (!cc)
            return PHONE_NO;
        if (digits[0] == '1')
            return nd == 11 && nanp_valid(digits + 1) ? PHONE_STRONG : PHONE_NO;
        return nd - cc >= 6 ? PHONE_STRONG : PHONE_NO;
    }
    if (nd == 10 || (nd == 11 && digits[0] == '1')) {
        const char *d = digits + (nd - 10);
        if (!nanp_valid(d))
            return PHONE_NO;
        bool us_groups = (groups == 3 && glen[0] == 3 && glen[1] == 3 && glen[2] == 4) ||
                         (groups == 4 && glen[0] == 1 && glen[1] == 3 && glen[2] == 3 && glen[3] == 4);
        if (us_groups || (paren && groups >= 3))
            return PHONE_STRONG;
        return PHONE_WEAK;
    }
    /* national format with a trunk 0, written in groups (UK "020 7946 0958") */
    if (digits[0] == '0' && digits[1] != '0' && nd >= 10 && nd <= 11 && groups >= 2)
        return PHONE_WEAK;
    return PHONE_NO;
}

enum { SSN_NO = 0, SSN_BARE = 1, SSN_DASHED = 2 };

/* US SSN: area 001-899 but not 666, group 01-99, serial 0001-9999; "AAA-GG-SSSS",
 * "AAA GG SSSS" (DASHED) or nine bare digits (BARE). pad_to_9 restores the leading zeros
 * an integer column dropped. */
static int ssn_value(const char *v, bool pad_to_9)
{
    size_t n;
    v = trim(v, &n);
    char d[10];
    int kind;
    if (n == 11 && (v[3] == '-' || v[3] == ' ') && v[6] == v[3]) {
        for (size_t i = 0, k = 0; i < 11; i++) {
            if (i == 3 || i == 6)
                continue;
            if (!isdigit((unsigned char)v[i]))
                return SSN_NO;
            d[k++] = v[i];
        }
        kind = SSN_DASHED;
    } else if (n == 9 || (pad_to_9 && n >= 7 && n < 9)) {
        size_t pad = 9 - n;
        memset(d, '0', pad);
        for (size_t i = 0; i < n; i++) {
            if (!isdigit((unsigned char)v[i]))
                return SSN_NO;
            d[pad + i] = v[i];
        }
        kind = SSN_BARE;
    } else {
        return SSN_NO;
    }
    int area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    int group = (d[3] - '0') * 10 + (d[4] - '0');
    int serial = (d[5] - '0') * 1000 + (d[6] - '0') * 100 + (d[7] - '0') * 10 + (d[8] - '0');
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
        return SSN_NO;
    return kind;
}

/* A number with an optional currency sign, thousands separators and a trailing currency
 * code or "k" ("$85,000", "72000.50", "EUR 51 000", "95k"). */
static bool parse_amount(const char *v, double *out)
{
    size_t n;
    v = trim(v, &n);
    char buf[48];
    size_t k = 0;
    double mult = 1;
    size_t i = 0;
    while (i < n && (!isdigit((unsigned char)v[i]) && v[i] != '-' && v[i] != '.')) {
        /* leading currency: $, €, £ (UTF-8), or 3 letters */
        i++;
        if (i > 4)
            return false;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (isdigit(c) || c == '.' || (c == '-' && !k)) {
            if (k >= sizeof buf - 1)
                return false;
            buf[k++] = (char)c;
        } else if (c == ',' || c == ' ' || c == '_') {
            continue;
        } else if ((c == 'k' || c == 'K') && i == n - 1) {
            mult = 1000;
        } else if (isalpha(c) && n - i <= 3) {
            break; /* trailing currency code */
        } else {
            return false;
        }
    }
    if (!k)
        return false;
    buf[k] = '\0';
    char *end = NULL;
    double x = strtod(buf, &end);
    if (!end || *end || !isfinite(x))
        return false;
    *out = x * mult;
    return true;
}

/* Dates: ISO YYYY-MM-DD (optionally followed by a time), YYYY/MM/DD, MM/DD/YYYY and
 * DD.MM.YYYY; *year receives the year. */
static bool date_value(const char *v, int *year)
{
    size_t n;
    v = trim(v, &n);
    int a = 0, b = 0, c = 0;
    size_t la = 0, lb = 0, lc = 0, i = 0;
    char s1 = 0, s2 = 0;
    while (i < n && isdigit((unsigned char)v[i]) && la < 5)
        a = a * 10 + (v[i++] - '0'), la++;
    if (i >= n)
        return false;
    s1 = v[i++];
    while (i < n && isdigit((unsigned char)v[i]) && lb < 3)
        b = b * 10 + (v[i++] - '0'), lb++;
    if (i >= n)
        return false;
    s2 = v[i++];
    while (i < n && isdigit((unsigned char)v[i]) && lc < 5)
        c = c * 10 + (v[i++] - '0'), lc++;
    if (s1 != s2 || !strchr("-/.", s1) || !lb || lb > 2)
        return false;
    if (i < n && v[i] != ' ' && v[i] != 'T')
        return false;
    int y, m, d;
    if (la == 4 && lc >= 1 && lc <= 2) {
        y = a, m = b, d = c;
    } else if (lc == 4 && la >= 1 && la <= 2) {
        y = c;
        if (s1 == '.')
            d = a, m = b;
        else
            m = a, d = b;
        if (m > 12 && d <= 12) { /* DD/MM/YYYY */
            int t = m;
            m = d;
            d = t;
        }
    } else {
        return false;
    }
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    *year = y;
    return true;
}

/* Street suffixes and unit words (lowercase, without a trailing dot). */
static bool street_suffix(const char *w)
{
    static const char *const sfx[] = {
        "st", "street", "ave", "av", "avenue", "rd", "road", "blvd", "boulevard", "ln", "lane",
        "dr", "drive", "ct", "court", "way", "pl", "place", "ter", "terrace", "pkwy", "parkway",
        "hwy", "highway", "cir", "circle", "sq", "square", "trl", "trail", "loop", "row",
        "close", "crescent", "cres", "plaza", "pike", "alley", "aly", "run", "path", "walk",
        "grove", "gardens", "gdns", "mews", "hill", "park", "point", "pt", "ridge", "view",
        "xing", "crossing", "expy", "expressway", "fwy", "freeway", "tpke", "turnpike", "strasse",
        "straße", "rue", "calle", "via", "avenida", "cv", "cove", "bnd", "bend", "hts",
        "heights", "sq", NULL};
    for (const char *const *p = sfx; *p; p++)
        if (!strcmp(w, *p))
            return true;
    return false;
}

/* Lowercase alphabetic words of v (dots and digits split words), up to max. */
static size_t words_of(const char *v, char out[][32], size_t max)
{
    size_t n = 0, len = 0;
    for (const char *p = v;; p++) {
        unsigned char c = (unsigned char)*p;
        bool letter = c && (isalpha(c) || c >= 0x80 || c == '\'');
        if (!letter && len) {
            if (n < max) {
                out[n][len] = '\0';
                n++;
            }
            len = 0;
        }
        if (!c)
            break;
        if (letter && len < 31 && n < max)
            out[n][len++] = (char)tolower(c);
    }
    return n;
}

enum { ADDR_NO = 0, ADDR_SUFFIX = 1, ADDR_FULL = 2 };

/* FULL: a house number (digits, maybe a letter or a range "12-14"), then words including a
 * street suffix; or a PO box. SUFFIX: a street name with a suffix but no number. */
static int address_value(const char *v)
{
    size_t n;
    v = trim(v, &n);
    char w[16][32];
    size_t nw = words_of(v, w, 16);
    if (nw >= 2 && !strcmp(w[0], "p") && !strcmp(w[1], "o") && nw >= 3 && !strcmp(w[2], "box"))
        return ADDR_FULL;
    if (nw >= 2 && !strcmp(w[0], "po") && !strcmp(w[1], "box"))
        return ADDR_FULL;
    bool suffix = false;
    /* the suffix must follow at least one name word */
    for (size_t i = 1; i < nw; i++)
        if (street_suffix(w[i]))
            suffix = true;
    if (!suffix)
        return ADDR_NO;
    size_t i = 0, digits = 0;
    if (v[0] == '#')
        return ADDR_SUFFIX;
    while (i < n && isdigit((unsigned char)v[i]))
        i++, digits++;
    if (!digits || digits > 6)
        return ADDR_SUFFIX;
    if (i < n && v[i] == '-') { /* 12-14 or Queens-style 104-20 */
        i++;
        while (i < n && isdigit((unsigned char)v[i]))
            i++;
    }
    if (i < n && isalpha((unsigned char)v[i]) && (i + 1 == n || v[i + 1] == ' '))
        i++; /* 12B */
    if (i < n && (v[i] == ' ' || v[i] == ','))
        return ADDR_FULL;
    return ADDR_SUFFIX;
}

enum { ICD_NO = 0, ICD_PLAIN = 1, ICD_DOTTED = 2 };

/* ICD-10: a letter, a digit, a digit or letter, then ".x" (1-4 characters) or up to 4 more
 * characters without the dot; may be followed by " description". */
static int icd10_value(const char *v)
{
    size_t n;
    v = trim(v, &n);
    if (n < 3 || !isalpha((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
        !isalnum((unsigned char)v[2]))
        return ICD_NO;
    /* the category is uppercase letter + digits; lowercase codes are accepted whole */
    size_t i = 3;
    int kind = ICD_PLAIN;
    if (i < n && v[i] == '.') {
        size_t k = 0;
        i++;
        while (i < n && isalnum((unsigned char)v[i]) && k < 5)
            i++, k++;
        if (!k || k > 4)
            return ICD_NO;
        kind = ICD_DOTTED;
    } else {
        size_t k = 0;
        while (i < n && isalnum((unsigned char)v[i]) && k < 5)
            i++, k++;
        if (k > 4)
            return ICD_NO;
    }
    if (i == n)
        return kind;
    /* "E11.9 - Type 2 diabetes", "E11.9 Type 2 diabetes" */
    if (v[i] == ' ' && kind == ICD_DOTTED)
        return kind;
    return ICD_NO;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_sorted(const char *const *list, size_t n, const char *w)
{
    return bsearch(&w, list, n, sizeof *list, cmp_str) != NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Medical vocabulary: conditions, medications and clinical words (sorted, lowercase). */
static const char *const medical_words[] = {
    "acetaminophen", "adhd", "albuterol", "allergic", "alprazolam", "alzheimer", "alzheimer's",
    "amlodipine", "amoxicillin", "anemia", "angina", "anxiety", "appendicitis", "arrhythmia",
    "arthritis", "asthma", "atorvastatin", "azithromycin", "bipolar", "bronchitis", "cancer",
    "carcinoma", "cardiomyopathy", "cataract", "cellulitis", "cephalexin", "cholesterol",
    "cirrhosis", "ciprofloxacin", "clopidogrel", "concussion", "copd", "covid", "dementia",
    "depression", "depressive", "dermatitis", "diabetes", "diabetic", "diazepam", "eczema",
    "emphysema", "epilepsy", "escitalopram", "fibrillation", "fibromyalgia", "fluoxetine",
    "fracture", "furosemide", "gabapentin", "gastritis", "gerd", "glaucoma", "gout",
    "hepatitis", "hiv", "hydrochlorothiazide", "hyperlipidemia", "hypertension",
    "hyperthyroidism", "hypothyroidism", "ibuprofen", "influenza", "insomnia", "insulin",
    "ischemic", "leukemia", "levothyroxine", "lisinopril", "lorazepam", "losartan", "lupus",
    "lymphoma", "melanoma", "metformin", "metoprolol", "migraine", "montelukast", "naproxen",
    "neuropathy", "obesity", "omeprazole", "osteoarthritis", "osteoporosis", "otitis",
    "oxycodone", "pancreatitis", "pantoprazole", "pneumonia", "prednisone", "psoriasis",
    "rosuvastatin", "schizophrenia", "sciatica", "sepsis", "sertraline", "simvastatin",
    "sinusitis", "stroke", "tachycardia", "tendinitis", "tonsillitis", "tramadol", "tuberculosis",
    "warfarin", "zolpidem",
};

/* True when one of v's words is medical vocabulary. */
static bool medical_text(const char *v)
{
    char w[24][32];
    size_t nw = words_of(v, w, 24);
    for (size_t i = 0; i < nw; i++)
        if (in_sorted(medical_words, COUNT(medical_words), w[i]))
            return true;
    return false;
}

/* Common given names and surnames (sorted, lowercase), our own short list: enough for
 * value evidence in a sample, not a census. */
static const char *const first_names[] = {
    "aaron", "abigail", "adam", "ahmed", "aisha", "alan", "albert", "alex", "alexander",
    "alice", "alicia", "amanda", "amy", "ana", "andrea", "andrew", "angela", "anna", "anne",
    "anthony", "antonio", "arthur", "ashley", "barbara", "benjamin", "betty", "beverly",
    "bill", "bob", "brandon", "brenda", "brian", "bruce", "carl", "carlos", "carol",
    "caroline", "catherine", "charles", "charlotte", "chen", "cheryl", "chloe", "chris",
    "christian", "christina", "christine", "christopher", "cynthia", "daniel", "david",
    "deborah", "debra", "dennis", "diana", "diane", "donald", "donna", "dorothy", "douglas",
    "dylan", "edward", "elena", "elizabeth", "ella", "emily", "emma", "eric", "ethan", "eva",
    "evelyn", "fatima", "frances", "frank", "gabriel", "gary", "george", "gerald", "gloria",
    "grace", "gregory", "hannah", "harold", "harry", "heather", "helen", "henry", "isabella",
    "jack", "jacob", "james", "jane", "janet", "janice", "jason", "jean", "jeffrey", "jennifer",
    "jeremy", "jerry", "jesse", "jessica", "joan", "john", "jonathan", "jose", "joseph",
    "joshua", "joyce", "juan", "judith", "judy", "julia", "julie", "justin", "karen",
    "katherine", "kathleen", "kathryn", "kayla", "keith", "kelly", "kenneth", "kevin",
    "kimberly", "kyle", "larry", "laura", "lauren", "lawrence", "linda", "lisa", "liam",
    "logan", "lucas", "luis", "madison", "margaret", "maria", "marie", "marilyn", "mark",
    "martha", "mary", "mason", "matthew", "megan", "melissa", "michael", "michelle", "mohammed",
    "muhammad", "nancy", "natalie", "nathan", "nicholas", "nicole", "noah", "olivia", "pamela",
    "patricia", "patrick", "paul", "peter", "philip", "rachel", "ralph", "raymond", "rebecca",
    "richard", "robert", "roger", "ronald", "rose", "roy", "russell", "ruth", "ryan", "samantha",
    "samuel", "sandra", "sara", "sarah", "scott", "sean", "sharon", "shirley", "sophia",
    "stephanie", "stephen", "steven", "susan", "teresa", "terry", "theresa", "thomas",
    "timothy", "tyler", "victoria", "vincent", "virginia", "walter", "wayne", "william",
    "willie", "zachary",
};

static const char *const last_names[] = {
    "adams", "ahmed", "alexander", "ali", "allen", "alvarez", "anderson", "bailey", "baker",
    "barnes", "bell", "bennett", "brooks", "brown", "bryant", "butler", "campbell", "carter",
    "castillo", "chavez", "chen", "clark", "coleman", "collins", "cook", "cooper", "cox",
    "cruz", "davis", "diaz", "edwards", "evans", "fisher", "flores", "ford", "foster",
    "garcia", "gomez", "gonzalez", "gray", "green", "griffin", "gutierrez", "hall", "hamilton",
    "harris", "hayes", "henderson", "hernandez", "hill", "howard", "hughes", "jackson", "james",
    "jenkins", "jimenez", "johnson", "jones", "kelly", "kim", "king", "kumar", "lee", "lewis",
    "li", "long", "lopez", "martin", "martinez", "mendoza", "miller", "mitchell", "moore",
    "morales", "morgan", "morris", "murphy", "myers", "nelson", "nguyen", "ortiz", "parker",
    "patel", "perez", "perry", "peterson", "phillips", "powell", "price", "ramirez", "reed",
    "reyes", "richardson", "rivera", "roberts", "robinson", "rodriguez", "rogers", "ross",
    "russell", "sanchez", "sanders", "scott", "shah", "singh", "smith", "stewart", "sullivan",
    "taylor", "thomas", "thompson", "torres", "turner", "walker", "wang", "ward", "washington",
    "watson", "white", "williams", "wilson", "wood", "wright", "wu", "young", "zhang",
};

static bool org_word(const char *w)
{
    static const char *const org[] = {
        "inc", "llc", "ltd", "corp", "co", "company", "group", "holdings", "partners",
        "solutions", "systems", "technologies", "tech", "services", "bank", "university",
        "hospital", "clinic", "foundation", "associates", "consulting", "international",
        "global", "industries", "enterprises", "labs", "the", "and", "of", "gmbh", "plc", "sa",
        "ag", "capital", "ventures", "media", "studios", "store", "shop", "pro", "max", "mini",
        "plus", "ultra", "edition", "pack", "kit", "set", "cable", "charger", "stand", "mug",
        "bottle", "street", "avenue", "road", "city", "county", "park", "lake", "river",
        "mount", "port", "north", "south", "east", "west", "new", "san", "santa", "fort",
        "saint", "st", "hotel", "cafe", "restaurant", "motors", "airlines", "pharma",
        "insurance", "energy", "foods", "logistics", "trust", "fund", NULL};
    for (const char *const *p = org; *p; p++)
        if (!strcmp(w, *p))
            return true;
    return false;
}

enum { PERSON_NO = 0, PERSON_SHAPE = 1, PERSON_LIST = 2 };

/* PERSON_LIST: 1-4 alphabetic words ("Ada Lovelace", "LOVELACE, Ada", "j. smith") with a
 * given name or surname from the list and no organisation/product word; PERSON_SHAPE:
 * name-shaped (alphabetic, capitalised words) without a list hit. *multi: more than one
 * word. */
static int person_one(const char *v, bool *multi);

/* Several people in one value, "Ana Ruiz; Joe Ruiz": every part must be a person. */
static int person_value(const char *v, bool *multi)
{
    if (!strchr(v, ';'))
        return person_one(v, multi);
    int worst = PERSON_LIST;
    char part[128];
    for (const char *p = v; *p;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        if (len >= sizeof part)
            return PERSON_NO;
        memcpy(part, p, len);
        part[len] = '\0';
        bool m = false;
        int k = person_one(part, &m);
        if (k < worst)
            worst = k;
        p = semi ? semi + 1 : p + len;
    }
    *multi = true;
    return worst;
}

static int person_one(const char *v, bool *multi)
{
    size_t n;
    v = trim(v, &n);
    *multi = false;
    if (!n || n > 60)
        return PERSON_NO;
    size_t words = 0, caps = 0, letters = 0;
    bool new_word = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == ' ' || c == ',') {
            new_word = true;
            continue;
        }
        if (!(isalpha(c) || c >= 0x80 || c == '\'' || c == '-' || c == '.'))
            return PERSON_NO;
        if (new_word) {
            words++;
            if (isupper(c) || c >= 0x80)
                caps++;
            new_word = false;
        }
        if (isalpha(c))
            letters++;
    }
    if (!words || words > 4 || letters < 2)
        return PERSON_NO;
    char w[8][32];
    size_t nw = words_of(v, w, 8);
    size_t hits = 0;
    for (size_t i = 0; i < nw; i++) {
        if (org_word(w[i]))
            return PERSON_NO;
        if (in_sorted(first_names, COUNT(first_names), w[i]) ||
            in_sorted(last_names, COUNT(last_names), w[i]))
            hits++;
    }
    *multi = words > 1;
    if (hits)
        return PERSON_LIST;
    return caps == words ? PERSON_SHAPE : PERSON_NO;
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
        birth_date;
} evidence;

static void gather(const char *type, bool ssn_pad, const char *const *values, size_t n,
                   evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    bool letters[26] = {false};
    for (size_t i = 0; i < n; i++) {
        const char *v = values[i] ? values[i] : "";
        bool em = email_value(v);
        ev->email += em;
        ev->email_text += em || email_in_text(v);
        int p = phone_value(v);
        ev->phone_strong += p == PHONE_STRONG;
        ev->phone_any += p != PHONE_NO;
        int s = ssn_value(v, ssn_pad);
        ev->ssn_dashed += s == SSN_DASHED;
        ev->ssn_any += s != SSN_NO;
        double x;
        if (parse_amount(v, &x))
            ev->amount += x >= 5 && x <= 10e6;
        int a = address_value(v);
        ev->address_full += a == ADDR_FULL;
        ev->address_any += a != ADDR_NO;
        int c = icd10_value(v);
        ev->icd_any += c != ICD_NO;
        if (c != ICD_NO)
            letters[toupper((unsigned char)*trim(v, &(size_t){0})) - 'A'] = true;
        ev->icd_dotted += c == ICD_DOTTED;
        ev->medical_text += medical_text(v);
        bool multi = false;
        int pv = person_value(v, &multi);
        ev->person_list += pv == PERSON_LIST;
        ev->person_any += pv != PERSON_NO;
        ev->person_multi += pv != PERSON_NO && multi;
        int year = 0;
        if (integer_type(type) && strlen(v) == 4)
            year = (int)strtol(v, NULL, 10); /* a birth_year column */
        else if (!date_value(v, &year))
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

        /* salary: needs the name; values must be plausible amounts */
        if (h_salary && ev.amount >= 0.8 && (numeric_type(type) || ev.phone_any < 0.5))
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
