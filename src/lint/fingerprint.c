/*
 * Finding fingerprints: a stable name for "this rule, on this object, of
 * this domain", for SARIF partialFingerprints, GitLab's fingerprint and
 * baselines.  Line numbers are deliberately left out, so adding a comment
 * or an element earlier in the file changes no fingerprint.
 *
 * The fingerprint is the FNV-1a 64-bit hash, in 16 hex digits, of
 *     "kvmlint/1" NUL rule NUL domain NUL identity NUL attribute
 * where domain is the domain's name, else its uuid, else the path (as shown:
 * relative paths stay relative, so a checkout elsewhere keeps them); identity
 * is kvl_domain_ref_identity() of the element reported at ("disk:vda"); and
 * attribute is the attribute the finding points at ("" for the element), as
 * a rule may report one object twice at different attributes.  A rule can
 * still report the same object twice (value-invalid on two entries that
 * share an identity, say): the second and later occurrences, in the run's
 * finding order, hash their occurrence number in too, so fingerprints are
 * unique within a run while the first keeps the plain hash.
 */
#include "lint/engine.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/banned.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

/* Hash `s` and its terminating NUL into `h`. */
static uint64_t fnv_add(uint64_t h, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    do {
        h ^= *p;
        h *= FNV_PRIME;
    } while (*p++);
    return h;
}

static uint64_t base_hash(const kvl_run *run, const kvl_finding *f)
{
    const kvl_file *file = f->file < run->nfiles ? &run->files[f->file] : NULL;
    const kvl_domain *dom = file ? file->model : NULL;
    const char *key = f->domain;
    char *identity = kvl_domain_ref_identity(dom, f->ref);
    uint64_t h = fnv_add(FNV_OFFSET, "kvmlint/1");

    if (!key || !*key)
        key = dom && dom->uuid && *dom->uuid ? dom->uuid : f->path;
    h = fnv_add(h, f->rule);
    h = fnv_add(h, key);
    h = fnv_add(h, identity);
    h = fnv_add(h, f->attr);
    free(identity);
    return h;
}

typedef struct hashed {
    uint64_t h;
    size_t i;                   /* index in the findings list */
} hashed;

static int cmp_hashed(const void *pa, const void *pb)
{
    const hashed *a = pa, *b = pb;

    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

void kvl_run_fingerprint(kvl_run *run)
{
    kvl_findings *list = &run->findings;
    hashed *v;
    size_t occurrence = 0;

    if (list->n == 0)
        return;
    v = kvl_xcalloc(list->n, sizeof(*v));
    for (size_t i = 0; i < list->n; i++) {
        v[i].h = base_hash(run, &list->v[i]);
        v[i].i = i;
    }
    /* equal hashes end up adjacent, in finding order */
    qsort(v, list->n, sizeof(*v), cmp_hashed);
    for (size_t k = 0; k < list->n; k++) {
        kvl_finding *f = &list->v[v[k].i];
        uint64_t h = v[k].h;

        occurrence = k > 0 && v[k - 1].h == v[k].h ? occurrence + 1 : 0;
        if (occurrence) {
            char num[32];
            snprintf(num, sizeof(num), "#%zu", occurrence + 1);
            h = fnv_add(h, num);
        }
        free(f->fingerprint);
        f->fingerprint = kvl_xasprintf("%016llx", (unsigned long long)h);
    }
    free(v);
}
