# SPDX-License-Identifier: GPL-2.0
#
# ipvs-sched: the two commands are `make demo` and `make check`.
#
#   make demo     build the simulator and compare schedulers on a bundled
#                 scenario (no root, no kernel needed)
#   make check    install missing Debian packages, build everything for both
#                 kernels and run every test, QEMU guests included
#
# Other targets: build kmod test test-asan vmtest bench style install clean.

BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
DESTDIR ?=

# Debian's 6.1 and 6.12 kernels, whichever ABI versions are installed.
KVER_61 = $(notdir $(lastword $(sort $(wildcard /lib/modules/6.1.*-amd64))))
KVER_612 = $(notdir $(lastword $(sort $(wildcard /lib/modules/6.12.*-amd64))))
KVERS = $(KVER_61) $(KVER_612)

SIM = $(BUILD)/sim/ipvs-sim
DEMO_OUT ?= out/demo

.PHONY: all deps configure build kmod kmod-check test test-asan vmtest \
	bench bench-smoke demo check check-all style install clean \
	dkms-check install-check format-check

all: build kmod

deps:
	bash tools/install-deps.sh

configure:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# ip_vs_wmh.ko for each kernel, warnings are errors.
kmod:
	@test -n "$(KVER_61)" -a -n "$(KVER_612)" || \
		{ echo "kmod: need /lib/modules/6.1.* and 6.12.* (run make deps)"; exit 1; }
	@for k in $(KVERS); do \
		$(MAKE) -s -C kmod KVER=$$k OUT=$(CURDIR)/$(BUILD)/kmod/$$k \
			KCFLAGS=-Werror module || exit 1; \
		ko=$(BUILD)/kmod/$$k/ip_vs_wmh.ko; \
		for f in description version license; do \
			test -n "$$(modinfo -F $$f $$ko)" || { echo "kmod: modinfo lacks $$f"; exit 1; }; \
		done; \
		for p in table_size hash_key port_hash overflow debug_fail_rebuilds; do \
			modinfo -F parm $$ko | grep -q "^$$p:" || { echo "kmod: modinfo lacks parameter $$p"; exit 1; }; \
		done; \
		echo "kmod: $$ko (modinfo: description, version, license, 5 parameters)"; \
	done

# W=1 plus sparse on every kernel object; any sparse warning fails.
kmod-check:
	@for k in $(KVERS); do \
		$(MAKE) -s -C kmod KVER=$$k OUT=$(CURDIR)/$(BUILD)/kmod-sparse/$$k \
			KCFLAGS=-Werror check || exit 1; \
		echo "kmod-check: $$k clean under W=1 and sparse"; \
	done

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The unit tests again under AddressSanitizer and UBSan.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIPVS_SCHED_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target core_tests sim_tests
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -E "^vm_"

# Both kernels in QEMU; every kernel decision against ipvs-sim predict.
vmtest: build kmod
	bash tests/vm/run-all.sh --kernels "$(KVER_61) $(KVER_612)" \
		--kmod-dir-61 $(BUILD)/kmod/$(KVER_61) \
		--kmod-dir-612 $(BUILD)/kmod/$(KVER_612) \
		--flowgen $(BUILD)/tools/flowgen/flowgen \
		--snapshot $(BUILD)/tools/ipvs-snapshot/ipvs-snapshot \
		--sim $(SIM) --out $(BUILD)/vm

bench: configure kmod
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	bash bench/run.sh --build $(BUILD)

# Benchmarks are not tests: build them and run each once, briefly.
bench-smoke: build
	bash bench/run.sh --build $(BUILD) --smoke

demo: build
	bash sim/demo/run-demo.sh $(SIM) $(DEMO_OUT)

check: deps
	$(MAKE) check-all

check-all: format-check build kmod kmod-check dkms-check test test-asan \
	bench-smoke demo install-check vmtest
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
		ls $(BUILD)/dkms/tree/ip_vs_wmh/$(DKMS_VERSION)/$$k/*/module/ip_vs_wmh.ko* >/dev/null || exit 1; \
		echo "dkms-check: ip_vs_wmh built by dkms for $$k"; \
	done

# make install into a scratch root must place every file.
install-check:
	rm -rf $(BUILD)/install-root
	$(MAKE) -s install DESTDIR=$(CURDIR)/$(BUILD)/install-root PREFIX=/usr
	@for f in usr/bin/ipvs-sim usr/bin/ipvs-snapshot usr/share/man/man1/ipvs-sim.1 \
		usr/share/man/man8/ipvs-snapshot.8 \
		$(foreach k,$(KVERS),lib/modules/$(k)/updates/ip_vs_wmh.ko); do \
		test -f $(BUILD)/install-root/$$f || { echo "install-check: $$f missing"; exit 1; }; \
	done
	$(BUILD)/install-root/usr/bin/ipvs-sim --help >/dev/null
	@echo "install-check: all files installed"

# Every C and C++ file: C++ follows the root .clang-format, the tools' C an
# approximation of kernel style (tools/.clang-format); kmod/ opts out and is
# held to checkpatch instead (make style).
FORMAT_SOURCES = $(shell git ls-files '*.cc' '*.h' '*.c')

format-check:
	clang-format --dry-run --Werror $(FORMAT_SOURCES)
	@echo "format-check: $(words $(FORMAT_SOURCES)) files formatted"

style: format-check
	$(MAKE) -C kmod style

install: build kmod
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(SIM) $(DESTDIR)$(PREFIX)/bin/ipvs-sim
	install -m 755 $(BUILD)/tools/ipvs-snapshot/ipvs-snapshot $(DESTDIR)$(PREFIX)/bin/
	install -m 644 Documentation/ipvs-sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 Documentation/ipvs-snapshot.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	@for k in $(KVERS); do \
		install -D -m 644 $(BUILD)/kmod/$$k/ip_vs_wmh.ko \
			$(DESTDIR)/lib/modules/$$k/updates/ip_vs_wmh.ko; \
	done
	@if [ -z "$(DESTDIR)" ]; then for k in $(KVERS); do depmod -a $$k; done; fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
