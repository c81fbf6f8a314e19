#!/usr/bin/env bash
# A long-running standalone ZooKeeper on 127.0.0.1 for tests and local HA
# experiments, from Debian's `zookeeper` package (scripts/setup.sh --test).
#
#   scripts/zookeeper.sh start  [port]   start (no-op if already running), print where it listens
#   scripts/zookeeper.sh stop   [port]   stop (no-op if not running)
#   scripts/zookeeper.sh status [port]   print state; exit 0 if running, 3 if not
#
# Port defaults to 2181. Data, config, pid and log live in target/zookeeper/<port>/.
# The Rust tests do not need this: they start their own server on a free port.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ZK_JAR=/usr/share/java/zookeeper.jar
ACTION="${1:-}"
PORT="${2:-2181}"
DIR="$ROOT/target/zookeeper/$PORT"
PID_FILE="$DIR/server.pid"
LOG_FILE="$DIR/server.log"

[[ "$PORT" =~ ^[0-9]+$ ]] || die "port must be a number, got '$PORT'"

# Prints the server's pid if it is running.
running_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

where() {
    echo "ZooKeeper listening on 127.0.0.1:$PORT (pid $1): use --zk zk://127.0.0.1:$PORT/dromos; data and log in $DIR"
}

start() {
    local pid
    if pid="$(running_pid)"; then
        where "$pid"
        return 0
    fi
    command -v java >/dev/null || die "java is missing: run scripts/setup.sh --test"
    [ -f "$ZK_JAR" ] || die "$ZK_JAR is missing: run scripts/setup.sh --test"
    listening && die "port $PORT is taken by another process"
    mkdir -p "$DIR/data"
    cat >"$DIR/zoo.cfg" <<EOF
tickTime=2000
clientPortAddress=127.0.0.1
clientPort=$PORT
dataDir=$DIR/data
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok
EOF
    nohup java -cp "/etc/zookeeper/conf:$ZK_JAR" org.apache.zookeeper.server.ZooKeeperServerMain \
        "$DIR/zoo.cfg" >"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    for _ in $(seq 1 600); do
        if listening; then
            where "$pid"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || die "ZooKeeper exited; see $LOG_FILE"
        sleep 0.1
    done
    die "ZooKeeper did not listen on 127.0.0.1:$PORT within 60 s; see $LOG_FILE"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        echo "ZooKeeper on port $PORT is not running"
        return 0
    fi
    kill "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    rm -f "$PID_FILE"
    echo "ZooKeeper on port $PORT stopped"
}

status() {
    local pid
    if pid="$(running_pid)" && listening; then
        where "$pid"
    else
        echo "ZooKeeper on port $PORT is not running"
        return 3
    fi
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) die "usage: scripts/zookeeper.sh start|stop|status [port]" ;;
esac
