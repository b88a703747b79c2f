#!/usr/bin/env bash
# Replays the Dockerfile outside Docker (no Docker engine in CI): each stage gets its own root directory in a
# temporary folder; COPY, WORKDIR, ARG, ENV and the build stage's RUN lines run as written, the runtime stage's RUN
# lines (apt-get, chown: system setup) are only printed. Then the image is started as its ENTRYPOINT would start it
# (without tini): `--version`, `--help`, `migrate` twice against a temporary DATA_DIR, `sim graph` and `demo` (which
# must refuse with a clear message: the simulator's private key is not in the image), and the HEALTHCHECK command
# against a stub /healthz. Also checks the image's rules: base pinned to the CI's Node 22 release, numeric USER, no
# VOLUME, OCI version label equal to package.json's. Fails when a step or a rule fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build context as .dockerignore leaves it (patterns anchored at the context root, as Docker reads them).
context="$work/context"
mkdir -p "$context"
tar --create --file - --anchored --exclude-from=<(grep -v '^#' .dockerignore | sed '/^$/d') -- * .[!.]* | tar --extract --file - --directory "$context"

stage="" ; first_stage="" ; workdir="/" ; healthcheck="" ; declare -A stage_root
fail() { echo "dockerfile-commands: $*" >&2; exit 1; }
runtime_stage() { [ "$stage" != "$first_stage" ]; }
say() { printf '  %s\n' "$*"; }

# Joins continuation lines, drops comments.
mapfile -t lines < <(sed -e '/^\s*#/d' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | sed '/^\s*$/d')
for line in "${lines[@]}"; do
  instruction=${line%% *}
  args=${line#* }
  case "$instruction" in
    FROM)
      node22=$(sed -n 1p .ci/node-versions)
      [[ $args == "node:$node22-"* ]] || fail "FROM $args: expected the base pinned to node:$node22-… (the Node 22 release CI tests, .ci/node-versions)"
      stage=${args##* }
      [ -z "$first_stage" ] && first_stage=$stage
      stage_root[$stage]="$work/stage-$stage"
      mkdir -p "${stage_root[$stage]}"
      workdir="/"
      say "stage $stage ($args)"
      ;;
    WORKDIR)
      workdir=$args
      mkdir -p "${stage_root[$stage]}$workdir"
      ;;
    ARG)
      say "ARG $args"
      name=${args%%=*}
      [ -n "${!name:-}" ] || export "$args"
      ;;
    LABEL)
      say "LABEL $(eval "printf '%s ' $args")(image metadata)"
      ;;
    HEALTHCHECK)
      say "HEALTHCHECK $args"
      healthcheck=${args#*CMD }
      ;;
    ENV)
      say "ENV $args"
      # shellcheck disable=SC2163,SC2086
      export $args
      ;;
    COPY)
      say "COPY $args"
      from="$context"
      if [[ $args == --from=* ]]; then
        from_stage=${args%% *}; from_stage=${from_stage#--from=}
        from=${stage_root[$from_stage]}
        args=${args#* }
      fi
      read -r -a parts <<<"$args"
      dest=${parts[-1]}
      [[ $dest == /* ]] || dest="$workdir/$dest"
      target="${stage_root[$stage]}$dest"
      for source in "${parts[@]:0:${#parts[@]}-1}"; do
        mkdir -p "$(dirname "$target")"
        if [[ $dest == */ ]]; then mkdir -p "$target"; cp -a "$from/${source#/}" "$target"; else cp -a "$from/${source#/}" "$target"; fi
      done
      ;;
    RUN)
      if runtime_stage; then
        say "RUN (system setup, not replayed) $args"
      else
        say "RUN $args"
        (cd "${stage_root[$stage]}$workdir" && bash -euo pipefail -c "$args")
      fi
      ;;
    ENTRYPOINT) entrypoint=$args ;;
    CMD) cmd=$args ;;
    USER)
      [[ $args =~ ^[0-9]+:[0-9]+$ ]] || fail "USER $args: expected a numeric uid:gid (Kubernetes checks runAsNonRoot only on numbers)"
      say "USER $args (image metadata)"
      ;;
    VOLUME) fail "VOLUME $args: an anonymous volume is an empty store on every run (nobody is ever deprovisioned); mount a named volume or use Postgres" ;;
    EXPOSE) say "$instruction $args (image metadata)" ;;
    *) echo "dockerfile-commands: unknown instruction $instruction" >&2; exit 1 ;;
  esac
