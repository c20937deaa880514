#!/usr/bin/env bash
# Airlock against the floor, in one run on this machine: the mock vendor directly, a plain nginx
# reverse proxy (keep-alive upstream, no buffering) and Airlock (gateway key, rpm and budget
# checks, usage recording: the real request path), for non-stream chat, SSE streams (5 events, one
# write each) and bursts (21 events, 5.4 KB, in one write) at 32 and 256 connections, then the cost
# of guardrail masking on a 32 KB prompt. Prints one table; compare
# ratios within a run, not absolute numbers across runs.
#   bench/run.sh                 (needs build/airlock and build/mock_upstream: ./build.sh build first)
#   DURATION=5 CONNS="32" KINDS="burst" bench/run.sh
#   AIRLOCK_BIN=/tmp/old/airlock MOCK_BIN=/tmp/old/mock_upstream bench/run.sh   (another build)
#   STREAMS=2000 bench/run.sh    (also: that many open streams together with 256 busy chat connections)
# Everything listens on 127.0.0.1 only; every load loop is bounded by wrk -d and timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-"32 256"}
STREAMS=${STREAMS:-0}
THREADS=2

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends wrk nginx-light >&2
    else
      echo "bench: needs wrk and nginx-light (apt-get install wrk nginx-light)" >&2; exit 1
    fi
  fi
done
AL_BIN=${AIRLOCK_BIN:-build/airlock}
MOCK_BIN=${MOCK_BIN:-build/mock_upstream}
[ -x "$AL_BIN" ] && [ -x "$MOCK_BIN" ] || { echo "bench: run ./build.sh build first" >&2; exit 1; }

RUN=$(mktemp -d /tmp/airlock-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$RUN"; }
trap cleanup EXIT INT TERM
ulimit -n 65536 2>/dev/null || true

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# utime+stime in clock ticks of a process and its children (nginx's master and worker).
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do total=$((total + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$total"
}
rss_kb() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do total=$((total + $(awk '/VmRSS/{print $2}' "/proc/$p/status"))); done
  echo "$total"
}
wait_port() { for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# The mock vendor.
"$MOCK_BIN" --threads 4096 > "$RUN/mock.out" 2>&1 & PIDS+=($!); MOCK_PID=$!
for _ in $(seq 100); do grep -q port "$RUN/mock.out" && break; sleep 0.05; done
MOCK_PORT=$(grep -o '[0-9]\+' "$RUN/mock.out" | head -1)

# nginx.
NGINX_PORT=$(free_port)
mkdir -p "$RUN/body" "$RUN/proxy"
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$NGINX_PORT|" -e "s|@MOCK_PORT@|$MOCK_PORT|" bench/nginx.conf.in > "$RUN/nginx.conf"
nginx -c "$RUN/nginx.conf" -g 'daemon off;' & PIDS+=($!); NGINX_PID=$!
wait_port "$NGINX_PORT"

# Airlock, plain HTTP on loopback like nginx (TLS costs are in ../shared/PERFORMANCE.md).
AL_PORT=$(free_port)
cat > "$RUN/provision.json" <<JSON
{"providers":[{"name":"mock","type":"openai","base_url":"http://127.0.0.1:$MOCK_PORT/v1","internal":true,"max_concurrent":8192}],
 "models":[{"name":"bench","targets":[{"provider":"mock","model":"bench-upstream"}]},
           {"name":"bench-burst","targets":[{"provider":"mock","model":"stream-burst"}]},
           {"name":"bench-stream","targets":[{"provider":"mock","model":"stream-delay-200"}]}]}
JSON
export AIRLOCK_DATA_DIR="$RUN/data" AIRLOCK_LISTEN="127.0.0.1:$AL_PORT" AIRLOCK_PLAIN_HTTP=true \
       AIRLOCK_PROVISION_FILE="$RUN/provision.json" AIRLOCK_MAX_CONNECTIONS=8192 AIRLOCK_LOG_LEVEL=warn \
       AIRLOCK_IDLE_TIMEOUT=30
"$AL_BIN" serve > "$RUN/airlock.out" 2> "$RUN/airlock.err" & PIDS+=($!); AL_PID=$!
wait_port "$AL_PORT"
KEY=$("$AL_BIN" key create --name bench --rpm 100000000 --monthly-tokens 1000000000000 2>/dev/null)
sleep 1
AL_RSS_IDLE=$(rss_kb "$AL_PID"); NGINX_RSS_IDLE=$(rss_kb "$NGINX_PID")

printf '{"model":"%s","messages":[{"role":"user","content":"Say hello in one short sentence, please."}]}' bench > "$RUN/chat.json"
printf '{"model":"%s","stream":true,"messages":[{"role":"user","content":"Say hello in one short sentence, please."}]}' bench > "$RUN/stream.json"
# burst: 21 events (5.4 KB) that arrive in one read, the shape of ../shared/bench-peers' mock.
printf '{"model":"%s","stream":true,"messages":[{"role":"user","content":"Say hello in one short sentence, please."}]}' bench-burst > "$RUN/burst.json"
# Direct and nginx see the upstream model name the gateway would send.
sed 's/"bench"/"bench-upstream"/' "$RUN/chat.json" > "$RUN/chat-up.json"
sed 's/"bench"/"bench-upstream"/' "$RUN/stream.json" > "$RUN/stream-up.json"
sed 's/"bench-burst"/"stream-burst"/' "$RUN/burst.json" > "$RUN/burst-up.json"

# One wrk cell: target pid url body key conns → "rps p50 p99 errors cpu_us_per_req".
cell() {
  local pid=$1 url=$2 body=$3 key=$4 conns=$5
  local c0 c1 out
  c0=$(cpu_ticks "$pid")
  out=$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout 10s -s bench/post.lua "$url" -- "$body" "$key" 2>&1 | grep RESULT || true)
  c1=$(cpu_ticks "$pid")
  local req err rps p50 p99
  req=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out"); err=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$out")
  rps=$(sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<<"$out"); p50=$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$out")
  p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$out")
  local cpu=$(( req > 0 ? (c1 - c0) * TICK_US / req : 0 ))
  echo "$rps $p50 $p99 ${err:-?} $cpu"
}

