#!/usr/bin/env bash
# A real search engine on loopback, to judge logdash's answers and to stand behind proxy mode.
#
#   scripts/engine.sh start [--nodes N] [--flavor elasticsearch|opensearch] [--port P] [--heap MB]
#       builds the launcher in tests/engine/FLAVOR (Maven; jars from Maven Central, cached in
#       ~/.m2), starts a fresh cluster of N nodes (default 1) in one JVM with MB of heap a
#       node (default 512), waits until it is green, and prints its URL as the last line.
#   scripts/engine.sh stop
#       stops the cluster that start started.
#   scripts/engine.sh node stop|start NAME
#       takes one node of the running cluster away (its connections close as in a crash, its
#       data stays) or brings it back, e.g. node-2; node-0 answers HTTP and stays up.
#       Elasticsearch flavour only.
#
# Elasticsearch 8.19 is the default flavour; the cluster's files, log and pid are under
# target/engine/. Only one cluster runs at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'engine: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

state=target/engine
pid_file=$state/pid

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

start() {
  local nodes=1 flavor=elasticsearch port=19200 heap=512
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes=${2:?--nodes takes a number}; shift 2 ;;
      --flavor) flavor=${2:?--flavor takes elasticsearch or opensearch}; shift 2 ;;
      --port) port=${2:?--port takes a port}; shift 2 ;;
      --heap) heap=${2:?--heap takes megabytes a node}; shift 2 ;;
      *) die "unknown option $1 (see the top of scripts/engine.sh)" ;;
    esac
  done
  case "$nodes" in '' | *[!0-9]* | 0) die "--nodes takes a whole number from 1" ;; esac
  case "$heap" in '' | *[!0-9]*) die "--heap takes megabytes a node" ;; esac
  local launcher=tests/engine/$flavor
  [ -f "$launcher/pom.xml" ] || die "no flavor '$flavor': elasticsearch or opensearch"
  command -v java >/dev/null && command -v mvn >/dev/null ||
    die "java and mvn are needed: scripts/setup.sh --engine installs them"

  stop
  say "building the $flavor launcher (Maven)"
  # (Maven's -q still prints colour codes; they are taken out.)
  if ! (cd "$launcher" && mvn -B -q package) 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; then
    die "the launcher did not build"
  fi

  local data=$state/$flavor log=$state/$flavor.log
  rm -rf "$data"
  mkdir -p "$data"
  say "starting $nodes $flavor node(s) on 127.0.0.1:$port (log: $log)"
  setsid java "-Xms$((nodes * heap))m" "-Xmx$((nodes * heap))m" -XX:+UseSerialGC \
    -cp "$launcher/target/classes:$(cat "$launcher/target/classpath.txt")" \
    logdash.engine.Launcher "$data" "$nodes" "$port" "$launcher/target/modules/transport-netty4" \
    >"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  echo "$port" >"$state/port"

  local url=http://127.0.0.1:$port started=$SECONDS
  while :; do
    kill -0 "$(cat "$pid_file")" 2>/dev/null || { tail -n 40 "$log" >&2; rm -f "$pid_file"; die "the cluster exited"; }
    if curl -fsS "$url/_cluster/health?wait_for_status=green&wait_for_nodes=$nodes&timeout=1s" \
      2>/dev/null | grep -q '"status":"green"'; then
      break
    fi
    [ $((SECONDS - started)) -lt 180 ] || { tail -n 40 "$log" >&2; stop; die "not green after 180 s"; }
    sleep 1
  done
  say "green after $((SECONDS - started)) s"
  echo "$url"
}

# The launcher's own switch (NodeControl.java), on the first node's HTTP port.
node() {
  local action=${1:-} name=${2:-} port=19200
  case "$action" in stop | start) ;; *) die "usage: scripts/engine.sh node stop|start NAME" ;; esac
  [ -n "$name" ] || die "usage: scripts/engine.sh node stop|start NAME"
  [ -f "$pid_file" ] || die "no cluster is running: scripts/engine.sh start first"
  [ -f "$state/port" ] && port=$(cat "$state/port")
  curl -fsS -X POST "http://127.0.0.1:$port/_engine/node/$name/_$action" >&2 || die "could not $action $name"
  echo >&2
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  node) shift; node "$@" ;;
  *) die "usage: scripts/engine.sh start [--nodes N] [--flavor elasticsearch|opensearch] [--port P] [--heap MB] | stop | node stop|start NAME" ;;
esac
