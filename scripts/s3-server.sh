#!/usr/bin/env bash
# s3-server.sh - a throw-away S3 server for Cairn's tests and benchmarks: a single-node Ceph
# cluster (one mon, one in-memory OSD) with the RADOS Gateway (RGW) serving S3 on 127.0.0.1.
# Everything it makes lives under DIR; nothing outside DIR is touched.
#
#   s3-server.sh start DIR PORT   start it; once S3 answers, print `export AWS_ACCESS_KEY_ID=…`,
#                                 `AWS_SECRET_ACCESS_KEY=…` and `S3_ENDPOINT=…` lines
#   s3-server.sh stop DIR         stop exactly the daemons `start` recorded in DIR
#   s3-server.sh stop-rgw DIR     stop RGW alone (S3 refuses connections; the data stays)
#   s3-server.sh start-rgw DIR    start RGW again on the same port, with the same user
#
# Needs Debian 12's Ceph 16.2 and bash (no curl):
#   apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw
# Listens only on 127.0.0.1: RGW on PORT, the mon on PORT+1, the OSD in 6800-7300. Start-up takes
# ~2.5 s. Objects live in the OSD's RAM (memstore, RSS ~2x the bytes stored) and are lost on stop.
# Env: CEPH_S3_MEM_MB = the capacity the OSD reports (default 8192);
#      CEPH_S3_TIMEOUT = seconds to wait for each daemon (default 120).
# Adapted from the shared ceph-s3.sh: same cluster, plus stop-rgw/start-rgw for outage tests.
set -euo pipefail

die() { echo "s3-server: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT | stop DIR | stop-rgw DIR | start-rgw DIR"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Does RGW answer an anonymous "GET /" with HTTP 200?
rgw_ok() (
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 5 line <&3 || exit 1
  [[ $line == "HTTP/1."?" 200"* ]]
) 2>/dev/null

# Is pid $1 still our daemon (alive, started with this DIR's ceph.conf)? Guards against pid reuse.
ours() { [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") == *" -c $D/ceph.conf "* ]]; }
all_ours() { local n p; while read -r n p; do ours "$p" || return 1; done <"$D/pids"; }

# spawn NAME CMD...: run a daemon in the foreground of its own session, record its pid.
spawn() {
  local name=$1; shift
  setsid "$@" -c "$D/ceph.conf" -f </dev/null >>"$D/log/$name.out" 2>&1 &
  echo "$name $!" >>"$D/pids"
}

# wait_for WHAT CMD...: poll CMD until it succeeds; fail fast if a daemon died.
wait_for() {
  local end=$((SECONDS + ${CEPH_S3_TIMEOUT:-120})) what=$1 n p; shift
  until "$@" >/dev/null 2>&1; do
    while read -r n p; do ours "$p" || die "$n (pid $p) died; see $D/log/"; done <"$D/pids"
    ((SECONDS < end)) || die "timed out waiting for $what; see $D/log/"
    sleep 0.2
  done
}

ceph_() { timeout 10 ceph -c "$D/ceph.conf" "$@"; }
osd_up() { [[ $(ceph_ osd stat) == *" 1 up"* ]]; }

# stop_pid PID: SIGTERM, up to 10 s, then SIGKILL.
stop_pid() {
  ours "$1" || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 50); do ours "$1" || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}

# Stop in reverse start order (rgw, osd, mon): the OSD exits at once while the mon is still
# there to acknowledge.
do_stop() {
  [[ -f $D/pids ]] || return 0
  tac "$D/pids" | while read -r n p; do stop_pid "$p"; done
  rm -f "$D/pids"
}

start_rgw() {
  spawn rgw radosgw -n client.rgw.a
  wait_for "radosgw on 127.0.0.1:$1" rgw_ok "$1"
}

cmd=${1:-}; [[ -n ${2:-} ]] || usage
[[ $cmd != start ]] || mkdir -p "$2"
[[ -d $2 ]] || { echo "s3-server: $2: no such directory, nothing to stop" >&2; exit 0; }
D=$(cd "$2" && pwd)
[[ $D != *[[:space:]]* ]] || die "DIR must not contain whitespace"
case $cmd in
stop) do_stop; echo "s3-server: stopped ($D)" >&2; exit 0 ;;
stop-rgw)
  [[ -f $D/pids ]] || die "nothing runs from $D"
  grep -v '^rgw ' "$D/pids" >"$D/pids.new" || true
  while read -r n p; do [[ $n != rgw ]] || stop_pid "$p"; done <"$D/pids"
  mv "$D/pids.new" "$D/pids"
  exit 0 ;;
