/* cli_ai.c: the configured network AI provider for one CLI command. With [ai] provider =
 * ollama | openai, index builds with that provider embed through it, searches of its
 * indexes embed their queries through it, and `ask` has it write the answer (lake.h,
 * lh_lake_set_ai); with builtin (the default) nothing is made and nothing changes. */
#include <string.h>

#include "cli/cli_int.h"

int lh__cli_ai_attach(lh_cli *cli, lh_lake *lake, lh__cli_ai *ai)
{
    memset(ai, 0, sizeof *ai);
    lh_err err;
    lh_status st = lh_ai_config_load(cli->config, &ai->config, &err);
    if (!st && strcmp(ai->config.provider, "builtin"))
        st = lh_ai_network_new(&ai->config, &ai->provider, &err);
    if (st)
        return lh__cli_error(cli, st, &err);
    lh_lake_set_ai(lake, ai->provider, ai->config.model);
    return 0;
}

void lh__cli_ai_detach(lh__cli_ai *ai)
{
    lh_ai_free(ai->provider);
    ai->provider = NULL;
    lh_ai_config_release(&ai->config);
}
