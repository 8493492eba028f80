/* cli.h: the command-line front door. Parses argv, calls module functions, renders. */
#ifndef LH_CLI_CLI_H
#define LH_CLI_CLI_H

/* Runs the lakehouse command line; returns the process exit code. */
int lh_cli_main(int argc, char **argv);

#endif
