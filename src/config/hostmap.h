/*
 * The hosts of one run, one per fleet (RULES.md "Fleet": the domains
 * linted against the same host snapshot are co-located on that host).
 * Fleet 0 is the command line's host (--host, or none); a config file's
 * <host path=...> mapping puts the matching files into the fleet of its
 * snapshot files, which are loaded (and merged, like repeated --host) the
 * first time a file needs them and shared by every mapping that names the
 * same files in the same order.
 *
 * Ownership: the set owns the hosts it loaded, not fleet 0's.
 */
#ifndef KVL_CONFIG_HOSTMAP_H
#define KVL_CONFIG_HOSTMAP_H

#include <stddef.h>

#include "config/config.h"
#include "model/host.h"

typedef struct kvl_fleet_host {
    char *name;                 /* the snapshot files as shown, ", "-joined; NULL for fleet 0 */
    char *key;                  /* the absolute files, '\n'-joined; NULL for fleet 0 */
    const kvl_host *host;       /* NULL: no host (fleet 0 without --host) */
    kvl_host *owned;
    char *error;                /* the snapshots could not be loaded */
} kvl_fleet_host;

typedef struct kvl_fleet_hosts {
    kvl_fleet_host *v;
    size_t n, cap;
} kvl_fleet_hosts;

/* Fleet 0 with the command line's host (borrowed, may be NULL). */
void kvl_fleet_hosts_init(kvl_fleet_hosts *fh, const kvl_host *cli_host);
void kvl_fleet_hosts_free(kvl_fleet_hosts *fh);

/*
 * The fleet of the files a config's `map` applies to; 0 for NULL.
 * Loads the snapshots on first use.  When they cannot be loaded the fleet
 * exists with `error` set, and its files cannot be linted.
 */
size_t kvl_fleet_hosts_for(kvl_fleet_hosts *fh, const kvl_cfg_host *map);

/*
 * Load snapshot files and merge them into one host, as repeated --host
 * does.  NULL with *err set ("bad host snapshot: ..." or the merge's
 * reason; caller frees) on failure.
 */
kvl_host *kvl_hosts_load(const char *const *files, size_t n, char **err);

#endif
