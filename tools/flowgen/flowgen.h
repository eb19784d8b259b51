/* SPDX-License-Identifier: GPL-2.0 */
/* The flowgen commands; each parses its own options from argv[1]. */
#ifndef FLOWGEN_FLOWGEN_H
#define FLOWGEN_FLOWGEN_H

#include "flow.h"

int flowgen_gen(int argc, char **argv);
int flowgen_send(int argc, char **argv);
int flowgen_check(int argc, char **argv);
int flowgen_pick(int argc, char **argv);
int flowgen_listen(int argc, char **argv);
int flowgen_connect(int argc, char **argv);

#endif /* FLOWGEN_FLOWGEN_H */
