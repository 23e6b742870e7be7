/* kvmlint explain RULE: one catalogue entry, in full. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/catalogue.h"
#include "util/banned.h"

/* Print `text` wrapped at 76 columns with an indent; keeps paragraph breaks. */
static void wrap(FILE *out, const char *text, const char *indent)
{
    size_t col = 0;
    const char *p = text;

    fputs(indent, out);
    while (*p) {
        size_t w = strcspn(p, " \n");
        if (col && col + 1 + w > 76 - strlen(indent)) {
            fprintf(out, "\n%s", indent);
            col = 0;
        } else if (col) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += w;
        p += w;
        if (p[0] == '\n' && p[1] == '\n') {
            fprintf(out, "\n\n%s", indent);
            col = 0;
            p += 2;
        } else if (*p) {
            p++;
        }
    }
    fputc('\n', out);
}

int kvl_cmd_explain(kvl_cli *cli, int argc, char **argv)
{
    kvl_catalogue *cat;
    const kvl_rule_def *r;
    char *err = NULL;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return kvl_cmd_usage(cli, "explain", cli->out);
    if (argc != 2)
        return kvl_usage_error(cli, "explain", "expects exactly one RULE (see 'kvmlint rules')");
    cat = kvl_catalogue_load(&err);
    if (!cat) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        return KVL_EXIT_ERROR;
    }
    r = kvl_catalogue_find(cat, argv[1]);
    if (!r) {
        kvl_catalogue_free(cat);
        return kvl_usage_error(cli, "explain", "no rule '%s' (see 'kvmlint rules')", argv[1]);
    }
    fprintf(cli->out, "%s: %s\n\n", r->id, r->title);
    fprintf(cli->out, "  category: %s\n  severity: %s\n  fix:      %s\n\n", r->category,
            kvl_severity_name(r->severity), kvl_fix_name(r->fix) ? kvl_fix_name(r->fix) : "none");
    wrap(cli->out, r->rationale, "  ");
    if (r->fix_text) {
        fputs("\n  Fix:\n", cli->out);
        wrap(cli->out, r->fix_text, "    ");
    }
    if (r->nrefs) {
        fputs("\n  References:\n", cli->out);
        for (size_t i = 0; i < r->nrefs; i++)
            fprintf(cli->out, "    - %s\n      %s\n", r->refs[i].title, r->refs[i].href);
    }
    kvl_catalogue_free(cat);
    return KVL_EXIT_OK;
}
