#!/usr/bin/env bash
# Go consumer test, on a fresh machine with Go 1.25+ after `npm ci`: builds the library's Go module
# with jsii-pacmak into dist/go, then runs `go test` in test/consumers/go (a CDK app in Go, asserted
# with aws-cdk-go's assertions), which uses that module through a `replace` directive and takes
# aws-cdk-go, constructs-go and jsii-runtime-go from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/consumers-common.sh
source scripts/consumers-common.sh

CONSUMER=test/consumers/go
GO_MODULE=dist/go/remotionconstructs

# The module cache (aws-cdk-go is ~300 MB unpacked) and the build cache live where the developer's
# Go keeps them, or in ~/go and ~/.cache when nothing says otherwise, so that a second run is warm.
# The machine's own Go builds, never a toolchain that go.mod's `go` line would download (auto), and
# go.sum must already hold every module: a changed dependency is a reviewed change (`go mod tidy`).
export GOMODCACHE="${GOMODCACHE:-$HOME/go/pkg/mod}"
export GOCACHE="${GOCACHE:-$HOME/.cache/go-build}"
export GOTOOLCHAIN=local
export GOFLAGS="-mod=readonly -buildvcs=false"
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"

ensure_go() {
  command -v go >/dev/null || apt_install golang-go
  local needed version
  needed=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$CONSUMER/go.mod")
  version=$(go env GOVERSION | sed 's/^go//')
  # Oldest first means the installed Go is at least the one go.mod names.
  [ "$(printf '%s\n%s\n' "$needed" "$version" | sort -V | head -1)" = "$needed" ] \
    || { echo "$CONSUMER/go.mod needs Go $needed or newer, not $version" >&2; return 1; }
  echo "go $version, GOMODCACHE=$GOMODCACHE, GOCACHE=$GOCACHE, GOPROXY=$GOPROXY"
}

package_go() {
  rm -rf dist/go
  npx projen package:go
  [ -f "$GO_MODULE/go.mod" ] || { echo "expected a Go module in $GO_MODULE" >&2; return 1; }
  echo "built $(sed -n 1p "$GO_MODULE/go.mod" | cut -d' ' -f2) $(cat "$GO_MODULE/version") in $GO_MODULE ($(du -sh "$GO_MODULE" | cut -f1))"
}

# What `go get github.com/org/remotion-constructs-go/remotionconstructs` gives a user: the module
# resolved and built by its own go.mod alone (the consumer's go.mod could hide a requirement that
# does not build, such as aws-cdk-go older than the floor that package:go writes into it).
build_module_alone() {
  local copy
  copy=$(mktemp -d)
  cp -r "$GO_MODULE" "$copy/"
  if (cd "$copy/$(basename "$GO_MODULE")" && GOFLAGS="-mod=mod -buildvcs=false" go mod tidy && go build ./... \
    && go list -m all | grep -E '^github.com/aws/(aws-cdk-go/awscdk/v2|constructs-go/constructs/v10|jsii-runtime-go) '); then
    rm -rf "$copy"
  else
    rm -rf "$copy"
    return 1
  fi
}

download_modules() {
  (cd "$CONSUMER" && go mod download && go mod verify)
}

run_go_test() {
  local log
  log="$(pwd)/dist/consumers-go-test.log"
  # The module the tests compile is dist/go's, through go.mod's replace directive.
  (cd "$CONSUMER" && go list -m -f '{{.Path}} => {{.Replace.Dir}}' github.com/org/remotion-constructs-go/remotionconstructs)
  (cd "$CONSUMER" && go vet ./... && go test -count=1 -v ./...) | tee "$log"
  local passed failed
  passed=$(grep -c -- '^--- PASS' "$log" || true)
  failed=$(grep -c -- '^--- FAIL' "$log" || true)
  echo "go test: ${passed} passed, ${failed} failed"
}

phase "prerequisites: Go (the version $CONSUMER/go.mod names, or newer)" ensure_go
phase "README snippets match the consumer sources" scripts/consumers-snippets.sh README.md
require_npm_deps
build_assembly
phase "npx projen package:go (jsii-pacmak: dist/go)" package_go
phase "npm ci in $CONSUMER: the app installs @remotion/lambda itself" install_remotion "$CONSUMER"
phase "go mod download: aws-cdk-go, constructs-go, jsii-runtime-go (Go module proxy)" download_modules
phase "the Go module builds with its own go.mod, as go get gives it" build_module_alone
phase "go test in $CONSUMER" run_go_test
print_timings "Go consumer"
