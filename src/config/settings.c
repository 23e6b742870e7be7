/*
 * Finding the config file of each linted path and combining it with the
 * command line (see settings.h).  Discovery walks up from the file's
 * directory with stat(2) and remembers the answer for every directory it
 * passed, so a run over thousands of files in a few directories costs a
 * few stats per directory, not per file.
 */
/* realpath(3) is XSI */
#define _XOPEN_SOURCE 700

#include "config/settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/thresholds.h"
#include "util/mem.h"
#include "util/banned.h"

typedef struct loaded {
    char *abs;                  /* the config file, absolute */
    kvl_cfg_file *file;
    kvl_settings s;
} loaded;

typedef struct dir_entry {
    char *dir;                  /* absolute, resolved */
    const kvl_settings *s;
} dir_entry;

struct kvl_settings_set {
    kvl_cfg_mode mode;
    const kvl_overrides *over;
    const kvl_catalogue *cat;
    char *cwd;                  /* resolved, for showing config paths */
    kvl_settings none;
    loaded **files;
    size_t nfiles, cap_files;
    dir_entry *dirs;
    size_t ndirs, cap_dirs;
    const kvl_settings *explicit_s;
    char *last_dir, *last_abs;  /* the directory resolved last, and its realpath */
};

void kvl_overrides_init(kvl_overrides *o)
{
    memset(o, 0, sizeof(*o));
    kvl_config_init(&o->cfg);
    o->fail_on = KVL_SEV_WARNING;
}

void kvl_overrides_note(kvl_overrides *o, const char *name)
{
    const kvl_threshold *t = kvl_threshold_find(name);

    if (t)
        o->given |= UINT64_C(1) << kvl_threshold_index(t);
}

/* Command line over file over default, field by field. */
static void combine(kvl_settings *s, const kvl_cfg_file *file, const kvl_overrides *over)
{
    memset(s, 0, sizeof(*s));
    s->file = file;
    s->cfg = over->cfg;
    s->from_cli = over->given;
    for (const kvl_threshold *t = kvl_thresholds; file && t->name; t++) {
        uint64_t bit = UINT64_C(1) << kvl_threshold_index(t);

        if ((file->given & bit) && !(over->given & bit)) {
            kvl_threshold_copy(t, &s->cfg, &file->thresholds);
            s->from_file |= bit;
        }
    }
    if (over->has_fail_on) {
        s->fail_on = over->fail_on;
        s->fail_on_from = "command line";
    } else if (file && file->has_fail_on) {
        s->fail_on = file->fail_on;
        s->fail_on_from = "config";
    } else {
        s->fail_on = KVL_SEV_WARNING;
        s->fail_on_from = "default";
    }
    s->host_map = file && !over->has_host;
}

static char *resolved(const char *path)
{
    char *r = realpath(path, NULL);
    char *out = kvl_xstrdup(r);

    free(r);
    return out;
}

/* resolved() of a linted path's directory: consecutive paths mostly share
 * one, and realpath(3) costs system calls for every component. */
static char *resolved_dir(kvl_settings_set *set, const char *dir)
{
    if (!set->last_dir || strcmp(set->last_dir, dir) != 0) {
        char *abs = resolved(dir);

        if (!abs)
            return NULL;
        free(set->last_dir);
        free(set->last_abs);
        set->last_dir = kvl_xstrdup(dir);
        set->last_abs = abs;
    }
    return kvl_xstrdup(set->last_abs);
}

/* `abs` relative to the resolved `dir`, or NULL when it is not below it. */
static char *below(const char *dir, const char *abs)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return kvl_xstrdup(abs + 1);
    if (strncmp(abs, dir, n) != 0 || (abs[n] != '/' && abs[n] != '\0'))
        return NULL;
    return kvl_xstrdup(abs[n] ? abs + n + 1 : "");
}

/* The config file as users see it: relative to the cwd when below it. */
static char *display_path(const kvl_settings_set *set, const char *abs)
{
    char *rel = set->cwd ? below(set->cwd, abs) : NULL;

    if (rel && *rel)
        return rel;
    free(rel);
    return kvl_xstrdup(abs);
}

