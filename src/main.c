/* main.c: wiring only; the CLI's subcommands live in src/cli/. */
#include "cli/cli.h"

int main(int argc, char **argv) { return lh_cli_main(argc, argv); }
