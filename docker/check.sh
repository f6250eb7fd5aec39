#!/usr/bin/env bash
# docker/check.sh: proves that the image builds and runs. Takes minutes (it compiles w2vd), so it
# is not part of scripts/test. Works from any directory; exits non-zero on any failure.
#
# 1. Checks docker/compose.yaml's shape.
# 2. Builds docker/Dockerfile: with docker when an engine answers, otherwise with
#    ../shared/tools/container-check (podman; the image then runs in a chroot of its filesystem,
#    as the image's user, with the image's environment, on the host network).
# 3. Checks the image's config: non-root user, environment, port, volume, entrypoint,
#    health check, labels; and that the runtime has no compiler.
# 4. Starts the image's entrypoint (its log must name the best kernels this CPU runs: avx512 on
#    an AVX-512 machine although the image's baseline is x86-64-v2), waits until the image's
#    own HEALTHCHECK command (w2vctl health) passes, checks that /v1 needs the token w2vd
#    generated in the volume and that a foreign Host header is refused, uploads a generated
#    corpus (5 topics x 20 words), trains (dim 32, 3
#    epochs), asks /similar for a word of each topic and checks that its neighbours are of
#    that topic, stops w2vd with SIGTERM and checks that it exited 0 and that the data
#    directory holds the model.
# 5. Starts it again on the same data with a token: the model is still there and answers,
#    /v1 without the token gets 401, the health check still passes; SIGTERM, exit 0; and (podman
#    path) the health check fails, with 1, once w2vd is gone.
#
# Environment: W2VD_CHECK_ENGINE=docker|podman forces an engine; W2VD_CHECK_TAG names the
# image (default localhost/w2vd:check); W2VD_CHECK_KEEP=1 keeps the work directory (logs).
# Needs root, or sudo (apt-get; podman and chroot on the podman path).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
tag=${W2VD_CHECK_TAG:-localhost/w2vd:check}
container_check=$root/../shared/tools/container-check
t0=$SECONDS

say() { printf '[check %4ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() { printf '[check %4ds] FAIL: %s\n' $((SECONDS - t0)) "$*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || fail "run as root (or install sudo): apt-get, podman and chroot need it"
  exec sudo --preserve-env=W2VD_CHECK_ENGINE,W2VD_CHECK_TAG,W2VD_CHECK_KEEP "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/w2vd-check.XXXXXX")
rootfs=$work/rootfs
server_pid=""   # podman path: the container-check run process
cid=""          # docker path: the running container
volume=w2vd-check-$$

cleanup() {
  local rc=$?
  set +e
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; sleep 2; kill -KILL "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null
  fi
  if [[ ${engine:-} == docker ]]; then
    [[ -n $cid ]] && docker rm -f "$cid" >/dev/null 2>&1
    docker volume rm -f "$volume" >/dev/null 2>&1
  fi
  [[ -d $rootfs ]] && "$container_check" clean "$rootfs"
  if ((rc != 0)) || [[ -n ${W2VD_CHECK_KEEP:-} ]]; then
    echo "check: logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- what the check needs on the host ----
need=(curl jq python3 python3-yaml gawk)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get install failed"; }
fi
python=/usr/bin/python3   # Debian's, which python3-yaml belongs to

engine=${W2VD_CHECK_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
case $engine in
  docker) ;;
  podman) [[ -x $container_check ]] || fail "no Docker engine answers and $container_check is missing" ;;
  *) fail "W2VD_CHECK_ENGINE must be docker or podman, not '$engine'" ;;
esac


# ---- 1. compose.yaml ----
say "engine: $engine; checking docker/compose.yaml"
"$python" - "$here/compose.yaml" <<'EOF' || fail "docker/compose.yaml is not what it should be"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
svc = doc["services"]["w2vd"]
errors = []
def need(cond, what):
    if not cond: errors.append(what)
