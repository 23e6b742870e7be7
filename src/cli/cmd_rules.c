/* kvmlint rules: the catalogue as a table (or JSON). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/output.h"
#include "rules/catalogue.h"
#include "util/banned.h"

const struct option kvl_rules_options[] = {
    { "format", required_argument, NULL, 'f' },
    { "help",   no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static void print_json(FILE *out, const kvl_catalogue *cat)
{
    fputs("[", out);
    for (size_t i = 0; i < cat->n; i++) {
        const kvl_rule_def *r = &cat->rules[i];
        fputs(i ? ",\n{\"id\":" : "\n{\"id\":", out);
        kvl_json_string(out, r->id);
        fputs(",\"category\":", out);
        kvl_json_string(out, r->category);
        fputs(",\"severity\":", out);
        kvl_json_string(out, kvl_severity_name(r->severity));
        fputs(",\"fix\":", out);
        kvl_json_string(out, kvl_fix_name(r->fix));
        fputs(",\"title\":", out);
        kvl_json_string(out, r->title);
        fputs("}", out);
    }
    fputs("\n]\n", out);
}

int kvl_cmd_rules(kvl_cli *cli, int argc, char **argv)
{
    const char *format = "text";
    kvl_catalogue *cat;
    char *err = NULL;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:h", kvl_rules_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") && strcmp(optarg, "json"))
                return kvl_usage_error(cli, "rules", "unknown format '%s' (text, json)", optarg);
            format = optarg;
            break;
        case 'h':
            return kvl_cmd_usage(cli, "rules", cli->out);
        case ':':
            return kvl_usage_error(cli, "rules", "option '%s' needs a value", argv[optind - 1]);
        default:
            return kvl_usage_error(cli, "rules", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return kvl_usage_error(cli, "rules", "unexpected argument '%s'", argv[optind]);
    cat = kvl_catalogue_load(&err);
    if (!cat) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        return KVL_EXIT_ERROR;
    }
    if (strcmp(format, "json") == 0) {
        print_json(cli->out, cat);
    } else {
        fprintf(cli->out, "%-30s %-8s %-7s %-8s %s\n", "RULE", "SEVERITY", "FIX", "CATEGORY",
                "TITLE");
        for (size_t i = 0; i < cat->n; i++) {
            const kvl_rule_def *r = &cat->rules[i];
            fprintf(cli->out, "%-30s %-8s %-7s %-8s %s\n", r->id, kvl_severity_name(r->severity),
                    kvl_fix_name(r->fix) ? kvl_fix_name(r->fix) : "-", r->category, r->title);
        }
    }
    kvl_catalogue_free(cat);
    return KVL_EXIT_OK;
}
