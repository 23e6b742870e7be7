/*
 * The devices of the domain model that matter for how guest memory is
 * managed rather than for I/O: the memory balloon (<memballoon>) and shared
 * filesystems (<filesystem>, where virtiofs needs guest memory that a
 * separate process can map).  Registered in the <devices> table of
 * domain_devices.c; kept apart so that the memory rules' inputs live in one
 * place.
 *
 * libvirt accepts a single <memballoon>: only the first one counts here.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

/* ---- <memballoon> ---- */

void kvl_walk_memballoon(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_memballoon *b = &w->dom->memballoon;

    if (b->node)
        return;
    b->node = kvl_doc_ref(node);
    b->model = kvl_walk_attr_dup(node, "model");
}

/* ---- <filesystem> ---- */

static void walk_fs_driver(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_filesystem *fs = ctx;

    if (fs->driver_node)
        return;
    fs->driver_node = kvl_doc_ref(node);
    fs->driver_type = kvl_walk_attr_dup(node, "type");
}

static void walk_fs_source(kvl_walk *w, const xmlNode *node, void *ctx)
{
    /* what each filesystem type names its source by, for messages */
    static const char *const names[] = { "dir", "file", "dev", "name", "socket", "usage", NULL };
    kvl_filesystem *fs = ctx;

    for (const char *const *n = names; *n && !fs->source; n++)
        fs->source = kvl_walk_attr_dup(node, *n);
}

static void walk_fs_target(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_filesystem *fs = ctx;

    if (!fs->target)
        fs->target = kvl_walk_attr_dup(node, "dir");
}

static const kvl_walk_entry fs_table[] = {
    { "driver", walk_fs_driver },
    { "source", walk_fs_source },
    { "target", walk_fs_target },
    { NULL, NULL },
};

void kvl_walk_filesystem(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_filesystem *fs;

    KVL_GROW(dom->filesystems, dom->nfilesystems, dom->cap_filesystems);
    fs = &dom->filesystems[dom->nfilesystems++];
    fs->node = kvl_doc_ref(node);
    fs->type = kvl_walk_attr_dup(node, "type");
    kvl_walk_children(w, node, fs_table, fs);
}

void kvl_walk_free_memdevs(kvl_domain *dom)
{
    free(dom->memballoon.model);
    for (size_t i = 0; i < dom->nfilesystems; i++) {
        kvl_filesystem *fs = &dom->filesystems[i];

        free(fs->type);
        free(fs->driver_type);
        free(fs->source);
        free(fs->target);
    }
    free(dom->filesystems);
}
