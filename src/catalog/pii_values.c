/* pii_values.c: the hand-written value matchers of the PII classifier (pii.c). */
#include "catalog/pii.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/pii_int.h"

/* ---------------------------------------------------------------- value rules ---- */

/* Value with leading/trailing whitespace removed, as [s, s+len). */
const char *lh__pii_trim(const char *v, size_t *len)
{
    while (*v && isspace((unsigned char)*v))
        v++;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    *len = n;
    return v;
}

bool lh__pii_email_value(const char *v)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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
bool lh__pii_email_in_text(const char *v)
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
        /* "git@github.com:org/repo.git": a user at a host before a path is an SSH
         * address, not a mailbox ("ssh://git@host/..." never parses: '/' in the user) */
        bool ssh_path = p[len] == ':' && p[len + 1] && !isspace((unsigned char)p[len + 1]);
        if (len && len < sizeof word && !ssh_path) {
            memcpy(word, p, len);
            word[len] = '\0';
            if (lh__pii_email_value(word))
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


/* Classifies a phone-number candidate: STRONG for E.164 (+ or 00 prefix, a real country
 * code, 8-15 digits) and for NANP numbers written with the usual grouping, WEAK for bare
 * valid NANP digits and for national numbers with a trunk 0 (only counted next to a
 * phone-like column name). */
int lh__pii_phone_value(const char *v)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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


/* US SSN: area 001-899 but not 666, group 01-99, serial 0001-9999; "AAA-GG-SSSS",
 * "AAA GG SSSS" (DASHED) or nine bare digits (BARE). pad_to_9 restores the leading zeros
 * an integer column dropped. */
int lh__pii_ssn_value(const char *v, bool pad_to_9)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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
bool lh__pii_parse_amount(const char *v, double *out)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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
bool lh__pii_date_value(const char *v, int *year)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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


/* FULL: a house number (digits, maybe a letter or a range "12-14"), then words including a
 * street suffix; or a PO box. SUFFIX: a street name with a suffix but no number. */
int lh__pii_address_value(const char *v)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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


/* ICD-10: a letter, a digit, a digit or letter, then ".x" (1-4 characters) or up to 4 more
 * characters without the dot; may be followed by " description". */
int lh__pii_icd10_value(const char *v)
{
    size_t n;
    v = lh__pii_trim(v, &n);
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
bool lh__pii_medical_text(const char *v)
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


/* PERSON_LIST: 1-4 alphabetic words ("Ada Lovelace", "LOVELACE, Ada", "j. smith") with a
 * given name or surname from the list and no organisation/product word; PERSON_SHAPE:
 * name-shaped (alphabetic, capitalised words) without a list hit. *multi: more than one
 * word. */
static int person_one(const char *v, bool *multi);

/* Several people in one value, "Ana Ruiz; Joe Ruiz": every part must be a person. */
int lh__pii_person_value(const char *v, bool *multi)
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
    v = lh__pii_trim(v, &n);
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

