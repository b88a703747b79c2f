#!/usr/bin/env bash
# Replays the Dockerfile outside Docker (no Docker engine in CI): each stage gets its own root directory in a
# temporary folder; COPY, WORKDIR, ENV and the build stage's RUN lines run as written, the runtime stage's RUN lines
# (apt-get, chown: system setup) are only printed. Then the image is started as its ENTRYPOINT would start it (without
# tini): `--help`, and `migrate` against a temporary DATA_DIR. Fails when a step fails or a dev dependency survives.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The build context as .dockerignore leaves it (patterns anchored at the context root, as Docker reads them).
context="$work/context"
mkdir -p "$context"
tar --create --file - --anchored --exclude-from=<(grep -v '^#' .dockerignore | sed '/^$/d') -- * .[!.]* | tar --extract --file - --directory "$context"

stage="" ; first_stage="" ; workdir="/" ; declare -A stage_root
runtime_stage() { [ "$stage" != "$first_stage" ]; }
say() { printf '  %s\n' "$*"; }

# Joins continuation lines, drops comments.
mapfile -t lines < <(sed -e '/^\s*#/d' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | sed '/^\s*$/d')
for line in "${lines[@]}"; do
  instruction=${line%% *}
  args=${line#* }
  case "$instruction" in
    FROM)
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
    USER | VOLUME | EXPOSE) say "$instruction $args (image metadata)" ;;
    *) echo "dockerfile-commands: unknown instruction $instruction" >&2; exit 1 ;;
  esac
done

app="${stage_root[$stage]}$workdir"
# ENTRYPOINT ["tini", "--", "node", "dist/cli/main.js"]: run what follows tini's "--".
mapfile -t start < <(node -e 'const a = JSON.parse(process.argv[1]); console.log(a.slice(a.indexOf("--") + 1).join("\n"))' "$entrypoint")
say "image starts: ${start[*]} $(node -e 'console.log(JSON.parse(process.argv[1]).join(" "))' "$cmd")"

for dev in typescript vitest eslint drizzle-kit; do
  if [ -d "$app/node_modules/$dev" ]; then echo "dockerfile-commands: dev dependency $dev is in the runtime image" >&2; exit 1; fi
done
[ ! -d "$app/src/cli" ] || { echo "dockerfile-commands: TypeScript sources are in the runtime image" >&2; exit 1; }

cd "$app"
env -i PATH="$PATH" HOME="$work" NODE_ENV=production "${start[@]}" --help >"$work/help.txt"
grep -q 'worker' "$work/help.txt" || { echo "dockerfile-commands: --help does not list the worker command" >&2; exit 1; }
say "--help: ok"
env -i PATH="$PATH" HOME="$work" NODE_ENV=production DATA_DIR="$work/data" "${start[@]}" migrate
env -i PATH="$PATH" HOME="$work" NODE_ENV=production DATA_DIR="$work/data" "${start[@]}" migrate
say "migrate (twice: the second is a no-op): ok"
echo "dockerfile-commands: ok ($(du -sh "$app" | cut -f1) runtime image content)"
cd "$repo"
