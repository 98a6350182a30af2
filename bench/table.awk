# SPDX-License-Identifier: GPL-2.0
#
# punix-bench TSVs (--tsv) of several kernels as one Markdown table, for the
# READMEs: per kernel the AF_UNIX and punix medians and the ratio's median
# [min..max] (above 1: punix better); then, for the stream rows, the ratios
# of punix and of the references (a pipe, writes to /dev/null; see m_ref()
# in punix-bench.c) to AF_UNIX. scripts/bench.sh writes it to
# build/bench/table.md:
#
#   awk -f bench/table.awk k=6.1 build/bench/6.1.tsv k=6.12 build/bench/6.12.tsv

BEGIN { FS = "\t" }
/^#/ { next }
NF >= 6 {
	if (!(k in seenk)) { seenk[k] = 1; ks[++nk] = k }
	if (!($1 in seenr)) { seenr[$1] = 1; rs[++nr] = $1; unit[$1] = $6 }
	if ($2 == "ratio")
		rat[k, $1] = sprintf("**%.2f** [%.2f..%.2f]", $3, $4, $5)
	else if ($2 ~ /^(pipe|null)\//) {	# a reference's ratio
		split($2, w, "/")
		ref[k, $1, w[1]] = sprintf("%.2f [%.2f..%.2f]", $3, $4, $5)
		if (!($1 in seenref)) { seenref[$1] = 1; refrows[++nref] = $1 }
	} else if ($2 == "pipe" || $2 == "null")
		next
	else if ($2 == "user") {	# memcpy: user space, no family
		val[k, $1, "AF_UNIX"] = fmt($3)
		val[k, $1, "punix"] = "(user)"
	} else
		val[k, $1, $2] = fmt($3)
}
function fmt(v) {
	if (v >= 100000) return sprintf("%.0fk", v / 1000)
	if (v >= 10000) return sprintf("%.1fk", v / 1000)
	if (v >= 100) return sprintf("%.0f", v)
	return sprintf("%.3g", v)
}
# The header of a table: its first columns @first (@firstsep their
# separator), then per kernel three columns named @a, @b and @c.
function header(first, firstsep, a, b, c,	i, h, s) {
	h = first
	s = firstsep
	for (i = 1; i <= nk; i++) {
		h = h " " ks[i] " " a " | " ks[i] " " b " | " ks[i] " " c " |"
		s = s "--:|--:|--:|"
	}
	print h
	print s
}
END {
	header("| row | unit |", "|---|---|", "AF_UNIX", "punix", "ratio")
	for (j = 1; j <= nr; j++) {
		r = rs[j]
		l = "| " r " | " unit[r] " |"
		for (i = 1; i <= nk; i++)
			l = l " " val[ks[i], r, "AF_UNIX"] " | " val[ks[i], r, "punix"] " | " \
				((ks[i], r) in rat ? rat[ks[i], r] : "-") " |"
		print l
	}
	if (!nref)
		exit
	print ""
	header("| row |", "|---|", "punix", "pipe", "null")
	for (j = 1; j <= nref; j++) {
		r = refrows[j]
		l = "| " r " |"
		for (i = 1; i <= nk; i++)
			l = l " " ((ks[i], r) in rat ? rat[ks[i], r] : "-") " | " \
				((ks[i], r, "pipe") in ref ? ref[ks[i], r, "pipe"] : "-") " | " \
				((ks[i], r, "null") in ref ? ref[ks[i], r, "null"] : "-") " |"
		print l
	}
}
