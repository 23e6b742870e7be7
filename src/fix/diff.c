/*
 * Unified diff (diff.h).  Fixes touch a few lines, so the lines common to
 * both ends are trimmed first and only the middle goes through a
 * longest-common-subsequence table; a middle too large for the table is
 * shown as removed then added, which is still a correct diff.
 */
#include "fix/diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/banned.h"

enum { CONTEXT = 3, MAX_CELLS = 4000000 };

typedef struct line {
    const char *s;
    size_t n;                   /* with its line ending */
} line;

static line *split(const char *t, size_t len, size_t *count)
{
    line *v = NULL;
    size_t n = 0, cap = 0, i = 0;

    while (i < len) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - t) + 1 : len;

        KVL_GROW(v, n, cap);
        v[n].s = t + i;
        v[n].n = e - i;
        n++;
        i = e;
    }
    *count = n;
    return v;
}

static bool same(const line *a, const line *b)
{
    return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* One step of the edit script: ' ', '-' or '+', with the line of a or b. */
typedef struct step {
    char op;
    size_t ai, bi;
} step;

static step *script(const line *a, size_t na, const line *b, size_t nb, size_t *nsteps)
{
    size_t pre = 0, suf = 0, ma, mb, n = 0;
    step *s = kvl_xcalloc(na + nb + 1, sizeof(*s));

    while (pre < na && pre < nb && same(&a[pre], &b[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(&a[na - 1 - suf], &b[nb - 1 - suf]))
        suf++;
    ma = na - pre - suf;
    mb = nb - pre - suf;
    for (size_t i = 0; i < pre; i++)
        s[n++] = (step){ ' ', i, i };
    if (ma && mb && (ma + 1) * (mb + 1) <= MAX_CELLS) {
        /* lcs[i][j]: LCS length of a[pre+i..] and b[pre+j..] */
        uint32_t *lcs = kvl_xcalloc((ma + 1) * (mb + 1), sizeof(*lcs));
        size_t i = 0, j = 0;

#define L(i, j) lcs[(i) * (mb + 1) + (j)]
        for (size_t x = ma; x-- > 0;)
            for (size_t y = mb; y-- > 0;)
                L(x, y) = same(&a[pre + x], &b[pre + y]) ? L(x + 1, y + 1) + 1
                        : L(x + 1, y) >= L(x, y + 1) ? L(x + 1, y) : L(x, y + 1);
        while (i < ma || j < mb) {
            if (i < ma && j < mb && same(&a[pre + i], &b[pre + j])) {
                s[n++] = (step){ ' ', pre + i, pre + j };
                i++;
                j++;
            } else if (j < mb && (i == ma || L(i, j + 1) > L(i + 1, j))) {
                s[n++] = (step){ '+', pre + i, pre + j };
                j++;
            } else {
                s[n++] = (step){ '-', pre + i, pre + j };
                i++;
            }
        }
#undef L
        free(lcs);
    } else {
        for (size_t i = 0; i < ma; i++)
            s[n++] = (step){ '-', pre + i, pre };
        for (size_t j = 0; j < mb; j++)
            s[n++] = (step){ '+', pre + ma, pre + j };
    }
    for (size_t k = 0; k < suf; k++)
        s[n++] = (step){ ' ', na - suf + k, nb - suf + k };
    *nsteps = n;
    return s;
}

static void emit_line(kvl_buf *out, char op, const line *l)
{
    kvl_buf_addc(out, op);
    kvl_buf_add(out, l->s, l->n);
    if (!l->n || l->s[l->n - 1] != '\n')
        kvl_buf_adds(out, "\n\\ No newline at end of file\n");
}

/* "start,count" of a hunk side; an empty side names the line before it. */
static void range(kvl_buf *out, size_t first, size_t count)
{
    if (count == 1)
        kvl_buf_addf(out, "%zu", first + 1);
    else
        kvl_buf_addf(out, "%zu,%zu", count ? first + 1 : first, count);
}

void kvl_diff_unified(kvl_buf *out, const char *path, const char *a, size_t alen,
                      const char *b, size_t blen)
{
    size_t na, nb, ns, k = 0;
    line *la, *lb;
    step *s;

    if (alen == blen && memcmp(a, b, alen) == 0)
        return;
    la = split(a, alen, &na);
    lb = split(b, blen, &nb);
    s = script(la, na, lb, nb, &ns);
    kvl_buf_addf(out, "--- a/%s\n+++ b/%s\n", path, path);
    while (k < ns) {
        size_t first, last, end, ca = 0, cb = 0, a0, b0;

        while (k < ns && s[k].op == ' ')
            k++;
        if (k == ns)
            break;
        /* a hunk: changes closer than 2*CONTEXT lines apart join */
        first = k > CONTEXT ? k - CONTEXT : 0;
        last = k;
        for (size_t j = k; j < ns; j++) {
            if (s[j].op != ' ')
                last = j;
            else if (j - last > 2 * CONTEXT)
                break;
        }
        end = last + CONTEXT + 1 < ns ? last + CONTEXT + 1 : ns;
        for (size_t j = first; j < end; j++) {
            ca += s[j].op != '+';
            cb += s[j].op != '-';
        }
        a0 = s[first].ai;
        b0 = s[first].bi;
        kvl_buf_adds(out, "@@ -");
        range(out, a0, ca);
        kvl_buf_adds(out, " +");
        range(out, b0, cb);
        kvl_buf_adds(out, " @@\n");
        for (size_t j = first; j < end; j++)
            emit_line(out, s[j].op, s[j].op == '+' ? &lb[s[j].bi] : &la[s[j].ai]);
        k = end;
    }
    free(s);
    free(la);
    free(lb);
}
