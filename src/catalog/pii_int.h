/* pii_int.h: the value matchers of the PII classifier (pii_values.c), used by pii.c.
 * Each takes one trimmed sample value; the int-returning ones give a strength
 * (0 = no match, higher = stronger evidence). */
#ifndef LH_CATALOG_PII_INT_H
#define LH_CATALOG_PII_INT_H

#include <stdbool.h>
#include <stddef.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Strengths the matchers return. */
enum { PHONE_NO = 0, PHONE_WEAK = 1, PHONE_STRONG = 2 };
enum { SSN_NO = 0, SSN_BARE = 1, SSN_DASHED = 2 };
enum { ADDR_NO = 0, ADDR_SUFFIX = 1, ADDR_FULL = 2 };
enum { ICD_NO = 0, ICD_PLAIN = 1, ICD_DOTTED = 2 };
enum { PERSON_NO = 0, PERSON_SHAPE = 1, PERSON_LIST = 2 };

bool lh__pii_email_value(const char *v);
bool lh__pii_email_in_text(const char *v);
int lh__pii_phone_value(const char *v);
int lh__pii_ssn_value(const char *v, bool pad_to_9);
bool lh__pii_parse_amount(const char *v, double *out);
bool lh__pii_date_value(const char *v, int *year);
int lh__pii_address_value(const char *v);
int lh__pii_icd10_value(const char *v);
bool lh__pii_medical_text(const char *v);
int lh__pii_person_value(const char *v, bool *multi);
const char *lh__pii_trim(const char *v, size_t *len);

#endif
