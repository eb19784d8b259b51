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

/* connect.c: a bound socket connected to the flow's VIP, or -1 with *what. */
int connect_open(const struct flow *f, int timeout, const char **what);
/* hold.c: flowgen connect --hold over every flow of @list. */
int connect_hold(const struct flow_list *list, int timeout, int quiet);
/* hold.c: the soft limit of open files raised to the hard one. */
void hold_raise_nofile(void);

#endif /* FLOWGEN_FLOWGEN_H */