done

app="${stage_root[$stage]}$workdir"
# ENTRYPOINT ["tini", "--", "node", "dist/cli/main.js"]: run what follows tini's "--".
mapfile -t start < <(node -e 'const a = JSON.parse(process.argv[1]); console.log(a.slice(a.indexOf("--") + 1).join("\n"))' "$entrypoint")
say "image starts: ${start[*]} $(node -e 'console.log(JSON.parse(process.argv[1]).join(" "))' "$cmd")"

for dev in typescript vitest eslint drizzle-kit; do
  [ ! -d "$app/node_modules/$dev" ] || fail "dev dependency $dev is in the runtime image"
done
[ ! -d "$app/src/cli" ] || fail "TypeScript sources are in the runtime image"
[ -z "$(find "${stage_root[$stage]}" -name 'server-key.pem')" ] || fail "the simulator's private key is in the runtime image"
[ "$VERSION" = "$(node -p 'require("./package.json").version')" ] || fail "ARG VERSION=$VERSION differs from package.json's version"

cd "$app"
run_image() { env -i PATH="$PATH" HOME="$work" NODE_ENV=production DATA_DIR="$work/data" "${start[@]}" "$@"; }
[ "$(run_image --version)" = "$VERSION" ] || fail "--version does not print $VERSION"
run_image --help >"$work/help.txt"
grep -q 'worker' "$work/help.txt" || fail "--help does not list the worker command"
say "--version, --help: ok"
run_image migrate
run_image migrate
say "migrate (twice: the second is a no-op): ok"

# Without the simulator's key, `sim graph` and `demo` must refuse in one clear message: no stack trace, exit 2.
for command in "sim graph" "demo"; do
  set +e; run_image $command >"$work/out.txt" 2>"$work/err.txt"; status=$?; set -e
  if [ "$status" -ne 2 ] || grep -qE '^\s+at ' "$work/err.txt" || ! grep -q 'server-key.pem' "$work/err.txt"; then
    cat "$work/err.txt" >&2; fail "$command in the image: expected exit 2 and a message naming server-key.pem, got exit $status"
  fi
  say "$command refuses: $(grep 'server-key.pem' "$work/err.txt" | head -1 | sed 's/^ *//')"
done

# The HEALTHCHECK command, with PID 1's command line played by a file: 0 when /healthz answers 200, 1 on 503 or
# when nothing listens, 0 (nothing to probe) when PID 1 is not the worker.
[ -n "$healthcheck" ] || fail "no HEALTHCHECK"
mapfile -t probe < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$healthcheck")
printf 'tini\0--\0node\0dist/cli/main.js\0worker\0' >"$work/worker-cmdline"
printf 'tini\0--\0node\0dist/cli/main.js\0sync\0' >"$work/sync-cmdline"
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
health() { # health <cmdline file>: runs the probe, prints its exit code
  set +e; env -i PATH="$PATH" HTTP_PORT="$port" "${probe[0]}" "${probe[1]}" "${probe[2]//\/proc\/1\/cmdline/$1}"; echo $?; set -e
}
[ "$(health "$work/worker-cmdline")" = 1 ] || fail "HEALTHCHECK passes while nothing listens on HTTP_PORT"
[ "$(health "$work/sync-cmdline")" = 0 ] || fail "HEALTHCHECK fails a one-shot sync, which has no health port"
for answer in 200 503; do
  node -e 'require("node:http").createServer((q, r) => { r.statusCode = q.url === "/healthz" ? Number(process.argv[2]) : 404; r.end(); }).listen(Number(process.argv[1]), "127.0.0.1")' "$port" "$answer" &
  stub=$!
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  expected=$([ "$answer" = 200 ] && echo 0 || echo 1)
  got=$(health "$work/worker-cmdline")
  kill "$stub"; wait "$stub" 2>/dev/null || true
  [ "$got" = "$expected" ] || fail "HEALTHCHECK exits $got when /healthz answers $answer (expected $expected)"
done
say "HEALTHCHECK: ok (200 healthy; 503, nothing listening unhealthy; a one-shot sync not probed)"
echo "dockerfile-commands: ok ($(du -sh "$app" | cut -f1) runtime image content)"
cd "$repo"
