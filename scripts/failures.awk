# SPDX-License-Identifier: GPL-2.0
#
# Print what a failed test needs for debugging from a check VM's results
# channel: for each failed case of each program, the harness' lines from its
# "#  RUN" line to its result; for a program that never finished, its last
# lines; the bench's own failed checks.
#
#   awk -f failures.awk results.log

function flush_case() { ncase = 0 }

/^@@punix test-begin / { prog = $3; flush_case(); ntail = 0; next }

/^@@punix test-end / {
	if ($4 != 0)
		printf "    %s: exit status %s\n", prog, $4
	prog = ""
	next
}

/^@@punix case [^ ]+ fail/ { print "    " $0; next }

/^@@punix / { next }

prog == "" { if (/^# kmemleak/) print "    " $0; next }

{
	tail[ntail++ % 30] = $0
	if (/^#  RUN /)
		flush_case()
	caseline[ncase++] = $0
}

/^not ok / || (/^ok / && / # ([Ss][Kk][Ii][Pp]|[Xx][Ff][Aa][Ii][Ll]|[Xx][Pp][Aa][Ss][Ss]|[Tt][Oo][Dd][Oo])/) {
	printf "    %s:\n", prog
	for (i = 0; i < ncase && i < 60; i++)
		print "      " caseline[i]
	flush_case()
}

END {
	if (prog != "") {
		printf "    %s did not finish; its last lines:\n", prog
		for (i = (ntail > 30 ? ntail - 30 : 0); i < ntail; i++)
			print "      " tail[i % 30]
	}
}
