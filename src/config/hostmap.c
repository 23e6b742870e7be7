/*
 * The fleets of a run and their hosts (see hostmap.h).  A run rarely has
 * more than a few dozen hosts, so fleets are found by a linear search of
 * their keys.
 */
#include "config/hostmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

kvl_host *kvl_hosts_load(const char *const *files, size_t n, char **err)
{
    kvl_host *host = NULL;

    for (size_t i = 0; i < n; i++) {
        char *why = NULL;
        kvl_host *h = kvl_host_load(files[i], &why);

        if (!h) {
            *err = kvl_xasprintf("bad host snapshot: %s", why);
            free(why);
            kvl_host_free(host);
            return NULL;
        }
        if (!host) {
            host = h;
            continue;
        }
        if (kvl_host_merge(host, h, err) < 0) {
            kvl_host_free(h);
            kvl_host_free(host);
            return NULL;
        }
        kvl_host_free(h);
    }
    return host;
}

void kvl_fleet_hosts_init(kvl_fleet_hosts *fh, const kvl_host *cli_host)
{
    memset(fh, 0, sizeof(*fh));
    KVL_GROW(fh->v, fh->n, fh->cap);
    fh->v[fh->n++].host = cli_host;
}

void kvl_fleet_hosts_free(kvl_fleet_hosts *fh)
{
    if (!fh)
        return;
    for (size_t i = 0; i < fh->n; i++) {
        free(fh->v[i].name);
        free(fh->v[i].key);
        kvl_host_free(fh->v[i].owned);
        free(fh->v[i].error);
    }
    free(fh->v);
    memset(fh, 0, sizeof(*fh));
}

static char *joined(char *const *v, size_t n, const char *sep)
{
    kvl_buf b = KVL_BUF_INIT;

    for (size_t i = 0; i < n; i++)
        kvl_buf_addf(&b, "%s%s", i ? sep : "", v[i]);
    return kvl_buf_detach(&b);
}

size_t kvl_fleet_hosts_for(kvl_fleet_hosts *fh, const kvl_cfg_host *map)
{
    char *key;
    kvl_fleet_host *f;

    if (!map)
        return 0;
    key = joined(map->snapshots, map->nsnapshots, "\n");
    for (size_t i = 1; i < fh->n; i++)
        if (strcmp(fh->v[i].key, key) == 0) {
            free(key);
            return i;
        }
    KVL_GROW(fh->v, fh->n, fh->cap);
    f = &fh->v[fh->n];
    f->key = key;
    f->name = joined(map->shown, map->nsnapshots, ", ");
    /* the shown paths name the same files, and messages then read well */
    f->owned = kvl_hosts_load((const char *const *)map->shown, map->nsnapshots, &f->error);
    f->host = f->owned;
    return fh->n++;
}
