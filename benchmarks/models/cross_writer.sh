#!/usr/bin/env bash
# Cross-writer check, leaving one writer out: train on the other writers' messages only
# and score on the held-out writer's, never seen in training. Closer to the hidden test
# set, written by other people, than the test split of a writer whose other messages
# were trained on. Writer a wrote train.jsonl and test.jsonl (its fold scores test.jsonl),
# writer X wrote train_X.jsonl.
#   bash benchmarks/models/cross_writer.sh          # one fold per writer (about 10 minutes each)
#   bash benchmarks/models/cross_writer.sh c        # one fold: a, or the letter of a train_X.jsonl
# Runs "${PYTHON:-python} -m triage", so set PYTHON or activate the environment first;
# CORPUS=DIR reads another corpus folder laid out like corpora/messages.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=${CORPUS:-corpora/messages}
folds=${*:-a $(for f in "$(ls -d "$corpus"/*/ | head -1)"train_?.jsonl; do x=$(basename "$f" .jsonl); echo "${x#train_}"; done)}
for fold in $folds; do
  case $fold in
    a) held=train; scored=test ;;
    [b-z]) held=train_$fold; scored=train_$fold ;;
    *) echo "unknown fold $fold (a for train/test.jsonl, or the letter of a train_X.jsonl)" >&2; exit 2 ;;
  esac
  tmp=$(mktemp -d)
  for dir in "$corpus"/*/; do
    lang=$(basename "$dir")
    mkdir -p "$tmp/corpus/$lang"
    for file in "$dir"train*.jsonl; do
      [ "$(basename "$file" .jsonl)" = "$held" ] || cat "$file" >> "$tmp/corpus/$lang/train.jsonl"
    done
    cp "$dir/$scored.jsonl" "$tmp/corpus/$lang/test.jsonl"
  done
  echo "== held-out writer: $fold"
  "${PYTHON:-python}" -m triage train "$tmp/corpus" -o "$tmp/model" -q > /dev/null
  "${PYTHON:-python}" -m triage eval "$tmp/corpus" --model "$tmp/model"
  rm -rf "$tmp"
done