printf '\n%-8s %-7s %5s %10s %9s %9s %6s %10s %9s\n' target kind conns rps p50_us p99_us errors cpu_us/req rss_kb
for kind in ${KINDS:-chat stream burst}; do
  for conns in $CONNS; do
    for target in direct nginx airlock; do
      case $target in
        direct) pid=$MOCK_PID; url="http://127.0.0.1:$MOCK_PORT/v1/chat/completions"; body="$RUN/$kind-up.json"; key="" ;;
        nginx) pid=$NGINX_PID; url="http://127.0.0.1:$NGINX_PORT/v1/chat/completions"; body="$RUN/$kind-up.json"; key="" ;;
        airlock) pid=$AL_PID; url="http://127.0.0.1:$AL_PORT/v1/chat/completions"; body="$RUN/$kind.json"; key=$KEY ;;
      esac
      read -r rps p50 p99 err cpu < <(cell "$pid" "$url" "$body" "$key" "$conns")
      printf '%-8s %-7s %5s %10s %9s %9s %6s %10s %9s\n' "$target" "$kind" "$conns" "$rps" "$p50" "$p99" "$err" "$cpu" "$(rss_kb "$pid")"
    done
  done
done
echo
echo "idle RSS: airlock ${AL_RSS_IDLE} KB, nginx ${NGINX_RSS_IDLE} KB (mock CPU is in the direct rows)"

# Guardrails: non-stream chat with a 32 KB prompt (prose with an address and a phone number every
# few hundred bytes), through a key with guardrails off and one with every detector on mask, at 32
# connections. The CPU ratio is what the masking costs per request; the scan alone is measured
# in-process (airlock_guard_scan).
GUARD_OFF=$("$AL_BIN" key create --name guard-off --guardrails=off --rpm 100000000 --monthly-tokens 1000000000000 2>/dev/null)
GUARD_MASK=$("$AL_BIN" key create --name guard-mask --guardrails=mask --rpm 100000000 --monthly-tokens 1000000000000 2>/dev/null)
python3 - "$RUN/chat32k.json" <<'PY'
import json, sys
para = ("Please summarise the meeting notes below for the quarterly review. Alice Martin (alice.martin@example.com) "
        "said revenue grew 12.5% to $1,234,567.89 on 2026-12-07T10:00:00Z and asked to be called at (202) 555-0178. "
        "Build 3.46.1-7 failed on host 10.0.0.12 with request 550e8400-e29b-41d4-a716-446655440000, order 123456789. ")
