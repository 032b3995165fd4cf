/* ccnc: the console and its batch commands. */
#include "config.h"

#include "cli.h"
#include "i18n.h"

int
main(int argc, char **argv)
{
    ccnc_i18n_init();
    return ccnc_cli_main(argc, argv);
}