need(svc.get("build", {}).get("dockerfile") == "docker/Dockerfile", "build.dockerfile docker/Dockerfile")
vols = [v for v in svc.get("volumes", []) if isinstance(v, str) and v.endswith(":/var/lib/w2vd")]
need(vols and vols[0].split(":")[0] in (doc.get("volumes") or {}), "a named volume on /var/lib/w2vd")
need(any(str(p).endswith(":8080") for p in svc.get("ports", [])), "port 8080 published")
need(any(isinstance(e, dict) and e.get("required") is False for e in svc.get("env_file", [])),
     "an optional env_file")
need(svc.get("restart") in ("always", "unless-stopped", "on-failure"), "a restart policy")
need("w2vctl" in " ".join(svc.get("healthcheck", {}).get("test", [])), "a w2vctl healthcheck")
for e in errors: print("compose.yaml: missing " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
# Compose validates the file fully where it is installed (no engine needed for that).
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  docker compose -f "$here/compose.yaml" config -q || fail "docker compose config rejects docker/compose.yaml"
  say "docker compose config: docker/compose.yaml is valid"
fi

# ---- 2. build ----
say "building $tag from docker/Dockerfile (compiles w2vd and w2vctl: minutes; log $work/build.log)"
build_t0=$SECONDS
old_image=$("$engine" image inspect "$tag" --format '{{.Id}}' 2>/dev/null || true)
if [[ $engine == docker ]]; then
  docker build --progress=plain -f "$here/Dockerfile" -t "$tag" "$root" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; fail "docker build failed"; }
  config=$(docker image inspect "$tag" --format '{{json .Config}}')
  healthcheck=$(jq -c '.Healthcheck // empty' <<<"$config")
  size=$(docker image inspect "$tag" --format '{{.Size}}')
  base_size=$(docker image inspect debian:bookworm-slim --format '{{.Size}}' 2>/dev/null || echo 0)
else
  config=$("$container_check" build "$root" "$here/Dockerfile" "$tag" 2>"$work/build.log") ||
    { tail -n 40 "$work/build.log" >&2; fail "container-check build failed"; }
  healthcheck=$(podman image inspect "$tag" --format '{{json .HealthCheck}}')
  size=$(podman image inspect "$tag" --format '{{.Size}}')
  base_size=$(podman image inspect localhost/debian:bookworm-slim --format '{{.Size}}' 2>/dev/null || echo 0)
fi
build_secs=$((SECONDS - build_t0))
# The image this tag named before is dangling now: drop it (a no-op if something still uses it).
if [[ -n $old_image && $old_image != $("$engine" image inspect "$tag" --format '{{.Id}}') ]]; then
  "$engine" rmi "$old_image" >/dev/null 2>&1 || true
fi
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
size_text="$size bytes ($(mb "$size"): base debian:bookworm-slim $(mb "$base_size") + w2vd's layers $(mb $((size - base_size))))"
say "built in ${build_secs}s; image size $size_text"

# ---- 3. the image's config ----
jq -e . >/dev/null <<<"$config" || fail "no image config"
check_config() {  # jq expression on the config, what it means
  jq -e "$1" >/dev/null <<<"$config" || fail "image config: $2 (config: $config)"
}
check_config '.User != null and .User != "" and (.User | split(":")[0]) != "root" and (.User | split(":")[0]) != "0"' "a non-root USER"
check_config '.Env | index("W2VD_BIND=0.0.0.0")' "ENV W2VD_BIND=0.0.0.0"
check_config '.Env | index("W2VD_DATA_DIR=/var/lib/w2vd")' "ENV W2VD_DATA_DIR=/var/lib/w2vd"
check_config '.Env | index("W2VD_PORT=8080")' "ENV W2VD_PORT=8080"
check_config '.Env | index("W2VD_TOKEN_FILE=/var/lib/w2vd/token")' "ENV W2VD_TOKEN_FILE=/var/lib/w2vd/token"
check_config '.ExposedPorts | has("8080/tcp")' "EXPOSE 8080"
check_config '.Volumes | has("/var/lib/w2vd")' "VOLUME /var/lib/w2vd"
check_config '.Entrypoint == ["w2vd"]' 'ENTRYPOINT ["w2vd"]'
for l in title description version source licenses; do
  check_config ".Labels | has(\"org.opencontainers.image.$l\")" "LABEL org.opencontainers.image.$l"
