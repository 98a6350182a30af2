# SPDX-License-Identifier: GPL-2.0
#
# Count what a check VM reported on its results channel (see
# scripts/guest/check-init.sh for the format).
#
#   awk -v tests="prog1 prog2 ..." [-v expected=FILE -v full=0|1] \
#       -f results.awk results.log
#
# Prints one line per bench check and per test program, the failed test
# cases by name, and last "@@counts <passed> <failed>".
#
# Rules, strict on purpose:
# - "ok N name" is a pass. "ok ... # SKIP|XFAIL|XPASS|TODO" is a failure: a
#   skipped test must not hide a red one.
# - A program that planned N cases but reported fewer fails the missing ones;
#   one with no plan and no results, or that bailed out, fails once.
# - A program that exits non-zero with no failed case fails once more.
# - A program in the list that never started fails once; so does a run
#   without the end marker (crash, hang or timeout).
# - With an expected list (selftests/expected/<kernel>.txt: "PROGRAM CASE"
#   lines, make expected), each expected case a program does not report
#   fails ("expected X, missing"), and so does each case it reports that
#   the list lacks, and a program the list lacks. With full=1 an expected
#   program that is not in the run at all fails too (deleted, or it no
#   longer builds); with full=0 (vm.sh --tests DIR) it is only counted as
#   left out.

function start(name) {
	cur = name
	started[name] = 1
	plan[name] = -1
	npass[name] = 0
	nfail[name] = 0
	nres[name] = 0
	why[name] = ""
}

function fail_case(name, what) {
	nfail[name]++
	why[name] = why[name] "    " what "\n"
}

# ---- bench: the expected list ----
# check_expected(name): fail the unexpected cases of program @name and
# return how many expected ones it did not report (listing some).
function check_expected(name,   i, c, nmiss, shown) {
	if (expected == "")
		return 0
	if (!(name in nexp)) {
		fail_case(name, "unexpected program: not in " expected " (make expected)")
		return 0
	}
	for (i = 1; i <= ncases[name]; i++) {
		c = cases[name, i]
		if ((name, c) in want)
			continue
		# Not a pass even if it passed: the list must say it exists.
		if ((name, c) in passedcase)
			npass[name]--
		fail_case(name, "unexpected case " c " (not in the expected list: make expected)")
	}
	nmiss = 0
	shown = 0
	for (i = 1; i <= nexp[name]; i++) {
		c = explist[name, i]
		if ((name, c) in seen)
			continue
		nmiss++
		if (++shown <= 20)
			why[name] = why[name] "    expected " c ", missing\n"
	}
	if (shown > 20)
		why[name] = why[name] "    ... and " shown - 20 " more expected case(s) missing\n"
	return nmiss
}
# ---- end of the expected list ----

function finish(name, status, secs,   missing, emiss) {
	missing = 0
	emiss = check_expected(name)
	if (plan[name] >= 0 && nres[name] < plan[name]) {
		missing = plan[name] - nres[name]
		why[name] = why[name] "    " missing " planned case(s) never reported\n"
	}
	# A case lost from both the plan and the output is missing too.
	if (emiss > missing)
		missing = emiss
	nfail[name] += missing
	if (missing) {
		;
	} else if (plan[name] >= 0 && nres[name] > plan[name]) {
		fail_case(name, "reported " nres[name] " cases, planned " plan[name])
	} else if (plan[name] < 0 && nres[name] == 0) {
		fail_case(name, "no TAP output")
	}
	if (bail[name])
		fail_case(name, "bailed out")
	if (status == "") {
		note = "did not finish (kernel crash, hang or VM timeout)"
		if (missing)
			why[name] = why[name] "    " note "\n"
		else
			fail_case(name, note)
	} else if (status != 0) {
		note = "exit status " status
		if (status == 124 || status == 143 || status == 137)
			note = note " (killed: timeout?)"
		else if (status > 128)
			note = note " (signal " status - 128 ")"
		if (nfail[name] == 0)
			fail_case(name, note)
		else
			why[name] = why[name] "    " note "\n"
	}
	finished[name] = 1
	cur = ""
	printf "  %-32s %3d passed, %d failed%s\n", name, npass[name], nfail[name], \
		secs != "" ? "  (" secs "s)" : ""
	printf "%s", why[name]
	passed += npass[name]
	failed += nfail[name]
}

