#!/usr/bin/env bash
# Cross-writer check, leaving one writer out: train on the other writers' messages only
# and score on the held-out writer's, never seen in training. Closer to the hidden test
# set, written by other people, than the test split of a writer whose other messages
# were trained on.
#   bash benchmarks/models/cross_writer.sh          # all three folds (about 15 minutes)
#   bash benchmarks/models/cross_writer.sh c        # one fold: a (test.jsonl), b or c
# Runs "${PYTHON:-python} -m triage", so set PYTHON or activate the environment first.
set -euo pipefail
cd "$(dirname "$0")/../.."
folds=${*:-a b c}
for fold in $folds; do
  tmp=$(mktemp -d)
  for dir in corpora/messages/*/; do
    lang=$(basename "$dir")
    mkdir -p "$tmp/corpus/$lang"
    case $fold in
      a) cat "$dir/train_b.jsonl" "$dir/train_c.jsonl" > "$tmp/corpus/$lang/train.jsonl"
         cp "$dir/test.jsonl" "$tmp/corpus/$lang/test.jsonl" ;;
      b) cat "$dir/train.jsonl" "$dir/train_c.jsonl" > "$tmp/corpus/$lang/train.jsonl"
         cp "$dir/train_b.jsonl" "$tmp/corpus/$lang/test.jsonl" ;;
      c) cat "$dir/train.jsonl" "$dir/train_b.jsonl" > "$tmp/corpus/$lang/train.jsonl"
         cp "$dir/train_c.jsonl" "$tmp/corpus/$lang/test.jsonl" ;;
      *) echo "unknown fold $fold (a, b or c)" >&2; exit 2 ;;
    esac
  done
  echo "== held-out writer: $fold"
  "${PYTHON:-python}" -m triage train "$tmp/corpus" -o "$tmp/model" -q > /dev/null
  "${PYTHON:-python}" -m triage eval "$tmp/corpus" --model "$tmp/model"
  rm -rf "$tmp"
done
