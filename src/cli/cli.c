/*
 * Command dispatch and the help texts.  The help text of each command lives
 * here, next to its one-line summary, so `kvmlint help` and `kvmlint CMD
 * --help` cannot disagree; tests/unit/test_cli.c checks that every option a
 * command accepts appears in its help.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <libxml/parser.h>

#include "xml/doc.h"
#include "util/banned.h"

const kvl_command kvl_commands[] = {
    { "check",   kvl_cmd_check,   "lint domain XML against a host snapshot", kvl_check_options },
    { "explain", kvl_cmd_explain, "show the catalogue entry of one rule", NULL },
    { "help",    kvl_cmd_help,    "show help for kvmlint or one command", NULL },
    { "rules",   kvl_cmd_rules,   "list the rule catalogue", kvl_rules_options },
    { "version", kvl_cmd_version, "print the version", NULL },
    { NULL, NULL, NULL, NULL },
};

static const struct {
    const char *cmd;
    const char *text;
} help_texts[] = {
    { "check",
      "usage: kvmlint check [OPTIONS] PATH...\n"
      "\n"
      "Lint libvirt domain XML.  PATH is a file, a directory (searched\n"
      "recursively for *.xml files whose root element is <domain>), or - for\n"
      "standard input.  All domains of one run are the fleet of one host.\n"
      "\n"
      "Options:\n"
      "  --host FILE            host snapshot: `virsh capabilities` XML or an\n"
      "                         hwloc `lstopo --of xml` topology (v1 or v2);\n"
      "                         repeat to merge two snapshots of the same host\n"
      "  -f, --format FORMAT    text (default) or json\n"
      "  -o, --output FILE      write the report to FILE instead of stdout\n"
      "  --fail-on SEVERITY     error, warning (default), info or none: the\n"
      "                         lowest severity that makes the exit status 1\n"
      "  --color WHEN           auto (default), always or never; auto colours\n"
      "                         only a terminal and honours NO_COLOR\n"
      "  --cpu-overcommit-ratio R\n"
      "                         vCPUs per host CPU the fleet may use before\n"
      "                         cpu-overcommit fires (default 5)\n"
      "  --host-reserve SIZE    memory kept for the host, e.g. 2GiB, 512M\n"
      "                         (default 2GiB; bare numbers are KiB)\n"
      "  -v, --verbose          say which files were skipped and which rules\n"
      "                         could not run, and why\n"
      "  -h, --help             show this help\n"
      "\n"
      "Exit status: 0 no finding at or above --fail-on; 1 findings; 2 an\n"
      "input error (xml-malformed, xml-not-domain, value-invalid, unreadable\n"
      "path, bad host snapshot) or a usage error.  2 wins over 1.\n" },
    { "explain",
      "usage: kvmlint explain RULE\n"
      "\n"
      "Print the catalogue entry of RULE: severity, fix kind, rationale and\n"
      "references.\n"
      "\n"
      "Options:\n"
      "  -h, --help             show this help\n" },
    { "help",
      "usage: kvmlint help [COMMAND]\n" },
    { "rules",
      "usage: kvmlint rules [OPTIONS]\n"
      "\n"
      "List every rule of the catalogue: id, default severity, fix kind,\n"
      "category and title.\n"
      "\n"
      "Options:\n"
      "  -f, --format FORMAT    text (default) or json\n"
      "  -h, --help             show this help\n" },
    { "version",
      "usage: kvmlint version\n"
      "       kvmlint --version\n" },
};

const char *kvl_cmd_help_text(const char *cmd)
{
    for (size_t i = 0; i < sizeof(help_texts) / sizeof(help_texts[0]); i++)
        if (strcmp(help_texts[i].cmd, cmd) == 0)
            return help_texts[i].text;
    return NULL;
}

int kvl_cmd_usage(kvl_cli *cli, const char *cmd, FILE *to)
{
    const char *text = kvl_cmd_help_text(cmd);

    (void)cli;
    if (!text)
        return KVL_EXIT_ERROR;
    fputs(text, to);
    return KVL_EXIT_OK;
}

int kvl_usage_error(kvl_cli *cli, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(cli->err, "%s%s%s: ", cli->prog, cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fprintf(cli->err, "\nTry '%s %s%s--help' for more information.\n", cli->prog,
            cmd ? cmd : "", cmd ? " " : "");
    return KVL_EXIT_ERROR;
}

static void main_usage(FILE *to)
{
    fputs("usage: kvmlint [--version] [--help] COMMAND [ARGS]\n"
          "\n"
          "kvmlint checks libvirt domain XML against KVM design rules and a\n"
          "captured snapshot of the host the VMs will run on.\n"
          "\n"
          "Commands:\n", to);
    for (const kvl_command *c = kvl_commands; c->name; c++)
        fprintf(to, "  %-9s %s\n", c->name, c->summary);
    fputs("\n"
          "Run 'kvmlint COMMAND --help' for the options of a command.\n"
          "Example: virsh dumpxml vm | kvmlint check --host host.xml -\n", to);
}

int kvl_cmd_help(kvl_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        main_usage(cli->out);
        return KVL_EXIT_OK;
    }
    if (kvl_cmd_usage(cli, argv[1], cli->out) != KVL_EXIT_OK)
        return kvl_usage_error(cli, NULL, "no such command '%s'", argv[1]);
    return KVL_EXIT_OK;
}

int kvl_cmd_version(kvl_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(cli->out, "kvmlint %s\n", KVL_VERSION);
    return KVL_EXIT_OK;
}

int kvl_main(int argc, char **argv, FILE *out, FILE *err)
{
    kvl_cli cli = { out, err, "kvmlint" };
    const char *name;

    kvl_xml_init();
    if (argc < 2) {
        main_usage(err);
        return KVL_EXIT_ERROR;
    }
    name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        name = "version";
    else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    for (const kvl_command *c = kvl_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) {
            int rc = c->fn(&cli, argc - 1, argv + 1);
            if (fflush(out) != 0 || ferror(out)) {
                fprintf(err, "kvmlint: error writing output\n");
                return KVL_EXIT_ERROR;
            }
            return rc;
        }
    return kvl_usage_error(&cli, NULL, "'%s' is not a kvmlint command (see 'kvmlint --help')", name);
}
