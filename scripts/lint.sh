#!/usr/bin/env bash
# make lint: every hook of .pre-commit-config.yaml on every file of the checkout, committed or
# not (git-ignored files left out). The hooks are local: nothing is downloaded. Hooks that can
# fix what they find (ruff, the README generator, whitespace) rewrite the files and still
# fail: run it again to see what is left. Fails on any message.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "$0")/common.sh"

ensure_python_deps
cd "$REPO_DIR"
files=()
while IFS= read -r -d '' file; do
    [ -e "$file" ] && files+=("$file")   # not the files deleted since the last commit
done < <(git ls-files -z --cached --others --exclude-standard)
say "Linters: pre-commit on ${#files[@]} files"
python3 -m pre_commit run --color=never --files "${files[@]}"
