#!/usr/bin/env bash
# test-summary.sh BUILDDIR: print each test's cmocka summary and a total line
# from the automake test logs; exit 1 if any test failed.
set -u
dir=$1
pass=0 fail=0 skip=0
while IFS= read -r trs; do
  log=${trs%.trs}.log
  name=${log#"$dir"/}
  res=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
  case "$res" in
    PASS) pass=$((pass+1)) ;;
    SKIP) skip=$((skip+1)) ;;
    *) fail=$((fail+1)) ;;
  esac
  printf '%-5s %s\n' "$res" "${name%.log}"
  grep -E '^\[  (PASSED|FAILED|SKIPPED) +\]|^\[==========\] .* ran\.|^(ok|not ok|FAIL|SKIP:)' "$log" 2>/dev/null | sed 's/^/      /'
  if [ "$res" != PASS ] && [ "$res" != SKIP ]; then
    sed 's/^/      | /' "$log" | tail -40
  fi
done < <(find "$dir" -name '*.trs' | sort)
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
