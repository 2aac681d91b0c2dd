#!/usr/bin/env bash
# Makes sure the system tools and services the tests use are present and
# running, on this machine or a fresh Debian one. Safe to run repeatedly.
set -euo pipefail

need_apt=()
command -v pocketsphinx_continuous >/dev/null || need_apt+=(pocketsphinx)
[ -d /usr/share/pocketsphinx/model/en-us ] || need_apt+=(pocketsphinx-en-us)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
# One ffmpeg/ffprobe release, maintained by Debian; the npm builds are only a fallback.
{ [ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ]; } || need_apt+=(ffmpeg)
command -v psql >/dev/null || need_apt+=(postgresql postgresql-client)
command -v redis-server >/dev/null || need_apt+=(redis-server)
# The web app's browser test drives Debian's Chromium (playwright-core, no downloaded browser).
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing packages: ${need_apt[*]} (run as root or install them)" >&2; exit 1; fi
  echo "installing: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Node: the LTS line in .nvmrc. Debian ships an older Node and nodejs.org may be
# unreachable, so the binary comes from the npm registry's node-linux-<arch>
# package into /opt/node-<major>; .ci/run puts it first on PATH.
node_major=$(cat "$(dirname "$0")/../.nvmrc")
node_dir=/opt/node-$node_major
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" != "$node_major" ] \
   && [ ! -x "$node_dir/bin/node" ]; then
  if [ "$(id -u)" != 0 ]; then echo "Node $node_major is missing (run as root or install it)" >&2; exit 1; fi
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  echo "installing Node $node_major (node-linux-$arch from the npm registry)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$node_major" >/dev/null)
  mkdir -p "$node_dir"
  tar xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$node_dir" --strip-components=1
  rm -rf "$tmp"
  "$node_dir/bin/node" --version
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
# Trust auth on loopback, as on the CI machines; a fresh cluster may use peer/md5.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
  sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/' "$hba"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main reload
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
