#!/bin/sh
# crash_workflow.sh MUTANT OUT_DIR - the crash workflow end to end on a
# mutant rmapcheck whose LazyPolicy::fork asserts when it forks into P3
# (tests/CMakeLists.txt builds it). Prints "crash workflow: ok" when every
# step did what it should; otherwise the step that did not.
mutant="$1"
out="$2"
assertion="mutant: lazy fork into P3"
rm -rf "$out"
mkdir -p "$out"
fail() { echo "crash workflow: FAILED: $*"; exit 1; }

# 1. A campaign: its one job dies, the parent writes the job's trace.
"$mutant" fuzz --jobs 1 --time 60 --seed 9 --out "$out/findings" >"$out/fuzz.out" 2>"$out/fuzz.err"
status=$?
cat "$out/fuzz.err"
[ "$status" = 1 ] || fail "fuzz exited $status, not 1"
grep -q "$assertion" "$out/fuzz.err" || fail "fuzz: no assertion"
crash=$(sed -n 's/.*its trace: \([^ ]*\.trace\).*/\1/p' "$out/fuzz.err" | head -1)
[ -f "$crash" ] || fail "fuzz: no crash trace"
grep -q "running the designs" "$crash" || fail "the generator's eager world should not have died"

# 2. Shrink: every attempt in a child; the minimal trace dies the same way.
"$mutant" shrink "$crash" --out "$out/shrunk.trace" >"$out/shrink.out" 2>&1
status=$?
cat "$out/shrink.out"
[ "$status" = 1 ] || fail "shrink exited $status, not 1"
grep -q "^# CRASH: .*$assertion" "$out/shrunk.trace" || fail "shrunk trace: no CRASH line"
ops=$(grep -c '^P' "$out/shrunk.trace")
[ "$ops" -le 6 ] || fail "shrunk to $ops ops (a fork into P3 needs a mapping and three forks)"
cat "$out/shrunk.trace"

# 3. Replay dies with the same assertion; its last step shown (stdout to a
#    file, as in CI) is the one that fired it, the fork into P3.
"$mutant" replay --quiet --models eager,lazy "$out/shrunk.trace" >"$out/replay.out" 2>&1
status=$?
[ "$status" -gt 128 ] || fail "replay exited $status, not by a signal"
grep -q "$assertion" "$out/replay.out" || fail "replay: not the same assertion"
for models in "--design lazy" "--models eager,lazy"; do
  "$mutant" replay $models "$out/shrunk.trace" >"$out/replay-steps.out" 2>/dev/null
  last=$(grep '^step ' "$out/replay-steps.out" | tail -1)
  echo "$last" | grep -q "fork P3" || fail "replay $models: the last step shown is '$last', not the fork into P3"
done

# 4. The same trace as fuzzer bytes: decode (the eager reference does not
#    die), then shrink of the bytes.
"$mutant" encode "$out/shrunk.trace" --out "$out/bytes" >/dev/null || fail "encode"
"$mutant" decode "$out/bytes/shrunk.bin" >"$out/decoded.trace" || fail "decode exited $?"
"$mutant" shrink "$out/bytes/shrunk.bin" >"$out/shrink-bytes.out" 2>&1
status=$?
[ "$status" = 1 ] || fail "shrink of the bytes exited $status, not 1"
grep -q "crash shrunk from" "$out/shrink-bytes.out" || fail "shrink of the bytes: not shrunk as a crash"

echo "crash workflow: ok ($ops ops)"