BEGIN {
	ntests = split(tests, order, " ")
	cur = ""
	# ---- bench: read the expected list ----
	if (expected != "") {
		while ((getline line < expected) > 0) {
			if (line ~ /^#/ || line !~ /[^ ]/)
				continue
			p = line
			sub(/ .*/, "", p)
			c = line
			sub(/^[^ ]+ /, "", c)
			if ((p, c) in want)
				continue
			want[p, c] = 1
			if (!(p in nexp))
				expprog[++nexpprog] = p
			explist[p, ++nexp[p]] = c
		}
		close(expected)
	}
}

/^@@punix begin / { began = 1; next }

/^@@punix case / {
	name = $3
	detail = $0
	sub(/^@@punix case [^ ]+ [^ ]+ ?/, "", detail)
	if ($4 == "ok") {
		passed++
		printf "  %-32s ok\n", name
	} else {
		failed++
		printf "  %-32s FAILED %s\n", name, detail
	}
	next
}

/^@@punix test-begin / {
	if (cur != "")
		finish(cur, "")
	start($3)
	next
}

/^@@punix test-end / {
	if ($3 == cur)
		finish(cur, $4, $5)
	next
}

/^@@punix end$/ { ended = 1; next }

cur == "" { next }

/^1\.\.[0-9]+/ {
	n = $0
	sub(/^1\.\./, "", n)
	sub(/[^0-9].*$/, "", n)
	plan[cur] = n + 0
	if (plan[cur] == 0)
		fail_case(cur, "planned no cases: " $0)
	next
}

/^(not )?ok [0-9]+/ {
	nres[cur]++
	# The case's name: what follows the number, up to a " # " directive.
	c = $0
	sub(/^(not )?ok [0-9]+ ?/, "", c)
	sub(/ # .*$/, "", c)
	sub(/ +$/, "", c)
	if (!((cur, c) in seen)) {
		seen[cur, c] = 1
		cases[cur, ++ncases[cur]] = c
	}
	if ($0 ~ /^not ok/)
		fail_case(cur, $0)
	else if ($0 ~ / # ([Ss][Kk][Ii][Pp]|[Xx][Ff][Aa][Ii][Ll]|[Xx][Pp][Aa][Ss][Ss]|[Tt][Oo][Dd][Oo])/)
		fail_case(cur, $0)
	else {
		npass[cur]++
		passedcase[cur, c] = 1
	}
	next
}

/^Bail out!/ { bail[cur] = 1; next }

END {
	if (cur != "")
		finish(cur, "")
	for (i = 1; i <= ntests; i++) {
		if (!(order[i] in finished)) {
			failed++
			printf "  %-32s FAILED never ran\n", order[i]
		}
	}
	# ---- bench: expected programs the run lacks ----
	for (i = 1; i <= ntests; i++)
		planned[order[i]] = 1
	nleft = 0
	for (i = 1; i <= nexpprog; i++) {
		p = expprog[i]
		if (p in planned)
			continue
		if (full) {
			failed++
			printf "  %-32s FAILED expected (%d cases), missing: not among the test programs (deleted? no longer builds?)\n", p, nexp[p]
		} else {
			nleft++
		}
	}
	if (nleft)
		printf "  (%d expected program(s) not in this --tests run, not checked)\n", nleft
	if (!began) {
		failed++
		print "  no report from the VM at all (did it boot?)"
	} else if (!ended) {
		failed++
		print "  no end marker: the VM crashed, hung or timed out"
	}
	printf "@@counts %d %d\n", passed, failed
}
