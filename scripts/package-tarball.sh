#!/usr/bin/env bash
# Sourced by the scripts that install this build as a consumer would (walkthrough.sh, matrix.sh):
# moves to the repository, puts Node 22+ on PATH and sets `repo` and `tarball`, the one npm
# package tarball that `npx projen package:js` (or the build) wrote to dist/js.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node.sh
repo=$(pwd)
shopt -s nullglob
tarballs=(dist/js/*.tgz)
shopt -u nullglob
if [ "${#tarballs[@]}" -ne 1 ]; then
  echo "expected one package tarball in dist/js (run npx projen package:js), found ${#tarballs[@]}" >&2
  exit 1
fi
tarball="${repo}/${tarballs[0]}"
