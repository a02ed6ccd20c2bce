#!/usr/bin/env bash
# Java consumer test, on a fresh machine after `npm ci`: builds the library's Maven artifact with
# jsii-pacmak into dist/java (a local Maven repository), then runs test/consumers/java (a CDK app
# in Java asserted with software.amazon.awscdk.assertions under JUnit 5) against it, with
# aws-cdk-lib and constructs from Maven Central. Installs a JDK 17 and Maven with apt-get when
# they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/consumers-common.sh
source scripts/consumers-common.sh

ROOT=$(pwd)
CONSUMER=test/consumers/java
# One local Maven repository for jsii-pacmak's build and the consumer's, so that jsii-runtime,
# aws-cdk-lib and the Maven plugins are downloaded once (pacmak otherwise uses a throwaway one).
M2_REPO="${M2_REPO:-$HOME/.m2/repository}"
# What pacmak installs (it runs `mvn deploy`, which installs first) and what Maven caches from
# dist/java. A release version is never checked again once cached, so it is removed to make the
# consumer resolve the artifact just built, from dist/java.
CACHED_ARTIFACT="$M2_REPO/org/remotion/remotion-constructs"
ARTIFACT_DIR=dist/java/org/remotion/remotion-constructs

ensure_java() {
  if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
    apt_install openjdk-17-jdk-headless maven
  fi
  local release
  release=$(javac -version 2>&1 | awk '{split($2, v, "."); print v[1]}')
  [ "$release" -ge 17 ] || { echo "need JDK 17 or newer, have javac $release" >&2; return 1; }
  javac -version
  mvn -B -v | sed -n 1p
}

# jsii-pacmak writes a pom with version ranges (aws-cdk-lib [2.224.0,3.0.0), ...) and resolves
# them to the newest release before it compiles, which would download the newest aws-cdk-lib
# (~110 MB) on top of the floor the consumer tests. Telling the versions plugin to ignore every
# other version makes it resolve each range to the library's floor: pacmak compiles against the
# same aws-cdk-lib as the consumer, and the pom in dist/java names the floor. (A range whose floor
# is not listed stays a range, so this can only fall back to the newest, never fail.)
floor_versions_only() {
  local floors escaped=()
  floors=$(node -p "const p = require('./package.json').peerDependencies;
    [p['aws-cdk-lib'], p['constructs'], require('jsii-pacmak/package.json').version]
      .map((v) => v.replace(/^[\\^~>=\\s]+/, '')).join(' ')")
  for version in $floors; do
    escaped+=("${version//./\\.}\$")
  done
  local alternatives
  alternatives=$(IFS='|'; echo "${escaped[*]}")
  echo "-Dmaven.version.ignore=(?!${alternatives}).*"
}

package_java() {
  rm -rf dist/java "$CACHED_ARTIFACT"
  MAVEN_OPTS="${MAVEN_OPTS:-} $(floor_versions_only)" JSII_PACMAK_MAVEN_LOCAL_REPOSITORY="$M2_REPO" \
    npx projen package:java
  rm -rf "$CACHED_ARTIFACT"
  ls "$ARTIFACT_DIR"/*/*.jar
  grep -A1 -E '<artifactId>(aws-cdk-lib|constructs|jsii-runtime)</artifactId>' "$ARTIFACT_DIR"/*/*.pom \
    | grep -oE '<(artifactId|version)>[^<]+' | sed 's/<[a-zA-Z]*>//' | paste -sd' ' \
    | sed 's/^/dependencies in the built pom: /'
}

run_maven() {
  rm -rf "$CONSUMER/target"
  local log="$ROOT/dist/consumers-java-mvn.log"
  (cd "$CONSUMER" && mvn -B -ntp -Dstyle.color=never -Dmaven.repo.local="$M2_REPO" \
    -Dremotion-constructs.repository="file://$ROOT/dist/java" test) | tee "$log"
  # The library jar that the tests ran on must be the one just built.
  local version built used
  version=$(ls "$ARTIFACT_DIR" | grep -v maven-metadata | sed -n 1p)
  built=$(sha1sum "$ARTIFACT_DIR/$version/remotion-constructs-$version.jar" | cut -d' ' -f1)
  used=$(sha1sum "$CACHED_ARTIFACT/$version/remotion-constructs-$version.jar" | cut -d' ' -f1)
  [ "$built" = "$used" ] || { echo "the tests resolved a remotion-constructs jar ($used) other than dist/java's ($built)" >&2; return 1; }
  echo "tests ran on dist/java's remotion-constructs-$version.jar (sha1 $built)"
  echo "surefire: $(grep -E '^\[INFO\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$log" | tail -1 | sed 's/^\[INFO\] //')"
}

phase "prerequisites: JDK 17 and Maven" ensure_java
phase "README snippets match the consumer sources" scripts/consumers-snippets.sh README.md
require_npm_deps
build_assembly
phase "npx projen package:java (jsii-pacmak: dist/java)" package_java
phase "npm ci in $CONSUMER: the app installs @remotion/lambda itself" install_remotion "$CONSUMER"
phase "mvn test in test/consumers/java (JUnit 5)" run_maven
print_timings "Java consumer"
