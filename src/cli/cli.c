/*
 * Command dispatch and the help texts.  The help text of each command lives
 * here, next to its one-line summary, so `kvmlint help` and `kvmlint CMD
 * --help` cannot disagree; tests/unit/test_cli.c checks that every option a
 * command accepts appears in its help.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "model/host.h"
#include "config/hostmap.h"
#include "xml/doc.h"
#include "util/banned.h"

const kvl_command kvl_commands[] = {
    { "check",   kvl_cmd_check,   "lint domain XML against a host snapshot", kvl_check_options },
    { "config",  kvl_cmd_config,  "show the settings that apply to a path", kvl_config_options },
    { "explain", kvl_cmd_explain, "show the catalogue entry of one rule", NULL },
    { "fix",     kvl_cmd_fix,     "apply the fixes the rules propose", kvl_fix_options },
    { "help",    kvl_cmd_help,    "show help for kvmlint or one command", NULL },
    { "rules",   kvl_cmd_rules,   "list the rule catalogue", kvl_rules_options },
    { "version", kvl_cmd_version, "print the version", NULL },
    { NULL, NULL, NULL, NULL },
};

/* The placement options, which check (to show the plans) and fix share. */
#define PLACEMENT_OPTIONS_HELP                                                   \
    "  --strategy spread|pack where placement puts a VM: the node with the\n" \
    "                         most free memory (spread, default) or with the\n" \
    "                         fewest free CPUs (pack)\n" \
    "  --thread-policy prefer|isolate|require\n" \
    "                         guest SMT threads on host sibling threads\n" \
    "                         (prefer, default); a whole core per vCPU\n" \
    "                         (isolate); like prefer, refusing hosts without\n" \
    "                         SMT (require)\n" \
    "  --emulator-policy share|isolate\n" \
    "                         emulator and IOThreads on a reserved CPU of the\n" \
    "                         VM's node, else its own CPUs (share, default),\n" \
    "                         or on one extra free CPU of the node (isolate)\n" \
    "  --reserve-cpus CPUSET  the same as --housekeeping-cpus: placement\n" \
    "                         gives these host CPUs to no vCPU\n"

