#!/usr/bin/env bash
# Cross-writer check: train on the first writer's train.jsonl only, evaluate on the
# second, independent writer's train_b.jsonl (never seen in training). Closer to the
# hidden test set, written by other people, than the test split of the same writer.
#   bash benchmarks/models/cross_writer.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in corpora/messages/*/; do
  lang=$(basename "$dir")
  mkdir -p "$tmp/corpus/$lang"
  cp "$dir/train.jsonl" "$tmp/corpus/$lang/train.jsonl"
  cp "$dir/train_b.jsonl" "$tmp/corpus/$lang/test.jsonl"
done
triage train "$tmp/corpus" -o "$tmp/model" -q
triage eval "$tmp/corpus" --model "$tmp/model"
