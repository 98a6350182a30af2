#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install punix with DKMS on this machine for Debian's kernels, boot each of
# them with what DKMS installed, and remove it again.
#
#   scripts/dkms-check.sh [NAME...]     (default: every Debian kernel of
#                                        punix_kernels, i.e. 6.1 and 6.12)
#
# On the host, as root: `make dkms-src` (the sources in /usr/src/punix-VER),
# `dkms add`, then per kernel `dkms build -k REL` and `dkms install -k REL`
# (into /lib/modules/REL/updates/dkms, with depmod). Then per kernel a VM
# whose initramfs holds the installed module at its path and depmod's
# modules.* files, with scripts/guest/dkms-init.sh as /init: the first
# socket(25, ...) of uid 65534 loads punix through the kernel's modprobe
# request, `modprobe punix family=N` works, "blacklist punix" in modprobe.d
# turns autoload off. Also: `make sign` with a throwaway key, `make install`
# and `make uninstall` into a DESTDIR. Last, `make dkms-uninstall` (dkms
# remove --all) and a look for anything left behind.
#
# Writes "<passed> <failed>" to build/dkms/counts; logs in build/dkms/.
# It refuses to run when DKMS already has a punix: it would remove it.
set -uo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$PUNIX_BUILD/dkms
rm -rf "$out"
mkdir -p "$out"
passed=0 failed=0
# A family number no Debian kernel implements (AF_SNA, reserved).
ALT_FAMILY=22

summary() {
	echo "$passed $failed" >"$out/counts"
	if ((failed)); then
		bad "dkms: $passed passed, $failed failed   (logs: ${out#"$PUNIX_ROOT"/}/)"
	else
		good "dkms: $passed passed, $failed failed"
	fi
}
ok()   { printf '  %-40s ok %s\n' "$1" "${2:-}"; passed=$((passed + 1)); }
fail() {
	printf '  %-40s FAILED %s\n' "$1" "${2:-}"
	failed=$((failed + 1))
}
# step NAME CMD...: run CMD with its output in $out/NAME.log; count it.
step() {
	local name=$1 log t0
	t0=$(now)
	shift
	log=$out/$(tr ' /' '--' <<<"$name").log
	if "$@" >"$log" 2>&1; then
		ok "$name" "($(($(now) - t0))s)"
	else
		fail "$name" "(log: ${log#"$PUNIX_ROOT"/})"
		tail -n 20 "$log" | sed 's/^/    /'
		return 1
	fi
}
give_up() { fail "$1" "${2:-}"; summary; exit 1; }

say "dkms: install, autoload and remove"
[[ $(id -u) == 0 ]] || give_up "dkms needs root" "(it writes /usr/src, /var/lib/dkms, /lib/modules)"
command -v dkms >/dev/null || give_up "dkms is installed" "(apt-get install dkms)"