done
jq -e '.Test[0] == "CMD" or .Test[0] == "CMD-SHELL"' >/dev/null <<<"${healthcheck:-null}" ||
  fail "image has no HEALTHCHECK (got: ${healthcheck:-none})"
jq -e '.Test | join(" ") | contains("w2vctl")' >/dev/null <<<"$healthcheck" ||
  fail "the HEALTHCHECK does not use w2vctl: $healthcheck"
image_user=$(jq -r .User <<<"$config")
baseline=$(jq -r '.Labels["io.w2vd.cpu-baseline"] // "?"' <<<"$config")
version=$(jq -r '.Labels["org.opencontainers.image.version"]' <<<"$config")
say "config ok: user $image_user, entrypoint [w2vd], port 8080, volume /var/lib/w2vd, version $version, CPU baseline $baseline"
say "healthcheck: $(jq -c .Test <<<"$healthcheck")"

# The health check's command as argv, to run inside the image: ["CMD", a, b] or ["CMD-SHELL", s].
mapfile -t hc_argv < <(jq -r 'if .Test[0] == "CMD-SHELL" then "/bin/sh", "-c", .Test[1] else .Test[1:][] end' <<<"$healthcheck")

# ---- the corpus: 5 topics x 20 words, sentences of 8-12 words of one topic ----
topics=(animal color fruit metal planet)
awk -v lines=4000 -v topics="${topics[*]}" 'BEGIN {
  n = split(topics, t, " "); srand(7)
  for (i = 0; i < lines; i++) {
    k = 1 + int(rand() * n); len = 8 + int(rand() * 5); s = ""
    for (j = 0; j < len; j++) s = s (j ? " " : "") sprintf("%s%02d", t[k], int(rand() * 20))
    print s
  }
}' >"$work/corpus.txt"

# ---- starting and stopping the image, per engine ----
url=""
# start_server NAME [VAR=value...]: starts the entrypoint with the extra environment; sets url.
start_server() {
  local name=$1; shift
  local logf=$work/$name.log
  if [[ $engine == docker ]]; then
    local envs=(); for e in "$@"; do envs+=(-e "$e"); done
    [[ -n $cid ]] && docker rm -f "$cid" >/dev/null
    cid=$(docker run -d --name "w2vd-check-$$-$name" -p 127.0.0.1::8080 -v "$volume:/var/lib/w2vd" \
      --health-interval 2s --health-start-period 30s "${envs[@]}" "$tag")
    local port; port=$(docker port "$cid" 8080/tcp | head -n 1 | sed 's/.*://')
    url=http://127.0.0.1:$port
  else
    # The chroot shares the host's network: --port 0 lets w2vd pick a free port, read from its log.
    "$container_check" run "$tag" "$rootfs" -- env "$@" w2vd --port 0 >"$logf" 2>&1 &
    server_pid=$!
    local port=""
    for _ in $(seq 300); do
      port=$(grep -o 'listening on http://[^ ]*' "$logf" 2>/dev/null | head -n 1 | sed 's/.*://') || true
      [[ -n $port ]] && break
      kill -0 "$server_pid" 2>/dev/null || { cat "$logf" >&2; fail "w2vd exited at start"; }
      sleep 0.1
    done
    [[ -n $port ]] || { cat "$logf" >&2; fail "w2vd did not log its port within 30 s"; }
    url=http://127.0.0.1:$port
  fi
}

# run_healthcheck [VAR=value...]: runs the image's HEALTHCHECK command in the running image.
run_healthcheck() {
  if [[ $engine == docker ]]; then
    docker exec "$cid" "${hc_argv[@]}"
  else
    # Same network as the host: point the command at the port w2vd picked.
    "$container_check" run "$tag" "$rootfs" -- env "W2VD_PORT=${url##*:}" "$@" "${hc_argv[@]}"
  fi
}