static const kvl_settings *load(kvl_settings_set *set, const char *abs, const char *display,
                                char **err)
{
    loaded *l;
    kvl_cfg_file *file;

    for (size_t i = 0; i < set->nfiles; i++)
        if (strcmp(set->files[i]->abs, abs) == 0)
            return &set->files[i]->s;
    if (!(file = kvl_cfg_file_load(abs, display, set->cat, err)))
        return NULL;
    l = kvl_xcalloc(1, sizeof(*l));
    l->abs = kvl_xstrdup(abs);
    l->file = file;
    combine(&l->s, file, set->over);
    KVL_GROW(set->files, set->nfiles, set->cap_files);
    set->files[set->nfiles++] = l;
    return &l->s;
}

kvl_settings_set *kvl_settings_set_new(kvl_cfg_mode mode, const char *explicit_file,
                                       const kvl_overrides *over,
                                       const kvl_catalogue *cat, char **err)
{
    kvl_settings_set *set = kvl_xcalloc(1, sizeof(*set));

    set->mode = mode;
    set->over = over;
    set->cat = cat;
    set->cwd = resolved(".");
    combine(&set->none, NULL, over);
    if (mode == KVL_CFG_EXPLICIT) {
        char *abs = resolved(explicit_file);

        if (!abs) {
            *err = kvl_xasprintf("%s: cannot open: %s", explicit_file, strerror(errno));
            kvl_settings_set_free(set);
            return NULL;
        }
        set->explicit_s = load(set, abs, explicit_file, err);
        free(abs);
        if (!set->explicit_s) {
            kvl_settings_set_free(set);
            return NULL;
        }
    }
    return set;
}

void kvl_settings_set_free(kvl_settings_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->nfiles; i++) {
        free(set->files[i]->abs);
        kvl_cfg_file_free(set->files[i]->file);
        free(set->files[i]);
    }
    for (size_t i = 0; i < set->ndirs; i++)
        free(set->dirs[i].dir);
    free(set->files);
    free(set->dirs);
    free(set->cwd);
    free(set->last_dir);
    free(set->last_abs);
    free(set);
}

static bool exists_in(const char *dir, const char *name, bool want_file)
{
    char *p = kvl_xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
    struct stat st;
    bool ok = stat(p, &st) == 0 && (!want_file || S_ISREG(st.st_mode));

    free(p);
    return ok;
}

static const kvl_settings *cached(const kvl_settings_set *set, const char *dir, bool *hit)
{
    /* newest first: consecutive files mostly share a directory */
    for (size_t i = set->ndirs; i-- > 0;)
        if (strcmp(set->dirs[i].dir, dir) == 0) {
            *hit = true;
            return set->dirs[i].s;
        }
    *hit = false;
    return NULL;
}

static void remember(kvl_settings_set *set, const char *dir, const kvl_settings *s)
{
    KVL_GROW(set->dirs, set->ndirs, set->cap_dirs);
    set->dirs[set->ndirs].dir = kvl_xstrdup(dir);
    set->dirs[set->ndirs].s = s;
    set->ndirs++;
}

/* Walk up from the resolved directory `start`. */
static const kvl_settings *discover(kvl_settings_set *set, const char *start, char **err)
{
    char *dir = kvl_xstrdup(start);
    char **passed = NULL;
    size_t npassed = 0, cap = 0;
    const kvl_settings *s = &set->none;
    bool hit;

    for (;;) {
        const kvl_settings *c = cached(set, dir, &hit);
        char *slash;

        if (hit) {
            s = c;
            break;
        }
        KVL_GROW(passed, npassed, cap);
        passed[npassed++] = kvl_xstrdup(dir);
        if (exists_in(dir, KVL_CONFIG_NAME, true)) {
            char *abs = kvl_xasprintf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/",
                                      KVL_CONFIG_NAME);
            char *display = display_path(set, abs);

            s = load(set, abs, display, err);
            free(abs);
            free(display);
            break;
        }
        if (exists_in(dir, ".git", false) || strcmp(dir, "/") == 0)
            break;
        slash = strrchr(dir, '/');
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    /* a broken config is an error for the whole run: nothing to remember */
    for (size_t i = 0; i < npassed; i++) {
        if (s)
            remember(set, passed[i], s);
        free(passed[i]);
    }
    free(passed);
    free(dir);
    return s;
}