static const struct {
    const char *cmd;
    const char *text;
} help_texts[] = {
    { "check",
      "usage: kvmlint check [OPTIONS] PATH...\n"
      "\n"
      "Lint libvirt domain XML.  PATH is a file, a directory (searched\n"
      "recursively for *.xml files whose root element is <domain>), or - for\n"
      "standard input.  The domains linted against one host are its fleet:\n"
      "the --host, or per path the <host> mappings of the config file.\n"
      "\n"
      "Options:\n"
      "  --host FILE            host snapshot: `virsh capabilities` XML or an\n"
      "                         hwloc `lstopo --of xml` topology (v1 or v2);\n"
      "                         repeat to merge two snapshots of the same host\n"
      "  -f, --format FORMAT    the report format (default text), repeatable:\n"
      "                           text        compiler-style lines with hints\n"
      "                           json        one JSON document\n"
      "                           sarif       SARIF 2.1.0 (GitHub code scanning)\n"
      "                           github      GitHub Actions annotations\n"
      "                           gitlab      GitLab Code Quality JSON\n"
      "                           junit       JUnit XML, a test per domain and rule\n"
      "                           checkstyle  Checkstyle XML\n"
      "                           xml         the findings XML document\n"
      "                           xslt:FILE   the findings XML through stylesheet\n"
      "                                       FILE (schemas/findings.rng)\n"
      "  -o, --output FILE      where the report goes (- for stdout); the n-th -o\n"
      "                         pairs with the n-th -f, formats without an -o go\n"
      "                         to stdout, a lone -o takes the text report, and\n"
      "                         more -o than -f is an error\n"
      "  --fail-on SEVERITY     error, warning (default), info or none: the\n"
      "                         lowest severity that makes the exit status 1\n"
      "  --color WHEN           auto (default), always or never; auto colours\n"
      "                         only a terminal and honours NO_COLOR\n"
      "  --cpu-overcommit-ratio R\n"
      "                         vCPUs per host CPU the fleet may use before\n"
      "                         cpu-overcommit fires (default 5)\n"
      "  --host-reserve SIZE    memory kept for the host, e.g. 2GiB, 512M\n"
      "                         (default 2GiB; bare numbers are KiB)\n"
      "  --large-vm-memory SIZE\n"
      "                         VMs with this much memory or more should be\n"
      "                         hugepage-backed (default 16GiB)\n"
      "  --very-large-vm-memory SIZE\n"
      "                         from this size on, 1 GiB hugepages are\n"
      "                         recommended (default 64GiB)\n"
      "  --tap-queue-limit N    queues a host tap device takes: the cap on the\n"
      "                         queues net-multiqueue-missing suggests\n"
      "                         (default 256, the Linux limit)\n"
      "  --housekeeping-cpus CPUSET\n"
      "                         host CPUs the host keeps for its own work, for\n"
      "                         host-housekeeping-cpus and placement\n"
      PLACEMENT_OPTIONS_HELP
      "  --explain-placement    after the findings, print the host map: per\n"
      "                         node the CPUs each VM uses, free CPUs, memory\n"
      "                         and hugepages left\n"
      "  --validate             also validate each domain against libvirt's\n"
      "                         domain schema (schema-invalid findings)\n"
      "  --schema-dir DIR       the schemas to validate against (default\n"
      "                         /usr/share/libvirt/schemas); implies --validate\n"
      "  --config FILE          use this config file for every path instead of\n"
      "                         the nearest .kvmlint.xml of each file\n"
      "  --no-config            use no config file\n"
      "  --no-suppressions      report findings that suppressions (metadata,\n"
      "                         comment pragmas, config ignores) would hide\n"
      "  --baseline FILE        report only findings whose fingerprint is not\n"
      "                         in FILE\n"
      "  --write-baseline FILE  record the current findings in FILE; they are\n"
      "                         then not reported, as with --baseline FILE\n"
      "  -v, --verbose          say which files were skipped and which rules\n"
      "                         could not run, and why\n"
      "  -h, --help             show this help\n"
      "\n"
      "Settings come from the command line, else the config file, else the\n"
      "defaults; 'kvmlint config --show PATH' prints what applies to PATH.\n"
      "\n"
      "Exit status: 0 no finding at or above --fail-on; 1 findings; 2 an\n"
      "input error (xml-malformed, xml-not-domain, value-invalid, unreadable\n"
      "path, bad host snapshot) or a usage error (including an invalid config\n"
      "file or baseline).  2 wins over 1.  Suppressed findings do not count.\n" },
    { "config",
      "usage: kvmlint config --show [--config FILE | --no-config] [PATH]\n"
      "\n"
      "Print the settings kvmlint check uses for PATH (a file, or a directory\n"
      "for the files in it; default: the current directory): the config file\n"
      "that applies (the nearest .kvmlint.xml in PATH's directory or above it,\n"
      "up to the directory holding .git), fail-on and every threshold with\n"
      "where it comes from, and the file's rules, ignores, host mappings and\n"
      "marks, each saying whether it matches PATH.\n"
      "\n"
      "Options:\n"
      "  --show                 show the settings (the only action so far)\n"
      "  --config FILE          use this config file instead of looking for one\n"
      "  --no-config            show the defaults\n"
      "  -h, --help             show this help\n" },
    { "explain",
      "usage: kvmlint explain RULE\n"
      "\n"
      "Print the catalogue entry of RULE: severity, fix kind, rationale and\n"
      "references.\n"
      "\n"
      "Options:\n"
      "  -h, --help             show this help\n" },
    { "fix",
      "usage: kvmlint fix [OPTIONS] PATH...\n"
      "\n"
      "Apply the fixes the rules propose, as edits of the original text: what\n"
      "a fix does not touch stays byte for byte.  The result is re-linted and\n"
      "fixed again until nothing changes (at most 8 rounds); a fix that makes\n"
      "the XML malformed, or invalid against libvirt's schema when it was\n"
      "valid, is reverted.  The fixed XML goes to stdout; what was fixed, what\n"
      "remains and why goes to stderr.\n"
      "\n"
      "Options:\n"
      "  --host FILE            host snapshot, as for check (repeatable)\n"
      "  --unsafe-fixes         also apply unsafe fixes (the guest sees new\n"
      "                         hardware and may need drivers first)\n"
      "  --diff                 print a unified diff instead; change nothing\n"
      "  --in-place             rewrite each file (a temporary file renamed\n"
      "                         over it; on any error it is left untouched)\n"
      "  -o, --output FILE      write the fixed XML to FILE\n"
      "  --select RULE,...      fix and report only these rules\n"
      "  --ignore RULE,...      neither fix nor report these rules\n"
      "  --fail-on SEVERITY     error, warning (default), info or none: the\n"
      "                         lowest remaining severity that makes the exit\n"
      "                         status 1\n"
      "  --config FILE          use this config file for every path instead of\n"
      "                         the nearest .kvmlint.xml of each file\n"
      "  --no-config            use no config file\n"
      "  --housekeeping-cpus CPUSET\n"
      "                         host CPUs kept for the host: no vCPU goes there\n"
      PLACEMENT_OPTIONS_HELP
      "  -v, --verbose          say which files and rules were skipped, and why\n"
      "  -h, --help             show this help\n"
      "\n"
      "Without --in-place, --diff or -o, PATH must name one domain.\n"
      "Exit status: 0 nothing remains at or above --fail-on; 1 findings\n"
      "remain; 2 an input error, a file that could not be written, or a usage\n"
      "error.\n" },
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

kvl_host *kvl_cli_load_hosts(kvl_cli *cli, const char *cmd, const char *const *files,
                             size_t n, int *rc)
{
    char *err = NULL;
    kvl_host *host;

    *rc = 0;
    if (n == 0)
        return NULL;
    /* the same loader as the config's host mappings (config/hostmap.c) */
    if (!(host = kvl_hosts_load(files, n, &err))) {
        fprintf(cli->err, "%s %s: %s\n", cli->prog, cmd, err);
        free(err);
        *rc = KVL_EXIT_ERROR;
    }
    return host;
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
