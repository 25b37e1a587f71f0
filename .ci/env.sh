# Shared set-up for the run and test commands: install what is missing and, when no
# DATABASE_URL is given, start a private PostgreSQL+PostGIS cluster that belongs to this
# checkout alone (own data folder, own port, loopback only). Sourced, not executed.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { if [ -t 2 ]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 && return 0
  say "no cargo found: installing Debian's Rust toolchain"
  apt_install cargo rustc
}

# A cargo subcommand (cargo-NAME) at a pinned version, built from crates.io when missing
# or at another version; kept in ~/.cargo/bin for the next run.
cargo_tool() {
  local crate=$1 version=$2
  if cargo "${crate#cargo-}" --version 2>/dev/null | grep -q " $version$"; then return 0; fi
  say "installing $crate $version from crates.io (a few minutes, once)"
  cargo install --locked --quiet "$crate" --version "$version"
}

# The newest PostgreSQL major installed (after installing Debian's default one if none is).
pg_bin() {
  if [ ! -d /usr/lib/postgresql ] || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
  fi
  local major
  major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  apt_install "postgresql-$major-postgis-3" "postgresql-$major-postgis-3-scripts"
  echo "/usr/lib/postgresql/$major/bin"
}

# Each checkout gets its own port and data folder, so a clone for CI never meets the
# developer's cluster. initdb refuses to run as root, so root runs it as `postgres`,
# with the data under /var/tmp (a mktemp checkout is not readable by other users).
start_private_cluster() {
  local bin key port data owner
  bin=$(pg_bin)
  key=$(printf '%s' "$top" | cksum | cut -d' ' -f1)
  port=${SIMLONTAR_PG_PORT:-$((55000 + key % 4000))}
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    data=${SIMLONTAR_PG_DATA:-/var/tmp/simlontar-pg-$key}
  else
    owner=$(id -un)
    data=${SIMLONTAR_PG_DATA:-$top/.data/pg}
  fi
  # From /, since the postgres user may not be allowed into the checkout.
  run_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating private PostgreSQL cluster in $data (port $port)"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown "$owner" "$data"
    chmod 700 "$data"
    run_pg "$bin/initdb" -D "$data" -U simlontar --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
fsync = on
timezone = 'UTC'
CONF
  fi
  if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "starting private PostgreSQL on 127.0.0.1:$port"
    run_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
  fi
  export SIMLONTAR_PG_BIN=$bin SIMLONTAR_PG_DATA_DIR=$data SIMLONTAR_PG_PORT=$port
  export DATABASE_URL="postgres://simlontar@127.0.0.1:$port/${SIMLONTAR_DB:-simlontar}"
  local db=${SIMLONTAR_DB:-simlontar}
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U simlontar -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U simlontar "$db"
  fi
}

prepare_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
  else
    start_private_cluster
  fi
}
