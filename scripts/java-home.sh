# Sourced by the launcher and CI: sets JAVA to a java of version 25 or newer, and JAVA_HOME to its JDK.
# Looks at JAVA_HOME, then the java on PATH, then every JDK in the directories PIER_JVM_DIRS lists
# (colon-separated, default /usr/lib/jvm).
# Uses shell builtins where it can: every command it forks adds to the launcher's start-up time.

pier_java_version() {  # sets REPLY to the feature version of the java binary $1, or to nothing
  local line release="${1%/bin/java}/release"
  REPLY=
  # A JDK's release file names its version: reading it is quicker than starting a JVM to ask.
  if [ -r "$release" ]; then
    while IFS= read -r line; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then REPLY=${BASH_REMATCH[1]}; return; fi
    done <"$release"
  fi
  REPLY=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
}

pier_find_java() {
  local candidates=() c dir dirs
  IFS=: read -r -a dirs <<<"${PIER_JVM_DIRS:-/usr/lib/jvm}"
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for dir in "${dirs[@]}"; do
    for c in "$dir"/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
  done
  for c in "${candidates[@]}"; do
    # A JRE runs Pier but cannot build it: Maven and the launcher's first build need javac.
    [ -x "$c" ] && [ -x "${c%/bin/java}/bin/javac" ] || continue
    pier_java_version "$c"
    if [ -n "$REPLY" ] && [ "$REPLY" -ge 25 ]; then
      JAVA="$c"
      JAVA_HOME=${c%/bin/java}
      export JAVA JAVA_HOME
      return 0
    fi
  done
  echo "pier: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH, ${PIER_JVM_DIRS:-/usr/lib/jvm}/*); install one, e.g. 'apt-get install temurin-25-jdk' or a JDK 25 from https://adoptium.net, and set JAVA_HOME to it" >&2
  return 1
}
