#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make expected: write the expected lists, selftests/expected/<kernel>.txt,
# from the test programs as they are built now.
#
#   scripts/expected.sh [--tests DIR]
#
# Each list holds one "PROGRAM CASE" line per test case that kernel must
# report (scripts/results.awk fails a missing and an unexpected one), in the
# plan of scripts/lib.sh's punix_plan: fault_* on the debug kernel only, the
# script tests on the Debian kernels only, and "PROGRAM@nobody" for the
# unprivileged pass (selftests/unprivileged.txt) on the Debian kernels.
#
# Where the case names come from:
# - kselftest-harness programs: "PROGRAM -l" (FIXTURE, VARIANT and TEST
#   columns), expanded to the "fixture.variant.test" names the harness
#   prints;
# - other programs (fuzz_test): "PROGRAM -l" printing one name a line on
#   stdout;
# - script tests (*.sh): their TAP names in the newest clean run (exit 0,
#   every case "ok") found in build/<kernel>/results.log; without one the
#   names already in the lists are kept. Run the script in a VM first
#   (scripts/vm.sh --tests DIR 6.12) to add or rename its cases.
#
# The selftests are built into build/selftests (as make check builds them)
# unless --tests DIR names built ones. Prints what changed; review it with
# git diff selftests/expected/ and commit it with the test.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$PUNIX_ROOT"
# The lists are the whole plan, whatever a developer's run leaves out.
unset PUNIX_UNPRIV

tests=
case ${1:-} in
--tests) tests=$(realpath "${2:?usage: $0 [--tests DIR]}") ;;
'') ;;
*) die "usage: $0 [--tests DIR]" ;;
esac
if [[ -z $tests ]]; then
	[[ -f $PUNIX_KSFT_INC/kselftest_harness.h ]] || scripts/deps.sh
	tests=$PUNIX_BUILD/selftests
	say "building the selftests into ${tests#"$PUNIX_ROOT"/}"
	punix_build_selftests "$tests" || die "the selftests do not build"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cases"

# harness_names: "PROGRAM -l" of a kselftest-harness program (stdin) to
# case names. Rows are printf("%-20s %-25s %s") of fixture, variant, test;
# the fixture is on the first row of its block only, and the variant and
# test columns run in parallel, each empty once its list is done. The cases
# are every variant (or none) times every test, in the harness's run order.
harness_names() {
	awk '
	function flush(   i, j) {
		if (fx == "")
			return
		if (nv == 0)
			for (j = 1; j <= nt; j++)
				print fx "." t[j]
		for (i = 1; i <= nv; i++)
			for (j = 1; j <= nt; j++)
				print fx "." v[i] "." t[j]
		fx = ""
		nv = nt = 0
	}
	function max(a, b) { return a > b ? a : b }
	/^# FIXTURE/ { first = 1; next }
	/^-+$/ { flush(); first = 1; next }
	{
		col = 22			# 1-based column of VARIANT
		if (first) {
			fx = $1
			col = max(20, length(fx)) + 2
			first = 0
		}
		var = ""
		if (substr($0, col, 1) != " " && length($0) >= col) {
			var = substr($0, col)
			sub(/ .*/, "", var)
			tcol = col + max(25, length(var)) + 1
		} else {
			tcol = col + 26
		}
		tst = substr($0, tcol)
		gsub(/^ +| +$/, "", tst)
		if (var != "")
			v[++nv] = var
		if (tst != "")
			t[++nt] = tst
	}
	END { flush() }'
}

