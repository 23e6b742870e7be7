/* kvmlint's main(): everything else lives in src/cli (kvl_main). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int main(int argc, char **argv)
{
    int rc = kvl_main(argc, argv, stdout, stderr);

    exit(rc);
}
