/* The ccnc command line: global options, then a command from a table. */
#ifndef CCNC_CLI_H
#define CCNC_CLI_H

/* Exit statuses, documented in ccnc(1). */
enum {
    CCNC_EXIT_OK = 0,
    CCNC_EXIT_FAILED = 1,   /* the command ran and did not succeed */
    CCNC_EXIT_USAGE = 2,    /* bad command line or lab config */
};

int ccnc_cli_main(int argc, char **argv);

#endif
