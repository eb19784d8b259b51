// SPDX-License-Identifier: GPL-2.0
/*
 * flowgen: writes, sends and checks lists of new flows for the VM tests.
 * Linked statically so that it runs in the test initramfs.
 */
#include "flowgen.h"

#include <string.h>

static void flowgen_usage(FILE *out)
{
	fprintf(out,
		"usage: flowgen COMMAND [options]\n"
		"  gen     print a deterministic flow list (trace format)\n"
		"  send    open every flow of a list from its client address and port\n"
		"  check   compare /proc/net/ip_vs_conn with a simulator prediction\n"
		"  pick    print the ip_vs_conn lines of the listed flows\n"
		"  listen  accept and close TCP connections (health checks, servers)\n"
		"  connect make whole TCP connections one after the other, reusing\n"
		"          client ports (connection reuse through IPVS)\n"
		"'flowgen COMMAND --help' describes a command's options.\n"
		"Flow lines: START PROTO CLIENT VIP [...], e.g.\n"
		"  0 udp 10.99.3.7:40001 10.0.0.1:80\n"
		"  0 tcp [fd00:99::3:7]:40001 [fd00::1]:80\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		flowgen_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		flowgen_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "gen"))
		return flowgen_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "send"))
		return flowgen_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return flowgen_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pick"))
		return flowgen_pick(argc - 1, argv + 1);
	if (!strcmp(argv[1], "listen"))
		return flowgen_listen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "connect"))
		return flowgen_connect(argc - 1, argv + 1);
	fprintf(stderr, "flowgen: unknown command '%s'\n", argv[1]);
	flowgen_usage(stderr);
	return 2;
}
