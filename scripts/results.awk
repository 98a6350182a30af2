# SPDX-License-Identifier: GPL-2.0
#
# Count what a check VM reported on its results channel (see
# scripts/guest/check-init.sh for the format).
#
#   awk -v tests="prog1 prog2 ..." -f results.awk results.log
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

function finish(name, status,   missing) {
	missing = 0
	if (plan[name] >= 0 && nres[name] < plan[name]) {
		missing = plan[name] - nres[name]
		nfail[name] += missing
		why[name] = why[name] "    " missing " planned case(s) never reported\n"
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
	printf "  %-32s %3d passed, %d failed\n", name, npass[name], nfail[name]
	printf "%s", why[name]
	passed += npass[name]
	failed += nfail[name]
}

BEGIN {
	ntests = split(tests, order, " ")
	cur = ""
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
		finish(cur, $4)
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
	if ($0 ~ /^not ok/)
		fail_case(cur, $0)
	else if ($0 ~ / # ([Ss][Kk][Ii][Pp]|[Xx][Ff][Aa][Ii][Ll]|[Xx][Pp][Aa][Ss][Ss]|[Tt][Oo][Dd][Oo])/)
		fail_case(cur, $0)
	else
		npass[cur]++
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
	if (!began) {
		failed++
		print "  no report from the VM at all (did it boot?)"
	} else if (!ended) {
		failed++
		print "  no end marker: the VM crashed, hung or timed out"
	}
	printf "@@counts %d %d\n", passed, failed
}
