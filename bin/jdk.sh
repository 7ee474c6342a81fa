# shellcheck shell=bash
# Finds a JDK 21 or newer for the cacdb launcher and CI. Sourced, not run.
#
# Order: $JAVA_HOME, the `java` on PATH, then the usual JVM folders (Debian/Ubuntu /usr/lib/jvm, RHEL /usr/java and
# /usr/lib/jvm, /opt/java, SDKMAN, macOS). Prints the JDK's home on stdout, or returns 1 with nothing printed.

CACDB_MIN_JAVA=21

cacdb_java_major() {
  # Prints the major version of the given java binary (8 for "1.8", 25 for "25.0.3"), or nothing.
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
  case "$v" in
    1.*) echo "${v#1.}" ;;
    "") ;;
    *) echo "${v%%.*}" ;;
  esac
}

cacdb_jdk_ok() {
  # A JDK (not a bare JRE: javac is needed to build) whose version is at least CACDB_MIN_JAVA.
  local home=$1 major
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  major=$(cacdb_java_major "$home/bin/java")
  [ -n "$major" ] && [ "$major" -ge "$CACDB_MIN_JAVA" ]
}

cacdb_find_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && cacdb_jdk_ok "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  if command -v java >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    candidate=${candidate%/bin/java}
    if cacdb_jdk_ok "$candidate"; then echo "$candidate"; return 0; fi
  fi
  # Newest first, so a machine with 17 and 25 picks 25.
  for candidate in $(ls -d /usr/lib/jvm/*/ /usr/java/*/ /opt/java/*/ /opt/jdk*/ "$HOME"/.sdkman/candidates/java/*/ \
      /Library/Java/JavaVirtualMachines/*/Contents/Home/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    if cacdb_jdk_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

cacdb_require_jdk() {
  # Exports JAVA_HOME to a JDK 21+ or exits with a message that says what to do.
  local home
  if ! home=$(cacdb_find_jdk); then
    {
      echo "cacdb: no JDK ${CACDB_MIN_JAVA} or newer found."
      if [ -n "${JAVA_HOME:-}" ]; then echo "  JAVA_HOME=$JAVA_HOME is not a JDK ${CACDB_MIN_JAVA}+."; fi
      if command -v java >/dev/null 2>&1; then
        echo "  'java' on the PATH is version $(cacdb_java_major "$(command -v java)")."
      fi
      echo "  Looked in JAVA_HOME, PATH, /usr/lib/jvm, /usr/java, /opt/java, ~/.sdkman."
      echo "  Install one (for example: apt-get install openjdk-21-jdk, or Temurin 21/25) or set JAVA_HOME."
    } >&2
    exit 1
  fi
  export JAVA_HOME=$home
}
