#!/bin/sh
# fuzz_job_crash.sh RMAPCHECK OUT_DIR - a campaign job that dies (here by
# SIGABRT from outside, as a model's failed assertion would abort it) is
# reported, with the execution it died in and the command that repeats the
# campaign up to it, and the campaign exits 1 instead of passing on the
# other jobs' results.
rmapcheck="$1"
out="$2"
err="$out/fuzz_job_crash.err"
mkdir -p "$out"
"$rmapcheck" fuzz --jobs 2 --time 4 --seed 5 --out "$out/findings" >/dev/null 2>"$err" &
parent=$!
child=""
for _ in $(seq 100); do
  child=$(pgrep -P "$parent" | head -1)
  [ -n "$child" ] && break
  sleep 0.1
done
[ -n "$child" ] || { echo "no job started"; kill "$parent"; exit 1; }
sleep 1
kill -ABRT "$child"
wait "$parent"
status=$?
cat "$err"
echo "campaign exit=$status"
