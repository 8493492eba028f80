/* net_int.h: what the net module's files share. */
#ifndef LH_NET_NET_INT_H
#define LH_NET_NET_INT_H

#include "core/status.h"

/* Loads libcurl (curl_dl.c, core/dl.h), once; thread-safe. LH_EUNSUPPORTED naming the
 * Debian package when it is missing. */
lh_status lh__curl_load(lh_err *err);

/* lh__curl_load, then libcurl's global initialisation, once (client.c); thread-safe. */
lh_status lh__net_start(lh_err *err);

#endif
