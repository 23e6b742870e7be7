/* The table of output formats and the colour decision shared by them. */
#include "output/output.h"

#include <string.h>

#include "util/banned.h"

const kvl_output_format kvl_output_formats[] = {
    { "json", kvl_output_json, "one JSON document (README \"JSON output\")" },
    { "text", kvl_output_text, "compiler-style lines with hints (default)" },
    { NULL, NULL, NULL },
};

const kvl_output_format *kvl_output_find(const char *name)
{
    for (const kvl_output_format *f = kvl_output_formats; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

bool kvl_color_wanted(const char *mode, bool is_tty, const char *no_color_env)
{
    if (strcmp(mode, "always") == 0)
        return true;
    if (strcmp(mode, "never") == 0)
        return false;
    return is_tty && !(no_color_env && *no_color_env);
}
