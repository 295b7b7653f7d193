#!/usr/bin/env bash
# Installs Debian's Java runtime for the Spark tests (tests/reduce) when it is missing and this
# machine allows it, like ensure_chromium.sh. pyspark 4 needs Java 17 or later.
set -u
if command -v java >/dev/null 2>&1 || { [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; }; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's Java (openjdk-17-jre-headless) for the Spark tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
    || (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null) \
    || echo "Could not install Java; Spark tests will fail under CI=true and skip elsewhere."
else
  echo "java is missing and cannot be installed here (needs root and apt-get); Spark tests will skip unless CI=true."
fi
exit 0
