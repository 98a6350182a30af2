# SPDX-License-Identifier: GPL-2.0
#
# Draw punix-bench's ratios (punix/AF_UNIX, above 1 = punix better) per row,
# with the spread of the per-round ratios, from its TSV (--tsv) to a PNG:
#
#   gnuplot -e "tsv='build/bench/6.12.tsv'; out='build/bench/6.12.png'" bench/plot.gp
#
# Optional: title='...', ymax=N (the y axis spans 1/N..N, default 8). Only the TSV's "ratio" lines are drawn (a run with
# --family both or --self-compare); "#" lines (header, per-round values) are
# comments to gnuplot.

if (!exists("tsv"))   tsv   = "build/bench/bench.tsv"
if (!exists("out"))   out   = "build/bench/bench.png"
if (!exists("title")) title = "punix / AF_UNIX per row: median and min..max of the rounds"

set datafile separator "\t"
set terminal pngcairo size 1400,760 font ",10" noenhanced
set output out
set title title
set ylabel "ratio, log scale (> 1: punix better; memory rows: AF_UNIX/punix)"
set style fill solid 0.6 border -1
set xtics rotate by 45 right nomirror
# A log scale: 2x better and 2x worse are the same distance from 1. The
# spread of a row can reach far (one slow round under emulation); what
# lies beyond ymax or 1/ymax is cut at the border.
set logscale y 2
if (!exists("ymax")) ymax = 8
set yrange [1.0 / ymax:ymax]
set ytics ("1/8" 0.125, "1/4" 0.25, "1/2" 0.5, "0.75" 0.75, "1" 1, "1.5" 1.5, "2" 2, "4" 4, "8" 8, "16" 16, "1/16" 0.0625)
set grid ytics
set key off
set bmargin 9
set rmargin 8
set offsets 0.6, 0.6, 0, 0

# x position: a counter over the "ratio" lines (reset before each of the
# two passes). The other lines get no bar (y is NaN) and an empty tic
# half-way (a NaN x would upset the tic list). Each bar goes from 1 to
# the median ratio, green above and red below; the error bar spans the
# rounds' min..max.
set xtics scale 0
isratio(c) = strcol(c) eq "ratio"
lo(a, b) = a < b ? a : b
hi(a, b) = a > b ? a : b
plot n = 0, tsv using (isratio(2) ? (n = n + 1) : n + 0.5):(isratio(2) ? $3 : NaN):(n - 0.35):(n + 0.35):(lo($3, 1)):(hi($3, 1)):($3 >= 1 ? 0x3c9a5f : 0xd04040):xticlabels(isratio(2) ? strcol(1) : "") \
	with boxxyerror fc rgb variable, \
     n = 0, tsv using (isratio(2) ? (n = n + 1) : n + 0.5):(isratio(2) ? $3 : NaN):4:5 with yerrorbars lc rgb "black" pt 0, \
     1 with lines lc rgb "black" dt 2
