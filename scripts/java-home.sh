# Sourced by the launcher and CI: sets JAVA to a java of version 25 or newer, and JAVA_HOME to its JDK.
# Looks at JAVA_HOME, then the java on PATH, then every JDK in the directories PIER_JVM_DIRS lists
# (colon-separated, default /usr/lib/jvm).

pier_java_version() {  # prints the feature version of the java binary $1, or nothing
  local release v
  # A JDK's release file names its version: reading it is quicker than starting a JVM to ask.
  release="$(dirname "$1")/../release"
  if [ -r "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    if [ -n "$v" ]; then echo "$v"; return; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

pier_find_java() {
  local candidates=() c v dir dirs
  IFS=: read -r -a dirs <<<"${PIER_JVM_DIRS:-/usr/lib/jvm}"
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for dir in "${dirs[@]}"; do
    for c in "$dir"/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
  done
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    v=$(pier_java_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      JAVA="$c"
      JAVA_HOME=$(cd "$(dirname "$c")/.." && pwd)
      export JAVA JAVA_HOME
      return 0
    fi
  done
  echo "pier: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH, ${PIER_JVM_DIRS:-/usr/lib/jvm}/*); install one, e.g. 'apt-get install temurin-25-jdk' or a JDK 25 from https://adoptium.net, and set JAVA_HOME to it" >&2
  return 1
}
