# SPDX-License-Identifier: GPL-2.0
#
# Draw punix-bench's ratios (punix/AF_UNIX, above 1 = punix better) per row,
# with the spread of the per-round ratios, from its TSV (--tsv) to a PNG:
#
#   gnuplot -e "tsv='build/bench/6.12.tsv'; out='build/bench/6.12.png'" bench/plot.gp
#
# Optional: title='...', ymax=N (cut the y axis when a spread is huge). Only the TSV's "ratio" lines are drawn (a run with
# --family both or --self-compare); "#" lines (header, per-round values) are
# comments to gnuplot.

if (!exists("tsv"))   tsv   = "build/bench/bench.tsv"
if (!exists("out"))   out   = "build/bench/bench.png"
if (!exists("title")) title = "punix / AF_UNIX per row: median and min..max of the rounds"

set datafile separator "\t"
set terminal pngcairo size 1400,760 font ",10" noenhanced
set output out
set title title
set ylabel "ratio (> 1: punix better; memory rows: AF_UNIX/punix)"
set style fill solid 0.6 border -1
set xtics rotate by -45 nomirror
set grid ytics
if (exists("ymax")) set yrange [0:ymax]; else set yrange [0:*]
set key off
set bmargin 9
set rmargin 8
set offsets 0.6, 0.6, 0, 0

# x position: a counter over the "ratio" lines. The other lines get no bar
# (y is NaN) and an empty tic half-way (a NaN x would upset the tic list).
set xtics scale 0
n = 0
isratio(c) = strcol(c) eq "ratio"
plot tsv using (isratio(2) ? (n = n + 1) : n + 0.5):(isratio(2) ? $3 : NaN):(isratio(2) ? $4 : NaN):(isratio(2) ? $5 : NaN):(0.35):($3 >= 1 ? 0x3c9a5f : 0xd04040):xticlabels(isratio(2) ? strcol(1) : "") \
	with boxerrorbars lc rgb variable, \
     1 with lines lc rgb "black" dt 2
