# SPDX-License-Identifier: GPL-2.0
#
# ipvs-sched: the two commands are `make demo` and `make check`.
#
#   make demo     build the simulator and compare schedulers on a bundled
#                 scenario (no root, no kernel needed)
#   make check    install missing Debian packages, build everything for both
#                 kernels and run every test, QEMU guests included
#
# Plain `make` builds the userspace programs and the module for whichever
# of the two kernels has headers installed, and says what it skipped.
# Other targets: build kmod test test-asan fuzz fuzz-smoke debug-kernel vmtest bench style install
# clean.

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
DESTDIR ?=
# The drop-in modprobe configurations (wmh serving mh or sh) are installed
# here, not enabled: enabling is a symlink into /etc/modprobe.d.
MODPROBE_DIR = $(PREFIX)/share/ipvs-sched/modprobe.d
MODPROBE_FILES = $(wildcard kmod/modprobe.d/*.conf)

# Debian's 6.1 and 6.12 kernels, whichever ABI versions are installed.
KVER_61 = $(notdir $(lastword $(sort $(wildcard /lib/modules/6.1.*-amd64))))
KVER_612 = $(notdir $(lastword $(sort $(wildcard /lib/modules/6.12.*-amd64))))
KVERS = $(KVER_61) $(KVER_612)
# Those of the two whose headers are installed, and the running kernel if
# it has headers (plain make, make install). `make kmod KVER=X` builds for X
# alone.
RUNNING_KVER := $(shell uname -r)
KVERS_PRESENT = $(if $(KVER),$(KVER),$(sort $(foreach k,$(KVERS) $(RUNNING_KVER),$(if $(wildcard /lib/modules/$(k)/build/Makefile),$(k)))))

SIM = $(BUILD)/sim/ipvs-sim
DEMO_OUT ?= out/demo

.PHONY: all deps demo-deps configure build kmod kmod-all kmod-check test \
	test-asan vmtest debug-kernel kmod-debug bench bench-smoke demo check check-all style install \
	clean dkms-check install-check format-check bare-check docs-check \
	fuzz-build fuzz fuzz-smoke

all: build kmod

deps:
	bash tools/install-deps.sh

# Only the userspace packages (no kernels, no QEMU); as a normal user it
# prints the apt-get line to run and fails.
demo-deps:
	@bash tools/install-deps.sh --demo

configure:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# ip_vs_wmh.ko, ip_vs_hrw.ko and ip_vs_chbl.ko for each kernel, warnings are errors. `kmod` builds for the
# kernels whose headers are installed and names the ones it skipped;
# `kmod-all` (make check) needs both. Two builds per kernel: the production
# module in $(BUILD)/kmod/KVER (what make install and dkms ship: no testing
# aid, modinfo lists no debug_ parameter) and the VM tests' module, with
# WMH_DEBUG_AIDS=1 (debug_fail_rebuilds), in $(BUILD)/kmod-test/KVER.
# ip_vs_hrw takes wmh's parameters but sched_name (it has no drop-in name);
# ip_vs_chbl takes hrw's plus its load bounds, eps and eps_flag3.
KMOD_PARAMS = table_size hash_key port_hash overflow sched_name
KMOD_TEST_PARAMS = $(KMOD_PARAMS) debug_fail_rebuilds
KMODS = ip_vs_wmh ip_vs_hrw ip_vs_chbl
kmod_params = $(if $(filter ip_vs_hrw,$(1)),$(filter-out sched_name,$(2)),$(if \
	$(filter ip_vs_chbl,$(1)),$(filter-out sched_name,$(2)) eps eps_flag3,$(2)))

# kmod_modinfo KO PARAMS: modinfo's fields are there and the parameters are
# exactly PARAMS.
define kmod_modinfo
	ko=$(1); \
	for f in description version license compat; do \
		test -n "$$(modinfo -F $$f $$ko)" || { echo "kmod: $$ko: modinfo lacks $$f"; exit 1; }; \
	done; \
	got=$$(modinfo -F parm $$ko | sed 's/:.*//' | sort | tr '\n' ' '); \
	want=$$(echo $(2) | tr ' ' '\n' | sort | tr '\n' ' '); \
	test "$$got" = "$$want" || { echo "kmod: $$ko: parameters '$$got', expected '$$want'"; exit 1; }; \
	echo "kmod: $$ko (modinfo: $(words $(2)) parameters, compat $$(modinfo -F compat $$ko))";
endef

# kmod_one KDIR OUT AIDS PARAMS: build the modules, then check each.
define kmod_one
	$(MAKE) -s -C kmod KDIR=$(1) OUT=$(2) WMH_DEBUG_AIDS=$(3) \
		KCFLAGS=-Werror module || exit 1; \
	$(foreach m,$(KMODS),$(call kmod_modinfo,$(2)/$(m).ko,$(call kmod_params,$(m),$(4))))
endef

define kmod_build
	$(call kmod_one,/lib/modules/$(1)/build,$(CURDIR)/$(BUILD)/kmod/$(1),0,$(KMOD_PARAMS)) \
	$(call kmod_one,/lib/modules/$(1)/build,$(CURDIR)/$(BUILD)/kmod-test/$(1),1,$(KMOD_TEST_PARAMS))
endef

kmod:
ifneq ($(KVER),)
	@test -f /lib/modules/$(KVER)/build/Makefile || \
		{ echo "kmod: no headers for $(KVER) in /lib/modules/$(KVER)/build"; exit 1; }
	@$(call kmod_build,$(KVER))
else
	@$(foreach k,$(KVERS_PRESENT),$(call kmod_build,$(k)))
	@$(if $(KVER_61),$(if $(filter $(KVER_61),$(KVERS_PRESENT)),,echo "kmod: skipped 6.1: no headers in /lib/modules/$(KVER_61)/build (make deps)";),echo "kmod: skipped 6.1: no /lib/modules/6.1.*-amd64 (make deps installs linux-headers-amd64)";)
	@$(if $(KVER_612),$(if $(filter $(KVER_612),$(KVERS_PRESENT)),,echo "kmod: skipped 6.12: no headers in /lib/modules/$(KVER_612)/build (make deps)";),echo "kmod: skipped 6.12: no /lib/modules/6.12.*-amd64 (make deps installs linux-headers-6.12-amd64)";)
endif

kmod-all:
	@test -n "$(KVER_61)" -a -n "$(KVER_612)" || \
		{ echo "kmod: need /lib/modules/6.1.* and 6.12.* (run make deps)"; exit 1; }
	@$(foreach k,$(KVERS),$(call kmod_build,$(k)))

# W=1 plus sparse on every kernel object; any sparse warning fails.
kmod-check:
	@for k in $(KVERS); do \
		$(MAKE) -s -C kmod KVER=$$k OUT=$(CURDIR)/$(BUILD)/kmod-sparse/$$k WMH_DEBUG_AIDS=1 \
			KCFLAGS=-Werror check || exit 1; \
		echo "kmod-check: $$k clean under W=1 and sparse"; \
	done
	bash tests/kmod/next-api.sh --out $(BUILD)/kmod-next-api $(KVERS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The unit tests again under AddressSanitizer and UBSan.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIPVS_SCHED_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target core_tests sim_tests ipvs_verify_tests \
		ipvs_capture_tests
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -E "^(vm|man|cli)_"

# The VM suite's debug kernel (KASAN, lockdep, kmemleak; built from
# linux-source-6.12 once per machine and cached by tests/vm/debug-kernel.sh)
# and the test module built against it.
debug-kernel:
	bash tests/vm/debug-kernel.sh >/dev/null

kmod-debug: debug-kernel
	@entry=$$(bash tests/vm/debug-kernel.sh --print) && \
	$(call kmod_one,$$entry/obj,$(CURDIR)/$(BUILD)/kmod-test/debug,1,$(KMOD_TEST_PARAMS))

# Both kernels and the debug kernel in QEMU; every kernel decision against
# ipvs-sim predict. Then one 6.1 boot: with the recommended table size,
# wmh's kernel memory per service must not exceed in-tree mh's (300
# services).
vmtest: build kmod-all kmod-debug
	bash tests/vm/run-all.sh --kernels "$(KVER_61) $(KVER_612)" \
		--kmod-dir-61 $(BUILD)/kmod-test/$(KVER_61) \
		--kmod-dir-612 $(BUILD)/kmod-test/$(KVER_612) \
		--flowgen $(BUILD)/tools/flowgen/flowgen \
		--snapshot $(BUILD)/tools/ipvs-snapshot/ipvs-snapshot \
		--verify $(BUILD)/tools/ipvs-verify/ipvs-verify \
		--capture $(BUILD)/tools/ipvs-capture/ipvs-capture \
		--debug-kernel "$$(bash tests/vm/debug-kernel.sh --print)" \
		--kmod-dir-debug $(BUILD)/kmod-test/debug \
		--sim $(SIM) --out $(BUILD)/vm
	bash tests/vm/bench-memory.sh --kver $(KVER_61) --kmod-dir $(BUILD)/kmod/$(KVER_61) \
		--flowgen $(BUILD)/tools/flowgen/flowgen --out $(BUILD)/vm-memory \
		--services 300 --plan tests/vm/memory-check.plan

bench: configure kmod-all
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh --build $(BUILD)

# libFuzzer harnesses (fuzz/): clang with ASan and UBSan, in their own build
# directory. `make fuzz` runs each for FUZZ_SECONDS over its corpus, new
# inputs going to $(FUZZ_BUILD)/corpus/NAME (not to git) and crashes to
# $(FUZZ_BUILD)/artifacts/; `make fuzz-smoke` runs each briefly over the
# committed corpus (fuzz/corpus/NAME, regression inputs included) and fails
# on any crash.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 4000
FUZZ_TARGETS = trace_text trace_pcap ipvs_conn ipvsadm_rules ipvsadm_list keepalived \
	config_load timeline mark_map sysctl core_params core_table verify_export vip_arg

fuzz-build:
	cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DIPVS_SCHED_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_BUILD)/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- \
			$(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1 || \
			{ tail -40 $(FUZZ_BUILD)/$$t.log; echo "fuzz: $$t crashed, see $(FUZZ_BUILD)/artifacts/"; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/$$t.log | sed "s/^/fuzz: $$t: /"; \
	done

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_BUILD)/smoke/$$t && mkdir -p $(FUZZ_BUILD)/smoke/$$t; \
		$(FUZZ_BUILD)/$${t}_fuzz -runs=$(FUZZ_SMOKE_RUNS) -max_total_time=5 -timeout=10 \
			-artifact_prefix=$(FUZZ_BUILD)/smoke/$$t- \
			$(FUZZ_BUILD)/smoke/$$t fuzz/corpus/$$t >$(FUZZ_BUILD)/smoke/$$t.log 2>&1 || \
			{ tail -40 $(FUZZ_BUILD)/smoke/$$t.log; echo "fuzz-smoke: $$t failed"; exit 1; }; \
		echo "fuzz-smoke: $$t: $$(ls fuzz/corpus/$$t | wc -l) corpus inputs, $$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' $(FUZZ_BUILD)/smoke/$$t.log) runs, no crash"; \
	done

# Benchmarks are not tests: build them and run each once, briefly.
bench-smoke: build
	bash bench/run.sh --build $(BUILD) --smoke

# The simulator only: no tests, no benchmarks, no kernel.
demo: demo-deps configure
	cmake --build $(BUILD) -j $(JOBS) --target ipvs-sim
	bash sim/demo/run-demo.sh $(SIM) $(DEMO_OUT)

# make demo as the first command on a bare bookworm (debootstrap, chroot;
# needs root and the Debian mirror).
bare-check:
	bash tests/bare/run.sh

check: deps
	$(MAKE) check-all

check-all: format-check docs-check build kmod-all kmod-check dkms-check test test-asan \
	fuzz-smoke bench-smoke demo install-check bare-check vmtest
	@echo "check: all passed"

# The dkms package builds for both kernels, in a private dkms tree.
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kmod/dkms.conf)
dkms-check:
	rm -rf $(BUILD)/dkms && mkdir -p $(BUILD)/dkms/tree $(BUILD)/dkms/src/ip_vs_wmh-$(DKMS_VERSION)
	cp kmod/Kbuild kmod/Makefile kmod/dkms.conf kmod/*.c kmod/*.h \
		$(BUILD)/dkms/src/ip_vs_wmh-$(DKMS_VERSION)/
	@for k in $(KVERS); do \
		dkms build ip_vs_wmh/$(DKMS_VERSION) -k $$k --dkmstree $(CURDIR)/$(BUILD)/dkms/tree \
			--sourcetree $(CURDIR)/$(BUILD)/dkms/src >$(BUILD)/dkms/$$k.log 2>&1 || \
			{ cat $(BUILD)/dkms/$$k.log; exit 1; }; \
		for m in $(KMODS); do \
			ls $(BUILD)/dkms/tree/ip_vs_wmh/$(DKMS_VERSION)/$$k/*/module/$$m.ko* >/dev/null || exit 1; \
		done; \
		echo "dkms-check: $(KMODS) built by dkms for $$k"; \
	done

# make install into a scratch root must place every file.
install-check:
	rm -rf $(BUILD)/install-root
	$(MAKE) -s install DESTDIR=$(CURDIR)/$(BUILD)/install-root PREFIX=/usr
	@for f in usr/bin/ipvs-sim usr/bin/ipvs-snapshot usr/bin/ipvs-verify usr/bin/ipvs-capture \
		usr/share/man/man1/ipvs-sim.1 \
		usr/share/man/man8/ipvs-snapshot.8 usr/share/man/man8/ipvs-verify.8 \
		usr/share/man/man8/ipvs-capture.8 \
		usr/share/ipvs-sched/modprobe.d/ip_vs_wmh-as-mh.conf \
		usr/share/ipvs-sched/modprobe.d/ip_vs_wmh-as-sh.conf \
		$(foreach k,$(KVERS),$(foreach m,$(KMODS),lib/modules/$(k)/updates/$(m).ko)); do \
		test -f $(BUILD)/install-root/$$f || { echo "install-check: $$f missing"; exit 1; }; \
	done
	$(BUILD)/install-root/usr/bin/ipvs-sim --help >/dev/null
	$(BUILD)/install-root/usr/bin/ipvs-verify --help >/dev/null
	$(BUILD)/install-root/usr/bin/ipvs-capture --help >/dev/null
	@echo "install-check: all files installed"

# Every C and C++ file: C++ follows the root .clang-format, the tools' C an
# approximation of kernel style (tools/.clang-format); kmod/ opts out and is
# held to checkpatch instead (make style).
FORMAT_SOURCES = $(shell git ls-files '*.cc' '*.h' '*.c')

format-check:
	@test -n "$(FORMAT_SOURCES)" || { echo "format-check: no files (outside a git checkout?)"; exit 1; }
	clang-format --dry-run --Werror $(FORMAT_SOURCES)
	@echo "format-check: $(words $(FORMAT_SOURCES)) files formatted"

# Every .rst page must parse without a docutils warning.
docs-check:
	/usr/bin/python3 tools/check-docs.py $(wildcard Documentation/*.rst)

style: format-check
	$(MAKE) -C kmod style

install: build kmod
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(SIM) $(DESTDIR)$(PREFIX)/bin/ipvs-sim
	install -m 755 $(BUILD)/tools/ipvs-snapshot/ipvs-snapshot $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/tools/ipvs-verify/ipvs-verify $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/tools/ipvs-capture/ipvs-capture $(DESTDIR)$(PREFIX)/bin/
	install -m 644 Documentation/ipvs-sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 Documentation/ipvs-snapshot.8 Documentation/ipvs-verify.8 Documentation/ipvs-capture.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(MODPROBE_DIR)
	install -m 644 $(MODPROBE_FILES) $(DESTDIR)$(MODPROBE_DIR)/
	@for k in $(KVERS_PRESENT); do for m in $(KMODS); do \
		install -D -m 644 $(BUILD)/kmod/$$k/$$m.ko \
			$(DESTDIR)/lib/modules/$$k/updates/$$m.ko; \
	done; done
	@if [ -z "$(DESTDIR)" ]; then for k in $(KVERS_PRESENT); do depmod -a $$k; done; fi
	@echo "install: drop-in configs in $(MODPROBE_DIR) (not enabled; see Documentation/deployment.rst)"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
