#!/usr/bin/env bash
# Measures data-parallel training overhead (docs/distributed.md): the same fit without --workers and with 1, 2, 4
# local worker processes, for a small and a larger MLP; prints one JSON line per run. Run after 'dotnet build src/Descent.Cli'.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=src/Descent.Cli/bin/Debug/net10.0/Descent.Cli.dll
for hidden in 32,32 256,256; do
  for workers in 0 1 2 4; do
    extra=(); [ "$workers" = 0 ] || extra=(--workers "$workers")
    dotnet "$cli" fit --data "synthetic:spirals?n=4096" --model mlp --hidden "$hidden" --batch-size 512 --epochs 3 --seed 4 \
      --dtype float64 --json "${extra[@]}" | python3 -c "
import json, sys
r = json.load(sys.stdin); d = r.get('distributed') or {}
print(json.dumps({'hidden': '$hidden', 'workers': $workers, 'train_seconds': round(r['train_seconds'], 3), 'steps': d.get('steps'),
  'gradient_seconds': d.get('gradient_seconds'), 'compute_seconds': d.get('compute_seconds'),
  'communication_seconds': d.get('communication_seconds'), 'payload_bytes': d.get('payload_bytes'), 'train_loss': r['metrics']['train_loss']}))"
  done
done