const kvl_settings *kvl_settings_for(kvl_settings_set *set, const char *path, bool is_dir,
                                     char **rel, char **err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *slash = strrchr(path, '/');
    char *start = is_stdin || is_dir ? kvl_xstrdup(is_stdin ? "." : path)
                : slash ? kvl_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                        : kvl_xstrdup(".");
    char *abs_dir = resolved_dir(set, start);
    const kvl_settings *s;

    if (rel)
        *rel = NULL;
    free(start);
    if (set->mode == KVL_CFG_NONE)
        s = &set->none;
    else if (set->mode == KVL_CFG_EXPLICIT)
        s = set->explicit_s;
    else
        s = abs_dir ? discover(set, abs_dir, err) : &set->none;
    if (s && s->file && rel && abs_dir && !is_stdin) {
        char *abs = is_dir ? kvl_xstrdup(abs_dir)
                  : kvl_xasprintf("%s%s%s", abs_dir, strcmp(abs_dir, "/") == 0 ? "" : "/",
                                  slash ? slash + 1 : path);
        *rel = below(s->file->dir, abs);
        free(abs);
    }
    free(abs_dir);
    return s;
}

bool kvl_settings_rule_enabled(const kvl_settings *s, const char *rule)
{
    const kvl_cfg_rule *r = s ? kvl_cfg_file_rule(s->file, rule) : NULL;

    return !r || r->enabled != 0;
}

bool kvl_settings_rule_severity(const kvl_settings *s, const char *rule, kvl_severity *sev)
{
    const kvl_cfg_rule *r = s ? kvl_cfg_file_rule(s->file, rule) : NULL;

    if (!r || !r->has_severity)
        return false;
    *sev = r->severity;
    return true;
}

const kvl_cfg_ignore *kvl_settings_ignored(const kvl_settings *s, const char *rel)
{
    for (size_t i = 0; s && s->file && rel && i < s->file->nignores; i++) {
        const kvl_cfg_ignore *ig = &s->file->ignores[i];

        if (!ig->rules && kvl_glob_match(ig->path, rel))
            return ig;
    }
    return NULL;
}

const kvl_cfg_host *kvl_settings_host(const kvl_settings *s, const char *rel)
{
    for (size_t i = 0; s && s->host_map && rel && i < s->file->nhosts; i++)
        if (kvl_glob_match(s->file->hosts[i].path, rel))
            return &s->file->hosts[i];
    return NULL;
}

static bool disk_matches(const kvl_cfg_mark *m, const kvl_disk *disk)
{
    if (m->target && !kvl_name_match(m->target, disk->target))
        return false;
    if (m->source && !(disk->source && kvl_glob_match(m->source, disk->source)))
        return false;
    return true;
}

void kvl_settings_mark(const kvl_settings *s, const char *rel, kvl_domain *dom)
{
    for (size_t i = 0; s && s->file && dom && i < s->file->nmarks; i++) {
        const kvl_cfg_mark *m = &s->file->marks[i];

        if (!kvl_cfg_select_match(&m->sel, rel, dom->name))
            continue;
        switch (m->kind) {
        case KVL_MARK_CRITICAL:
            dom->by_config.critical = true;
            break;
        case KVL_MARK_WINDOWS:
            dom->by_config.windows = true;
            break;
        case KVL_MARK_HOT_DISK:
            for (size_t d = 0; d < dom->ndisks; d++)
                if (disk_matches(m, &dom->disks[d]))
                    dom->disks[d].hot_by_config = true;
            break;
        }
    }
}
