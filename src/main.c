/* kvmlint's main(): everything else lives in src/cli (kvl_main). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    int rc;

    /* hwloc prints repair banners for odd topologies to stderr; kvmlint
     * reports problems with a snapshot itself (unless the user asks hwloc) */
    setenv("HWLOC_HIDE_ERRORS", "2", 0);
    rc = kvl_main(argc, argv, stdout, stderr);

    exit(rc);
}
