/**
 * \file main.c
 * rearview(1): the analyst's CLI. Everything is in cli_main (commands.c),
 * so tests can run the whole program in-process.
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
