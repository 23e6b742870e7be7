/*
 * The command-line interface: one file per subcommand (cmd_NAME.c), dispatched
 * from the sorted table in cli.c, as git does with builtin/ (one .c per command).  Commands
 * write to the streams they are given, never exit(), and return the process
 * exit status, so the test suite can run them in-process.
 */
#ifndef KVL_CLI_CLI_H
#define KVL_CLI_CLI_H

#include <stdio.h>

/* Exit statuses (RULES.md). */
#define KVL_EXIT_OK       0
#define KVL_EXIT_FINDINGS 1
#define KVL_EXIT_ERROR    2

typedef struct kvl_cli {
    FILE *out;          /* data: findings, listings */
    FILE *err;          /* diagnostics */
    const char *prog;   /* "kvmlint" */
} kvl_cli;

typedef int (*kvl_cmd_fn)(kvl_cli *cli, int argc, char **argv);

#include <getopt.h>

typedef struct kvl_command {
    const char *name;
    kvl_cmd_fn fn;
    const char *summary;
    const struct option *options;   /* getopt_long table, or NULL */
} kvl_command;

/* The sorted command table, {NULL}-terminated. */
extern const kvl_command kvl_commands[];

/* Option tables of the commands that take options (for --help checks). */
extern const struct option kvl_check_options[];
extern const struct option kvl_rules_options[];
extern const struct option kvl_config_options[];
extern const struct option kvl_fix_options[];

/* Entry point of the whole program; main() only calls this. */
int kvl_main(int argc, char **argv, FILE *out, FILE *err);

int kvl_cmd_check(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_config(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_explain(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_fix(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_help(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_rules(kvl_cli *cli, int argc, char **argv);
int kvl_cmd_version(kvl_cli *cli, int argc, char **argv);

struct kvl_host;

/*
 * Load the --host snapshots `files` and merge them into one host (NULL when
 * n is 0).  A bad or mismatched snapshot is reported as "PROG CMD: ..." and
 * gives NULL with *rc KVL_EXIT_ERROR; otherwise *rc is 0.
 */
struct kvl_host *kvl_cli_load_hosts(kvl_cli *cli, const char *cmd, const char *const *files,
                                    size_t n, int *rc);

/* Report a usage problem ("kvmlint check: ...") and return KVL_EXIT_ERROR. */
int kvl_usage_error(kvl_cli *cli, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print the --help text of a command (from the table in cli.c). */
int kvl_cmd_usage(kvl_cli *cli, const char *cmd, FILE *to);
/* The --help text of a command, or NULL. */
const char *kvl_cmd_help_text(const char *cmd);

#endif
