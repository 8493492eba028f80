/* secrets.h: the secrets file ([auth] secrets_file): a TOML file that only its owner may
 * read (mode 0600), holding API key hashes ([[keys]], api/auth.c), database passwords
 * ([db_passwords]) and the network AI provider's key ([ai] api_key, ai/ai.h). One reader
 * for all of them, so that the mode check cannot be forgotten by one. */
#ifndef LH_CORE_SECRETS_H
#define LH_CORE_SECRETS_H

#include <jansson.h>

#include "core/status.h"

/* The file at path parsed into *doc (caller json_decref's it) after checking that group
 * and others have no access: LH_EDENIED naming the mode and the chmod that fixes it,
 * LH_ENOTFOUND when missing, LH_EINVAL on bad TOML, LH_ETOOBIG over 4 MiB. The raw text is
 * wiped before it is freed. Thread-safe. */
lh_status lh_secrets_read(const char *path, json_t **doc, lh_err *err);

#endif