text = (para * (32768 // len(para) + 1))[:32768]
json.dump({"model": "bench", "messages": [{"role": "user", "content": text}]}, open(sys.argv[1], "w"))
PY
sleep 1
if [ -n "${GUARD_STREAM:-}" ]; then  # the stream path: a key with guardrails off against the default (monitor)
  read -r s_rps_off _ _ _ s_cpu_off < <(cell "$AL_PID" "http://127.0.0.1:$AL_PORT/v1/chat/completions" "$RUN/stream.json" "$GUARD_OFF" 32)
  read -r s_rps_mon _ _ _ s_cpu_mon < <(cell "$AL_PID" "http://127.0.0.1:$AL_PORT/v1/chat/completions" "$RUN/stream.json" "$KEY" 32)
  read -r s_rps_mask _ _ _ s_cpu_mask < <(cell "$AL_PID" "http://127.0.0.1:$AL_PORT/v1/chat/completions" "$RUN/stream.json" "$GUARD_MASK" 32)
  echo "stream, 32 connections: off ${s_cpu_off} us/req (${s_rps_off} rps), monitor ${s_cpu_mon} (${s_rps_mon}), mask ${s_cpu_mask} (${s_rps_mask})"
fi
read -r g_rps_off _ _ g_err_off g_cpu_off < <(cell "$AL_PID" "http://127.0.0.1:$AL_PORT/v1/chat/completions" "$RUN/chat32k.json" "$GUARD_OFF" 32)
read -r g_rps_mask _ _ g_err_mask g_cpu_mask < <(cell "$AL_PID" "http://127.0.0.1:$AL_PORT/v1/chat/completions" "$RUN/chat32k.json" "$GUARD_MASK" 32)
echo
echo "guardrails, chat with a 32 KB prompt, 32 connections:"
echo "  off:  ${g_rps_off} rps, ${g_cpu_off} us CPU/request, errors ${g_err_off}"
echo "  mask: ${g_rps_mask} rps, ${g_cpu_mask} us CPU/request, errors ${g_err_mask}"
awk -v a="$g_cpu_mask" -v b="$g_cpu_off" 'BEGIN { if (b > 0) printf "  CPU per request, mask / off: %.2fx (target <= 1.25x)\n", a / b }'
[ -x build/airlock_guard_scan ] && echo "  $(build/airlock_guard_scan)"

if [ "$STREAMS" -gt 0 ]; then
  # Many open streams (each 5 events 200 ms apart) together with 256 busy chat connections.
  printf '{"model":"bench-stream","stream":true,"messages":[]}' > "$RUN/slow.json"
  echo
  echo "$STREAMS concurrently open streams + 256 chat connections through Airlock, ${DURATION}s:"
  timeout $((DURATION + 40)) wrk -t1 -c"$STREAMS" -d"${DURATION}s" --timeout 20s -s bench/post.lua \
    "http://127.0.0.1:$AL_PORT/v1/chat/completions" -- "$RUN/slow.json" "$KEY" > "$RUN/streams.txt" 2>&1 &
  WS=$!
  sleep 2
  timeout $((DURATION + 40)) wrk -t1 -c256 -d"$((DURATION - 3))s" --timeout 10s -s bench/post.lua \
    "http://127.0.0.1:$AL_PORT/v1/chat/completions" -- "$RUN/chat.json" "$KEY" > "$RUN/chat256.txt" 2>&1 &
  WC=$!
  sleep 3
  echo "  airlock threads while loaded: $(ls /proc/$AL_PID/task | wc -l), RSS $(rss_kb "$AL_PID") KB"
  wait $WS $WC || true
  echo "  streams: $(grep RESULT "$RUN/streams.txt")"
  echo "  chat:    $(grep RESULT "$RUN/chat256.txt")"
fi
