# SPDX-License-Identifier: GPL-2.0
#
# make            build punix.ko against KDIR
# make demo       build, boot a VM, load punix and show it beside AF_UNIX
# make check      the whole test bench: every kernel, every selftest

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD  := $(shell pwd)

all: module

module:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf build

demo:
	@scripts/demo.sh

check:
	@scripts/check.sh

.PHONY: all module clean demo check
