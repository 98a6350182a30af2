#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# punix-run COMMAND [ARG]...
#
# Run COMMAND with its AF_UNIX sockets on punix (libpunix-run.so through
# LD_PRELOAD; children and exec'd programs inherit it). Environment:
#   PUNIX_RUN_PATHS       colon-separated globs of paths, '@glob' for
#                         abstract names, '!glob' to exclude (default: all)
#   PUNIX_RUN_SOCKETPAIR  0 keeps socketpair() on AF_UNIX (default 1)
#   PUNIX_RUN_DEBUG       1 logs each socket moved
#   PUNIX_RUN_LIB         the library to preload (default: the installed one)

lib=${PUNIX_RUN_LIB:-@LIBDIR@/libpunix-run.so}
family_file=/sys/module/punix/parameters/family

case ${1:-} in
''|-h|--help)
	echo "usage: punix-run COMMAND [ARG]..." >&2
	[ -n "${1:-}" ]
	exit $?
	;;
esac
if ! [ -r "$family_file" ] || ! read -r family <"$family_file" || [ -z "$family" ]; then
	echo "punix-run: punix is not loaded ($family_file is missing): load it (modprobe punix) first; not running $1 over AF_UNIX" >&2
	exit 69
fi
if ! [ -r "$lib" ]; then
	echo "punix-run: cannot read the preload library $lib" >&2
	exit 69
fi
LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
export LD_PRELOAD
exec "$@"