start-rgw)
  [[ -f $D/pids && -f $D/port ]] || die "nothing runs from $D"
  grep -q '^rgw ' "$D/pids" && die "RGW already runs from $D"
  start_rgw "$(cat "$D/port")"
  exit 0 ;;
start) ;;
*) usage ;;
esac

PORT=${3:-}; [[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65535)) || usage
((PORT + 1 < 6800 || PORT > 7300)) || die "PORT clashes with the OSD port range 6800-7300"
for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen; do
  command -v "$b" >/dev/null || die "$b not found; apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw"
done

# Already running from this DIR on this PORT? Just print the credentials again.
if [[ -f $D/pids && -f $D/env ]] && all_ours && rgw_ok "$PORT"; then cat "$D/env"; exit 0; fi
[[ -z $(ls -A "$D") || -f $D/.s3-server ]] || die "$D is not empty and was not made by $0"
do_stop   # leftovers of an earlier run in this DIR
rm -rf "${D:?}"/{mon,osd,log,run,crash,ceph.conf,keyring,monmap,env,pids,pids.new,port}
mkdir -p "$D"/{mon,osd,log,run,crash} && touch "$D/.s3-server"
for p in "$PORT" "$((PORT + 1))"; do ! port_open "$p" || die "127.0.0.1:$p is already in use"; done
echo "$PORT" >"$D/port"
trap 'do_stop' EXIT   # a failed start stops what it started; cleared on success

FSID=$(uuidgen) MON="v1:127.0.0.1:$((PORT + 1))"
cat >"$D/ceph.conf" <<EOF
[global]
fsid = $FSID
mon host = $MON
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
keyring = $D/keyring
run dir = $D/run
crash dir = $D/crash
admin socket =
pid file =
log file = $D/log/\$name.log
mon cluster log file = $D/log/cluster.log
log to stderr = false
# one OSD: size-1 pools, few PGs, no autoscaler (there is no mgr)
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon max pg per osd = 1000
mon data avail crit = 0
# commit map changes after 0.1 s, not 1 s: start-up takes ~2.5 s instead of ~12 s
paxos propose interval = 0.1
[mon]
mon data = $D/mon
[osd]
osd data = $D/osd
osd journal = $D/osd/journal
osd objectstore = memstore
memstore device bytes = $((${CEPH_S3_MEM_MB:-8192} * 1048576))
osd crush initial weight = 1
[client]
rgw data = $D/run
# tcp_nodelay: without it, Nagle's algorithm on RGW's side meets the client's delayed ACK and
# every small GET (< ~64 KiB) takes 40 ms more (measured: 48 ms instead of 6 ms)
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw gc obj min wait = 60
rgw gc processor period = 60
EOF

# One keyring for all entities. cephx must stay on: with auth "none" the OSD's first mon
# command races the monmap and is refused ("wrong fsid").
K=$D/keyring
ceph-authtool "$K" --create-keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$K" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "$K" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
ceph-authtool "$K" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null

monmaptool --create --fsid "$FSID" --addv a "$MON" "$D/monmap" >/dev/null
ceph-mon -c "$D/ceph.conf" --mkfs -i a --monmap "$D/monmap" >>"$D/log/mkfs.out" 2>&1 || die "ceph-mon --mkfs failed; see $D/log/"
spawn mon ceph-mon -i a
wait_for "ceph-mon" ceph_ mon stat

OSD_UUID=$(uuidgen)
[[ $(ceph_ osd new "$OSD_UUID") == 0 ]] || die "'ceph osd new' did not give id 0"
ceph-osd -c "$D/ceph.conf" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$D/log/mkfs.out" 2>&1 || die "ceph-osd --mkfs failed; see $D/log/"
spawn osd ceph-osd -i 0
wait_for "osd.0 to come up" osd_up

start_rgw "$PORT"

# A fresh user with random keys; the keys are printed and kept in DIR/env only.
AK=$(tr -dc 'A-Z0-9' </dev/urandom | head -c 20 || true)
SK=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40 || true)
radosgw-admin -c "$D/ceph.conf" user create --uid=test --display-name=test \
  --access-key="$AK" --secret-key="$SK" >>"$D/log/mkfs.out" 2>&1 || die "radosgw-admin user create failed; see $D/log/"
(umask 077 && printf 'export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport S3_ENDPOINT=http://127.0.0.1:%s\n' \
  "$AK" "$SK" "$PORT" >"$D/env")
trap - EXIT
cat "$D/env"
