#!/bin/sh
# Prints the static archives of ldns and OpenSSL when the compiler ($1)
# finds all three, else nothing (see cli/Makefile.am).
out=
for l in ldns ssl crypto; do
	f=$($1 -print-file-name=lib$l.a)
	test -f "$f" || exit 0
	out="$out $f"
done
echo "$out -ldl -lpthread"
