#!/bin/sh
# fuzz_job_crash.sh RMAPCHECK OUT_DIR - a campaign job that dies (here by
# SIGABRT from outside, as a model's failed assertion would abort it) is
# reported, with the execution it died in and the command that repeats the
# campaign up to it; the trace it was running is written to --out (a trace
# that parses, with ops); and the campaign exits 1 instead of passing on
# the other jobs' results.
rmapcheck="$1"
out="$2"
err="$out/fuzz_job_crash.err"
rm -rf "$out"
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
crash=$(sed -n 's/.*its trace: \([^ ]*\.trace\).*/\1/p' "$err" | head -1)
[ -f "$crash" ] || { echo "no crash trace written"; exit 1; }
"$rmapcheck" fmt "$crash" >"$out/crash.fmt"
parsed=$?
ops=$(grep -c '^P' "$out/crash.fmt")
echo "crash trace parses: exit=$parsed ops=$ops"
head -2 "$crash" | tail -1
rm -f "$crash"
