# SPDX-License-Identifier: GPL-2.0
#
# make                 build punix.ko against KDIR
# make install         install punix.ko (modules_install + depmod), the UAPI
#                      header and the tools; make uninstall undoes it
# make dkms-install    copy the sources to /usr/src/punix-VERSION and have
#                      DKMS build and install them; make dkms-uninstall
# make sign KEY=.. CERT=..   sign punix.ko for Secure Boot (make sign: how)
# make demo            build, boot a VM, load punix and show it beside AF_UNIX
# make check           the whole test bench: every kernel, every selftest
# make fuzz SEEDS=a-b  the differential fuzzer over those seeds, in a VM on
#                      6.1 and 6.12 (OPS=n operations a seed)
# make bench           AF_UNIX and punix side by side (bench/punix-bench) in a
#                      VM on 6.1 and 6.12: build/bench/<kernel>.{txt,tsv,png}
# make expected        rewrite selftests/expected/<kernel>.txt, the test
#                      cases make check requires, from the built selftests
#
# Variables: KVER (kernel release, default the running one), KDIR (its
# build tree), DESTDIR and PREFIX (default /usr/local) for make install,
# INSTALL_MOD_DIR (default updates), KO (the module make sign signs).

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD  := $(shell pwd)
PREFIX ?= /usr/local
INSTALL_MOD_DIR ?= updates

# The version lives in one place, MODULE_VERSION() in src/core.c; dkms.conf
# reads it from there too.
VERSION := $(shell sed -n 's/^MODULE_VERSION("\([^"]*\)");$$/\1/p' src/core.c)
# The release KDIR was built for, the name of its /lib/modules directory:
# the one the kernel reports (Debian's 6.1 headers have another in
# include/config/kernel.release, so modules_install is told this one).
MODREL = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(KVER))
# The tools, each in its own folder with targets all/install/uninstall/clean.
TOOLS := $(patsubst %/Makefile,%,$(wildcard punix-ss/Makefile punix-run/Makefile))
DKMS_SRC := /usr/src/punix-$(VERSION)
KO ?= punix.ko
SIGN_FILE = $(KDIR)/scripts/sign-file

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf build

# modules_install compresses (and, where the kernel build tree has its key,
# signs) the module as that kernel's configuration says.
install: module
	$(MAKE) -C $(KDIR) M=$(PWD) KERNELRELEASE=$(MODREL) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(MODREL)
	install -D -m 0644 include/uapi/linux/punix.h $(DESTDIR)$(PREFIX)/include/linux/punix.h
	@for t in $(TOOLS); do \
		$(MAKE) -C $$t install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(MODREL)/$(INSTALL_MOD_DIR)/punix.ko \
		$(DESTDIR)/lib/modules/$(MODREL)/$(INSTALL_MOD_DIR)/punix.ko.*
	depmod -a $(if $(DESTDIR),-b $(DESTDIR)) $(MODREL)
	rm -f $(DESTDIR)$(PREFIX)/include/linux/punix.h
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)/lib/modules/$(MODREL)/$(INSTALL_MOD_DIR) \
		$(DESTDIR)$(PREFIX)/include/linux 2>/dev/null
	@for t in $(TOOLS); do \
		$(MAKE) -C $$t uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) || exit 1; \
	done

# The module's sources (nothing built) in /usr/src/punix-VERSION, where
# DKMS looks for them.
dkms-src:
	@test -n "$(VERSION)" || { echo "no MODULE_VERSION in src/core.c" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='.*.d' --exclude='*.symvers' \
		--exclude='*.order' dkms.conf Makefile Kbuild LICENSE src include | \
		tar -C $(DKMS_SRC) -xf -

# Installing again replaces what DKMS had of this version. AUTOINSTALL in
# dkms.conf builds it for every kernel installed later.
dkms-install: dkms-src
	if dkms status punix/$(VERSION) | grep -q .; then dkms remove punix/$(VERSION) --all; fi
	dkms add punix/$(VERSION)
	dkms build punix/$(VERSION) -k $(KVER)
	dkms install punix/$(VERSION) -k $(KVER)

dkms-uninstall:
	@test -n "$(VERSION)" || { echo "no MODULE_VERSION in src/core.c" >&2; exit 1; }
	if dkms status punix/$(VERSION) | grep -q .; then dkms remove punix/$(VERSION) --all; fi
	rm -rf $(DKMS_SRC)

# Sign the module with a key of yours, for a kernel that enforces module
# signatures (Secure Boot). KEY and CERT as sign-file takes them: a PEM
# private key and the certificate (PEM or DER).
sign:
ifeq ($(and $(KEY),$(CERT)),)
	@echo 'usage: make sign KEY=<private key> CERT=<certificate> [KO=punix.ko] [KDIR=...]'
	@echo
	@echo 'A Secure Boot machine loads only modules signed by a key it trusts.'
	@echo 'Make a Machine Owner Key (MOK) pair once, and enrol its certificate:'
	@echo
	@echo '  openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \'
	@echo '      -subj "/CN=punix module signing key/" -outform DER \'
	@echo '      -keyout MOK.priv -out MOK.der'
	@echo '  mokutil --import MOK.der   # asks for a one-time password'
	@echo
	@echo 'Reboot: the shim'"'"'s MOK manager asks for that password and enrols the'
	@echo 'key. Then: make && make sign KEY=MOK.priv CERT=MOK.der && make install.'
	@echo 'DKMS signs what it builds with /var/lib/dkms/mok.key itself (it makes'
	@echo 'that key on first use): enrol /var/lib/dkms/mok.pub the same way.'
	@exit 1
else
	@test -f $(KO) || { echo "$(KO) is not built: run make first" >&2; exit 1; }
	@test -x $(SIGN_FILE) || { echo "$(SIGN_FILE) not found: KDIR must be the target kernel's build tree" >&2; exit 1; }
	$(SIGN_FILE) sha256 $(KEY) $(CERT) $(KO)
endif

version:
	@echo $(VERSION)

demo:
	@scripts/demo.sh

check:
	@scripts/check.sh

fuzz:
	@scripts/fuzz.sh "$(SEEDS)" "$(OPS)"

expected:
	@scripts/expected.sh

bench:
	@scripts/bench.sh

.PHONY: all module clean install uninstall dkms-src dkms-install dkms-uninstall sign version demo check fuzz \
	expected bench