# The kernels: Debian's, whose release names a /lib/modules directory.
declare -A bz_of=() rel_of=()
names=()
while read -r name bz _; do
	[[ $bz == /boot/vmlinuz-* ]] || continue
	(($#)) && [[ " $* " != *" $name "* ]] && continue
	names+=("$name") bz_of[$name]=$bz rel_of[$name]=${bz#/boot/vmlinuz-}
done < <(PUNIX_DEBUG_KERNEL=0 punix_kernels)
((${#names[@]})) || give_up "a Debian kernel to install for" "(asked for: $*)"

# One run at a time on this machine: DKMS's trees are shared.
exec 8>"/run/lock/punix-dkms-check.lock"
flock -n 8 || { echo "  waiting for another dkms check"; flock 8; }

# The module's sources (the bench's snapshot if there is one) with the
# top-level files DKMS and the install targets need.
tree=$out/src
mkdir -p "$tree"
cp -a "${PUNIX_SRC:-$PUNIX_ROOT}"/{Kbuild,src,include} "$tree/"
cp -a "$PUNIX_ROOT"/{dkms.conf,Makefile,LICENSE} "$tree/"
for t in punix-ss punix-run; do
	[[ -f $PUNIX_ROOT/$t/Makefile ]] && cp -a "$PUNIX_ROOT/$t" "$tree/"
done
ver=$(make -s -C "$tree" version)
[[ -n $ver ]] || give_up "MODULE_VERSION in src/core.c"
echo "  punix $ver for ${names[*]}"

if [[ -e /var/lib/dkms/punix || -n $(dkms status punix 2>/dev/null) ]]; then
	give_up "no punix in DKMS before the check" \
		"(dkms status: $(dkms status punix 2>&1 | xargs); run make dkms-uninstall first)"
fi

# Whatever happens from here on, leave nothing installed.
added=0
cleanup() {
	((added)) || return 0
	dkms remove "punix/$ver" --all >/dev/null 2>&1
	rm -rf "/usr/src/punix-$ver"
}
trap cleanup EXIT

# The sources land in /usr/src/punix-VER through the Makefile's own target.
step "make dkms-src" make -C "$tree" dkms-src || { summary; exit 1; }
added=1
if step "dkms add" dkms add "punix/$ver"; then
	# dkms read the version out of src/core.c through dkms.conf.
	if dkms status "punix/$ver" | grep -q "^punix/$ver: added"; then
		ok "dkms.conf version is $ver"
	else
		fail "dkms.conf version is $ver" "($(dkms status punix 2>&1 | xargs))"
	fi
else
	summary
	exit 1
fi

declare -A modpath_of=()
for name in "${names[@]}"; do
	rel=${rel_of[$name]}
	step "dkms build $name" dkms build "punix/$ver" -k "$rel" || continue
	step "dkms install $name" dkms install "punix/$ver" -k "$rel" || continue
	# Where it went, compressed or not as the kernel's config says.
	mapfile -t found < <(find "/lib/modules/$rel/updates/dkms" -name 'punix.ko*' 2>/dev/null)
	if ((${#found[@]} != 1)); then
		fail "installed in updates/dkms $name" "(found: ${found[*]:-nothing})"
		continue
	fi
	modpath_of[$name]=${found[0]}
	if grep -qx 'alias net-pf-25 punix' "/lib/modules/$rel/modules.alias" &&
		grep -q "^${found[0]#/lib/modules/"$rel"/}:" "/lib/modules/$rel/modules.dep"; then
		ok "depmod: alias and dep $name" "(${found[0]})"
	else
		fail "depmod: alias and dep $name" "(no net-pf-25 alias or no ${found[0]##*/} in modules.dep)"
	fi
done

# The VMs: the host's kmod and python (scripts/guest/host-files) do the work.
export PUNIX_HOST_CPIO=$PUNIX_BUILD/host-files.cpio
if ! punix_host_cpio "$PUNIX_HOST_CPIO" "$PUNIX_ROOT/scripts/guest/host-files"; then
	fail "host programs for the guest"
	names=()
fi
for name in "${names[@]}"; do
	[[ -n ${modpath_of[$name]:-} ]] || continue
	rel=${rel_of[$name]} mp=${modpath_of[$name]} vm=$out/vm-$name
	mkdir -p "$vm"
	cat >"$vm/bench.conf" <<-EOF
		RELEASE=$rel
		VERSION=$ver
		MODPATH=$mp
		ALT_FAMILY=$ALT_FAMILY
	EOF
	files=("$vm/bench.conf:/bench.conf" "$mp:$mp")
	for f in "/lib/modules/$rel"/modules.*; do
		files+=("$f:$f")
	done
	punix_mkinitramfs "$vm/initramfs.cpio.gz" "$PUNIX_ROOT/scripts/guest/dkms-init.sh" "${files[@]}"
	echo "  booting $name ($rel) with the DKMS-installed module"
	t0=$(now)
	punix_boot "$vm" punix_qemu "${bz_of[$name]}" "$vm/initramfs.cpio.gz" "$vm"
	((qrc == 0)) || bad "  QEMU exited with status $qrc (124: timeout)"
	awk -v tests="" -f "$PUNIX_ROOT/scripts/results.awk" "$vm/results.log" >"$vm/summary.txt" 2>&1
	grep -v '^@@counts ' "$vm/summary.txt" | sed "s/^  \([^ ]*\)/  $name \1/"
	read -r _ p f < <(grep '^@@counts ' "$vm/summary.txt" || echo "@@counts 0 1")
	passed=$((passed + p)) failed=$((failed + f))
	punix_kernel_problems "$vm/console.log" "$vm/dmesg.log" >"$vm/problems.txt"
	if [[ -s $vm/problems.txt ]]; then
		fail "$name kernel log clean" "(${vm#"$PUNIX_ROOT"/}/problems.txt)"
		head -n 5 "$vm/problems.txt" | sed 's/^/    /'
	else
		ok "$name kernel log clean" "(VM: $(($(now) - t0))s)"
	fi
done

# make sign, make install and make uninstall, on the last kernel (6.12
# compresses its modules): an unsigned build signed with a throwaway key,
# installed into a DESTDIR, where modinfo must name that key's signer.
name=${names[-1]} rel=${rel_of[${names[-1]}]}
kdir=/lib/modules/$rel/build
dest=$out/destdir
sign_check() {
	local key=$out/throwaway.key crt=$out/throwaway.der signer
	make -C "$tree" KDIR="$kdir" module || return 1
	make -s -C "$tree" KDIR="$kdir" sign >"$out/sign-usage.txt" 2>&1 && {
		echo "make sign without KEY/CERT succeeded"; return 1; }
	grep -q 'mokutil --import' "$out/sign-usage.txt" || { echo "no MOK how-to"; return 1; }
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 1 -sha256 \
		-subj "/CN=punix throwaway test key/" -outform DER \
		-keyout "$key" -out "$crt" 2>&1 || return 1
	make -C "$tree" KDIR="$kdir" KEY="$key" CERT="$crt" sign || return 1
	signer=$(modinfo -F signer "$tree/punix.ko")
	echo "signer: $signer"
	[[ $signer == "punix throwaway test key" ]]
}
install_check() {
	local f
	rm -rf "$dest"
	make -C "$tree" KDIR="$kdir" KVER="$rel" DESTDIR="$dest" PREFIX=/usr/local install || return 1
	f=$(find "$dest/lib/modules/$rel/updates" -name 'punix.ko*')
	echo "installed: $f"
	[[ -n $f && -f $dest/usr/local/include/linux/punix.h ]] || { echo "missing module or header"; return 1; }
	grep -qx 'alias net-pf-25 punix' "$dest/lib/modules/$rel/modules.alias" || { echo "no alias"; return 1; }
	[[ $(modinfo -F signer "$f") == "punix throwaway test key" ]] || { echo "installed module lost its signature"; return 1; }
	make -C "$tree" KDIR="$kdir" KVER="$rel" DESTDIR="$dest" PREFIX=/usr/local uninstall || return 1
	f=$(find "$dest" -name 'punix.ko*' -o -name punix.h)
	[[ -z $f ]] || { echo "left behind: $f"; return 1; }
	! grep -q punix "$dest/lib/modules/$rel/modules.alias" || { echo "alias left in modules.alias"; return 1; }
}
step "make sign $name" sign_check && step "make install/uninstall $name" install_check

# dkms remove --all, through the Makefile, and nothing left behind.
step "make dkms-uninstall" make -C "$tree" dkms-uninstall && added=0
left=()
[[ -e /var/lib/dkms/punix ]] && left+=(/var/lib/dkms/punix)
[[ -e /usr/src/punix-$ver ]] && left+=("/usr/src/punix-$ver")
mapfile -t -O "${#left[@]}" left < <(find /lib/modules/*/updates -name 'punix.ko*' 2>/dev/null)
mapfile -t -O "${#left[@]}" left < <(grep -l -w punix /lib/modules/*/modules.{alias,dep} 2>/dev/null)
if ((${#left[@]} == 0)); then
	ok "dkms remove leaves nothing behind"
else
	fail "dkms remove leaves nothing behind" "(${left[*]})"
fi

summary
((failed == 0))
