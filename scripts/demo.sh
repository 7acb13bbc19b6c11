#!/usr/bin/env bash
# demo.sh: the live demo (issue 6). Until it exists, show the build works.
set -euo pipefail
build=
while [ $# -gt 0 ]; do
  case $1 in --build) build=$2; shift 2 ;; *) shift ;; esac
done
"$build/cli/rearview" --version