# wait_healthy [VAR=value...]: until the image's health check passes (60 s at most).
wait_healthy() {
  local out
  for _ in $(seq 60); do
    if [[ $engine == docker ]]; then
      [[ $(docker inspect -f '{{.State.Health.Status}}' "$cid") == healthy ]] && return 0
      [[ $(docker inspect -f '{{.State.Running}}' "$cid") == true ]] || { docker logs "$cid" >&2; fail "container exited"; }
    else
      out=$(run_healthcheck "$@" 2>&1) && { health_output=$out; return 0; }
      kill -0 "$server_pid" 2>/dev/null || { cat "$work"/*.log >&2; fail "w2vd exited"; }
    fi
    sleep 1
  done
  fail "the HEALTHCHECK did not pass within 60 s: $out"
}

# stop_server: SIGTERM; sets stop_rc to w2vd's exit status.
stop_server() {
  local name=$1
  if [[ $engine == docker ]]; then
    docker stop -t 60 "$cid" >/dev/null
    stop_rc=$(docker inspect -f '{{.State.ExitCode}}' "$cid")
    docker logs "$cid" >"$work/$name.log" 2>&1
  else
    # SIGTERM to w2vd itself, as docker stop sends it to the container's PID 1 (the entrypoint).
    local pid
    pid=$(w2vd_pid) || fail "cannot find the w2vd process under container-check run ($server_pid)"
    kill -TERM "$pid"
    for _ in $(seq 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && fail "w2vd still running 60 s after SIGTERM"
    stop_rc=0; wait "$server_pid" || stop_rc=$?
    server_pid=""
  fi
}

# w2vd_pid: the w2vd process that container-check run started (env, chroot and sh exec into it).
w2vd_pid() {
  local p ppid
  for p in /proc/[0-9]*; do
    ppid=$(sed 's/.*) //' "$p/stat" 2>/dev/null | awk '{print $2}') || continue
    if [[ $ppid == "$server_pid" && $(cat "$p/comm" 2>/dev/null) == w2vd ]]; then
      echo "${p#/proc/}"; return 0
    fi
  done
  return 1
}

# in_data_dir COMMAND: runs a shell command in the image's data directory, as the image's user.
in_data_dir() {
  if [[ $engine == docker ]]; then
    docker run --rm -v "$volume:/var/lib/w2vd" --entrypoint /bin/sh "$tag" -c "cd /var/lib/w2vd && $1"
  else
    "$container_check" run "$tag" "$rootfs" -- /bin/sh -c "cd /var/lib/w2vd && $1"
  fi
}

auth=()
# api METHOD PATH [curl args...]: prints the body; fails on anything but 2xx.
api() {
  local method=$1 path=$2; shift 2
  local code
  code=$(curl -sS -o "$work/response" -w '%{http_code}' -X "$method" "${auth[@]}" "$url$path" "$@") ||
    fail "curl $method $path"
  [[ $code == 2* ]] || fail "$method $path: HTTP $code: $(head -c 500 "$work/response")"
  cat "$work/response"
}
status_of() { curl -sS -o /dev/null -w '%{http_code}' "$@"; }

# ---- 4. first run: upload, train, query, SIGTERM ----
if [[ $engine == docker ]]; then
  docker volume create "$volume" >/dev/null
else
  # (podman create logs an error about systemd health-check timers here: no systemd, harmless.)
  volumes_before=$(podman volume ls -q | sort)
  "$container_check" rootfs "$tag" "$rootfs" 2>"$work/rootfs.log" ||
    { cat "$work/rootfs.log" >&2; fail "container-check rootfs failed"; }
  # podman create made an anonymous volume for VOLUME /var/lib/w2vd that podman rm left: drop it.
  comm -13 <(echo "$volumes_before") <(podman volume ls -q | sort) | xargs -r podman volume rm >/dev/null
  [[ -e $rootfs/usr/bin/g++ || -e $rootfs/usr/bin/cmake ]] && fail "the runtime image holds build tools"
fi
say "w2vd in the image: $(in_data_dir 'w2vd --version' 2>&1) as $(in_data_dir 'id -un' 2>&1) ($(in_data_dir 'id -u' 2>&1))"

start_server first
say "started the entrypoint (w2vd) at $url"
run_t0=$SECONDS
health_output=""
wait_healthy
say "HEALTHCHECK (w2vctl health) passed after $((SECONDS - run_t0))s${health_output:+: $(tr '\n' ' ' <<<"$health_output")}"
[[ $(status_of "$url/healthz") == 200 ]] || fail "/healthz is not 200"
[[ $(status_of "$url/readyz") == 200 ]] || fail "/readyz is not 200"
# Listening on 0.0.0.0 without W2VD_TOKEN: w2vd made its own token, kept in the volume, and
# requires it; the published port on 127.0.0.1 passes the Host check, a foreign name does not.
[[ $(status_of "$url/v1/models") == 401 ]] || fail "GET /v1/models without the generated token is not 401"
generated=$(in_data_dir 'cat token') || fail "no generated token in /var/lib/w2vd/token"
auth=(-H "Authorization: Bearer $generated")
[[ $(status_of "${auth[@]}" -H 'Host: rebind.example' "$url/v1/models") == 421 ]] ||
  fail "a foreign Host header is not refused with 421"
say "no W2VD_TOKEN on 0.0.0.0: /v1 requires the token w2vd generated in the volume; a foreign Host gets 421"

corpus=$(api POST "/v1/corpora?name=check" -H 'Content-Type: text/plain' --data-binary @"$work/corpus.txt")
corpus_id=$(jq -r .id <<<"$corpus")
say "uploaded corpus $corpus_id: $(jq -r '"\(.bytes) bytes, \(.tokens) tokens, \(.sentences) sentences, \(.distinct_words) distinct words"' <<<"$corpus")"
[[ $(jq -r .distinct_words <<<"$corpus") == 100 ]] || fail "expected 100 distinct words: $corpus"

# sample 0: 100 words this frequent would be subsampled away almost entirely.
job=$(api POST /v1/jobs -H 'Content-Type: application/json' \
  -d "{\"corpus_id\":\"$corpus_id\",\"params\":{\"dim\":32,\"epochs\":3,\"min_count\":1,\"sample\":0}}")
job_id=$(jq -r .id <<<"$job")
train_t0=$SECONDS
for _ in $(seq 600); do
  job=$(api GET "/v1/jobs/$job_id")
  case $(jq -r .status <<<"$job") in
    succeeded) break ;;
    failed | cancelled) fail "job $job_id: $(jq -c '{status, error}' <<<"$job")" ;;
  esac
  sleep 1
done
[[ $(jq -r .status <<<"$job") == succeeded ]] || fail "job $job_id did not finish in 10 minutes: $job"
model_id=$(jq -r .model_id <<<"$job")
say "trained job $job_id in $((SECONDS - train_t0))s: model $model_id, $(jq -r '.progress | "\(.words_done) words, \(.words_per_sec | floor) words/s, loss \(.loss * 1000 | round / 1000)"' <<<"$job")"
model=$(api GET "/v1/models/$model_id")
[[ $(jq -r '"\(.vocab_size) \(.dim)"' <<<"$model") == "100 32" ]] || fail "model is not 100 words x 32: $model"

# Every probe's 5 nearest neighbours must be (at least 4 of 5) words of its own topic.
declare -A probe_lines
for t in "${topics[@]}"; do
  w=${t}07
  similar=$(api GET "/v1/models/$model_id/similar?word=$w&k=5")
  same=$(jq --arg t "$t" '[.results[] | select(.word | startswith($t))] | length' <<<"$similar")
  n=$(jq '.results | length' <<<"$similar")
  probe_lines[$t]="$w -> $(jq -r '[.results[] | "\(.word) \(.score * 1000 | round / 1000)"] | join(", ")' <<<"$similar") ($same/$n same topic)"
  ((n == 5 && same >= 4)) || fail "neighbours of $w are not its topic's: $similar"
done
say "similar: every probe's neighbours are of its own topic"
for t in "${topics[@]}"; do say "  ${probe_lines[$t]}"; done

stop_server first
[[ $stop_rc == 0 ]] || { cat "$work/first.log" >&2; fail "w2vd exited $stop_rc after SIGTERM"; }
grep -q 'w2vd stopped' "$work/first.log" || { cat "$work/first.log" >&2; fail "no 'w2vd stopped' in the log"; }
say "SIGTERM: w2vd exited 0 ($(grep -c . "$work/first.log") log lines, last: $(tail -n 1 "$work/first.log" | cut -c 1-80))"

# The portable image runs the best kernels this CPU has (core/base/isa.h), not its baseline's.
expected_isa=generic
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && grep -qw bmi2 /proc/cpuinfo; then
  expected_isa=avx2
  if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo &&
    grep -qw avx512cd /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo &&
    grep -qw avx512vl /proc/cpuinfo; then
    expected_isa=avx512
  fi
fi
kernels_line=$(grep -o 'kernels: .*' "$work/first.log" | head -n 1) ||
  { cat "$work/first.log" >&2; fail "no 'kernels:' line in w2vd's log"; }
[[ $kernels_line == "kernels: $expected_isa "* ]] ||
  fail "w2vd chose '$kernels_line' on a CPU whose best is $expected_isa"
say "start-up log: $kernels_line"

files=$(in_data_dir "test -s w2vd.sqlite && test -s models/$model_id/vectors.bin && head -n 1 models/$model_id/vectors.bin && stat -c '%U %s' models/$model_id/vectors.bin") ||
  fail "the data directory does not hold the model: $files"
read -r header_words header_dim <<<"$(sed -n 1p <<<"$files")"
[[ "$header_words $header_dim" == "100 32" ]] || fail "vectors.bin header is '$header_words $header_dim', not '100 32'"
owner_size=$(sed -n 2p <<<"$files")
say "data dir: /var/lib/w2vd/models/$model_id/vectors.bin (header '100 32', owner and bytes: $owner_size), w2vd.sqlite"

# ---- 5. second run on the same data, with a token ----
token=check-$RANDOM$RANDOM$RANDOM
start_server second "W2VD_TOKEN=$token"
wait_healthy "W2VD_TOKEN=$token"
code=$(status_of "$url/v1/models")
[[ $code == 401 ]] || fail "GET /v1/models without the token: HTTP $code, not 401"
auth=(-H "Authorization: Bearer $token")
api GET /v1/models | jq -e --arg m "$model_id" '[.. | objects | select(.id? == $m)] | length > 0' >/dev/null ||
  fail "model $model_id is gone after the restart"
again=$(api GET "/v1/models/$model_id/similar?word=${topics[0]}07&k=5")
[[ $(jq -r '.results[0].word' <<<"$again") == ${topics[0]}* ]] || fail "the restarted server answers differently: $again"
say "restart with W2VD_TOKEN: model $model_id still there and answering; /v1 without the token 401; health check passes"
stop_server second
[[ $stop_rc == 0 ]] || { cat "$work/second.log" >&2; fail "w2vd exited $stop_rc after the second SIGTERM"; }
say "SIGTERM: w2vd exited 0 again"
if [[ $engine == podman ]]; then
  # With w2vd gone the image's health check must fail, with 1 (the only failure code Docker defines).
  hc_rc=0; run_healthcheck >/dev/null 2>&1 || hc_rc=$?
  [[ $hc_rc == 1 ]] || fail "the HEALTHCHECK exits $hc_rc with w2vd stopped, not 1"
  say "HEALTHCHECK with w2vd stopped: exit 1 (unhealthy)"
fi

say "PASSED ($engine): image $tag, $size_text, built in ${build_secs}s, whole check $((SECONDS - t0))s"
