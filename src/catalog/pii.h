/* pii.h: PII detection for one column, from its name, its DuckDB type and a sample of its
 * values (DESIGN.md §4 classes: email phone ssn salary address medical name dob).
 *
 * The classifier is pure: no I/O, no globals that change, thread-safe. It combines two
 * kinds of evidence:
 *   - the column name, split into lowercase tokens ("contactEmail" -> contact, email;
 *     "DOB" -> dob), matched against per-class hint words and against words that veto a
 *     class ("product_name" is not a person's name, "ip_address" is not a street);
 *   - the fraction of sampled values that match a class's value rule (email syntax, NANP
 *     and E.164 phone numbers, SSN ranges, street addresses, ICD-10 codes and medical
 *     vocabulary, person names from an embedded name list, birth dates, pay amounts).
 * Each flag names the rule that fired:
 *   "name+values"   both agree (highest confidence),
 *   "value-pattern" the values alone are unambiguous (email, formatted phones, dashed SSNs,
 *                   street addresses, ICD-10 codes, person names),
 *   "name"          a specific name alone where values cannot tell (a "diagnosis" text
 *                   column), at a lower confidence.
 * Classes whose values are ambiguous without context (bare 9-digit numbers, bare 10-digit
 * numbers, dates, amounts) fire only together with a name hint. */
#ifndef LH_CATALOG_PII_H
#define LH_CATALOG_PII_H

#include <jansson.h>
#include <stddef.h>

/* Classifies one column. values holds n non-NULL sample values as text (DuckDB's
 * CAST(... AS VARCHAR)); type is the DuckDB type name (may be NULL). Returns a new object
 *   {"pii": ["email", ...],
 *    "pii_rules": [{"class": "email", "rule": "value-pattern", "confidence": 0.97}, ...],
 *    "sensitivity": "restricted" | "confidential" | null}
 * with classes in a fixed order, or NULL when out of memory. Caller json_decref's. */
json_t *lh_pii_classify(const char *name, const char *type, const char *const *values, size_t n);

/* The sensitivity a PII class implies: "restricted" for ssn and medical, "confidential"
 * for the others; NULL for an unknown class. */
const char *lh_pii_class_sensitivity(const char *cls);

/* Rank of a sensitivity level: public 0, internal 1, confidential 2, restricted 3;
 * -1 for NULL or an unknown level. */
int lh_pii_sensitivity_rank(const char *level);

/* The level of a rank (0..3), else NULL. Static string. */
const char *lh_pii_sensitivity_name(int rank);

#endif