# log_names PROG: the TAP names of PROG's newest clean run in a results.log.
log_names() {
	local prog=$1 log
	local -a logs=()
	# Newest first (paths under build/ have no spaces).
	mapfile -t logs < <(find "$PUNIX_BUILD" -mindepth 2 -maxdepth 2 -name results.log \
		-printf '%T@ %p\n' 2>/dev/null | sort -rn | cut -d' ' -f2-)
	for log in "${logs[@]}"; do
		awk -v prog="$prog" '
		$0 == "@@punix test-begin " prog { inb = 1; n = 0; bad = 0; plan = -1; next }
		!inb { next }
		/^@@punix test-end / {
			if ($3 == prog && $4 == "0" && !bad && n > 0 && (plan < 0 || plan == n)) {
				for (i = 1; i <= n; i++)
					print names[i]
				found = 1
				exit
			}
			inb = 0
			next
		}
		/^@@punix / { inb = 0; next }
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
		/^not ok [0-9]+/ { bad = 1; next }
		/^ok [0-9]+/ {
			c = $0
			sub(/^ok [0-9]+ ?/, "", c)
			if (c ~ / # ([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo]|[Xx][Ff][Aa][Ii][Ll]|[Xx][Pp][Aa][Ss][Ss])/)
				bad = 1
			sub(/ # .*$/, "", c)
			sub(/ +$/, "", c)
			names[++n] = c
		}
		END { exit !found }' "$log" && return 0
	done
	return 1
}

# list_cases PROG: its case names, one a line, into $tmp/cases/PROG.
list_cases() {
	local p=$1 f=$tests/$1 out=$tmp/cases/$1
	if [[ $(head -c 9 "$f" | tr -d '\0') == '#!/bin/sh' ]]; then
		if log_names "$p" >"$out"; then
			echo "  $p: $(wc -l <"$out") cases, from the newest clean run in build/*/results.log"
		elif cat "$PUNIX_EXPECTED_DIR"/*.txt 2>/dev/null |
			awk -v p="$p" '$1 == p { sub(/^[^ ]+ /, ""); if (!seen[$0]++) print }' >"$out" &&
			[[ -s $out ]]; then
			echo "  $p: $(wc -l <"$out") cases kept from the current lists (no clean run in build/*/results.log)"
		else
			die "$p: no clean run in build/*/results.log to take its case names from; run it first: scripts/vm.sh --tests DIR 6.12"
		fi
		return
	fi
	# The programs only list here: no socket, no module needed. make fuzz's
	# variables would change fuzz_test's list.
	if ! env -u FUZZ_SEEDS -u FUZZ_OPS timeout 60 "$f" -l >"$tmp/stdout" 2>"$tmp/stderr" &&
		! grep -q '^# FIXTURE' "$tmp/stderr"; then
		# An i386 build (NAME_test32) on a host that cannot run it: the
		# same source as NAME_test, so the same cases.
		if [[ $p == *_test32 && -x $tests/${p%32} ]]; then
			list_cases "${p%32}" >/dev/null
			cp "$tmp/cases/${p%32}" "$out"
			echo "  $p: cannot run here; the cases of ${p%32}"
			return
		fi
		cat "$tmp/stderr" >&2
		die "$p -l failed: it must list its cases (kselftest harness, or one name a line)"
	fi
	if grep -q '^# FIXTURE' "$tmp/stderr"; then
		harness_names <"$tmp/stderr" >"$out"
	else
		sed '/^$/d' "$tmp/stdout" >"$out"
	fi
	[[ -s $out ]] || die "$p -l listed no cases"
	if [[ -n $(sort "$out" | uniq -d) ]]; then
		die "$p has case names twice: $(sort "$out" | uniq -d | head -n 3 | xargs)"
	fi
}

# nobody_cases PROG [-T TEST]...: PROG's cases but those of the tests the
# unprivileged pass leaves out (selftests/unprivileged.txt).
nobody_cases() {
	local p=$1 drop=" " t
	shift
	while (($#)); do
		[[ $1 == -T && -n ${2:-} ]] ||
			die "$PUNIX_UNPRIV_LIST: $p: only \"-T TEST\" options are understood, not '$*'"
		drop+="$2 "
		shift 2
	done
	for t in $drop; do
		grep -q "\.$t\$" "$tmp/cases/$p" ||
			die "$PUNIX_UNPRIV_LIST: $p has no test '$t' to leave out"
	done
	awk -v drop="$drop" '{ t = $0; sub(/.*\./, "", t) } !index(drop, " " t " ")' "$tmp/cases/$p"
}

say "listing the cases"
mapfile -t progs < <(punix_list_tests "$tests")
((${#progs[@]})) || die "no test programs in $tests"
for p in "${progs[@]}"; do
	list_cases "$p"
done
awk -v n="${#progs[@]}" 'END { printf "  %d programs, %d cases\n", n, NR }' "$tmp"/cases/*

say "writing the lists"
mkdir -p "$PUNIX_EXPECTED_DIR"
for k in $PUNIX_EXPECTED_KERNELS; do
	f=$PUNIX_EXPECTED_DIR/$k.txt
	{
		echo "# The test cases kernel $k must report, one \"PROGRAM CASE\" line each."
		echo "# Written by make expected (scripts/expected.sh) from the built programs;"
		echo "# scripts/results.awk fails a case missing from a run or missing here."
		while read -r what p args; do
			case $what in
			run) sed "s|^|$p |" "$tmp/cases/$p" ;;
			nobody)
				# shellcheck disable=SC2086 # options, one word each
				nobody_cases "$p" $args | sed "s|^|$p@nobody |"
				;;
			esac
		done < <(punix_plan "$k" "$tests")
	} >"$tmp/$k.txt"
	if [[ -f $f ]] && cmp -s "$f" "$tmp/$k.txt"; then
		echo "  ${f#"$PUNIX_ROOT"/}: unchanged ($(grep -vc '^#' "$f") cases)"
		continue
	fi
	change=new
	if [[ -f $f ]]; then
		change="+$(comm -13 <(grep -v '^#' "$f" | sort) <(grep -v '^#' "$tmp/$k.txt" | sort) | wc -l)"
		change+=" -$(comm -23 <(grep -v '^#' "$f" | sort) <(grep -v '^#' "$tmp/$k.txt" | sort) | wc -l)"
	fi
	cp "$tmp/$k.txt" "$f"
	echo "  ${f#"$PUNIX_ROOT"/}: $(grep -vc '^#' "$f") cases ($change)"
done
echo "  review with: git diff selftests/expected/"
