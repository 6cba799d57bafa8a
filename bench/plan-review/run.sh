#!/usr/bin/env bash
# Time and peak memory of `rehost-factory plan-review` on a generated N-change plan (default
# 10,000) built from the real resource shapes of test/fixtures/terraform-plans.
# Usage: bench/plan-review/run.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
RUNS=${2:-3}
OUT=bench/out/plan-review
mkdir -p "$OUT"
npx ts-node --swc bench/plan-review/generate-plan.ts "$N" "$OUT/plan-$N.json"
npx esbuild bench/plan-review/cli-entry.ts --bundle --platform=node --target=node20 --outfile="$OUT/cli.js" --log-level=warning
echo "plan: $N resource changes, $(du -h "$OUT/plan-$N.json" | cut -f1) on disk; node $(node -v); $(nproc) CPUs; load $(cut -d" " -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
  /usr/bin/time -f "run $i: wall %e s, user %U s, sys %S s, peak RSS %M KB" node "$OUT/cli.js" "$OUT/plan-$N.json" --name bench --out "$OUT/review" >/dev/null
done
echo "comments: $(ls "$OUT/review" | grep -c '^comment-') files, largest $(wc -c "$OUT"/review/comment-*.md | sort -n | tail -2 | head -1 | awk '{print $1}') bytes"
