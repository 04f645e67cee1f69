#!/usr/bin/env bash
# Checks, and installs where this machine can, what `npm run test:e2e` needs:
#   - Node.js >= 20 and the npm dependencies (npm ci when node_modules is incomplete);
#   - Terraform >= 1.11 on PATH (the S3 backend's use_lockfile; ephemeral resources and write-only arguments);
#   - the hashicorp/aws provider: the offline mirror /opt/tf-plugins (or $ZENML_TF_PLUGIN_MIRROR),
#     else Terraform needs registry.terraform.io;
#   - python3 with moto[server] 5.x and boto3 (pip install "moto[server]==5.2.1" when missing);
#   - for the migration-lock test: MariaDB server, Debian's python3 with pymysql, and openssl
#     (apt-get install mariadb-server python3-pymysql openssl when missing);
#   - for the real-server scenario (e2e/zenml-server.test.ts): bubblewrap (apt) and, per pinned release
#     e2e/requirements-zenml-<v>.txt, a project-local venv .venv-e2e/zenml-<v> (git-ignored) with exactly
#     those pins (python3 -m venv; pip install --no-deps -r; pip check).
# Exits non-zero with one line per missing piece and how to get it.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=0
say() { echo "e2e-prereqs: $*"; }
problem() {
  echo "e2e-prereqs: MISSING: $*" >&2
  missing=1
}

# --- Node.js and npm dependencies
if ! command -v node >/dev/null 2>&1; then
  problem "node is not on PATH: install Node.js >= 20"
else
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$node_major" -lt 20 ]; then problem "Node.js $(node --version) is too old: install Node.js >= 20"; else say "node $(node --version)"; fi
  if [ ! -x node_modules/.bin/jest ] || [ ! -x node_modules/.bin/cdktf ] || [ ! -d node_modules/@cdktf/provider-aws ]; then
    say "node_modules incomplete: npm ci"
    npm ci --no-audit --no-fund || problem "npm ci failed (the npm registry must be reachable)"
  fi
fi

# --- Terraform >= 1.11
if ! command -v terraform >/dev/null 2>&1; then
  problem "terraform is not on PATH: install Terraform >= 1.10 from HashiCorp (https://developer.hashicorp.com/terraform/install: the release zip, or HashiCorp's apt repository; Debian's archive has no Terraform)"
else
  tf_version="$(terraform version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null || terraform version | head -1 | sed -E 's/^Terraform v//')"
  tf_major="${tf_version%%.*}"
  tf_minor="$(echo "$tf_version" | cut -d. -f2)"
  if [ "$tf_major" -lt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -lt 11 ]; }; then
    problem "terraform $tf_version is too old: the stacks need Terraform >= 1.11 (write-only secret_string_wo)"
  else
    say "terraform $tf_version"
  fi
fi

# --- hashicorp/aws provider (offline mirror or registry)
mirror="${ZENML_TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
aws_version="$(node -p 'require("./node_modules/@cdktf/provider-aws/package.json").cdktf.provider.version' 2>/dev/null || echo "")"
if [ -n "$aws_version" ] && [ -d "$mirror/registry.terraform.io/hashicorp/aws/$aws_version" ]; then
  say "provider mirror $mirror has hashicorp/aws $aws_version"
elif [ -d "$mirror" ]; then
  problem "provider mirror $mirror has no hashicorp/aws ${aws_version:-?}: add it with \`terraform providers mirror $mirror\` on a machine with registry access"
else
  say "no provider mirror at $mirror: terraform init will download hashicorp/aws ${aws_version:-?} from registry.terraform.io (create a mirror with \`terraform providers mirror <dir>\` and set ZENML_TF_PLUGIN_MIRROR for offline runs)"
fi

# --- python3 with moto[server] and boto3
moto_check='import moto, boto3, flask, flask_cors, werkzeug, cryptography; print(moto.__version__)'
if ! command -v python3 >/dev/null 2>&1; then
  problem "python3 is not on PATH: install python3 and pip, then pip install \"moto[server]==5.2.1\""
else
  if ! moto_version="$(python3 -c "$moto_check" 2>/dev/null)"; then
    say "python3 has no moto[server]: pip install \"moto[server]==5.2.1\""
    pip_install() { python3 -m pip install --disable-pip-version-check "$@" "moto[server]==5.2.1" >/tmp/e2e-prereqs-pip.log 2>&1; }
    installed=1
    if ! pip_install; then
      installed=0
      # A distribution's python3 (PEP 668) refuses pip installs unless told otherwise.
      if grep -q "externally-managed-environment" /tmp/e2e-prereqs-pip.log && pip_install --break-system-packages; then installed=1; fi
    fi
    if [ "$installed" -eq 1 ]; then
      moto_version="$(python3 -c "$moto_check" 2>/dev/null || true)"
    else
      if grep -qiE "network|resolve|connection|Could not find a version|No matching distribution|Max retries" /tmp/e2e-prereqs-pip.log; then
        problem "pip install \"moto[server]==5.2.1\" failed: PyPI is unreachable from this machine (log /tmp/e2e-prereqs-pip.log); install moto[server] 5.2.1 into this python3 another way"
      else
        problem "pip install \"moto[server]==5.2.1\" failed (log /tmp/e2e-prereqs-pip.log)"
      fi
      moto_version=""
    fi
  fi
  if [ -n "${moto_version:-}" ]; then
    case "$moto_version" in
      5.*) say "moto $moto_version ($(command -v python3))" ;;
      *) problem "moto $moto_version found; the suite is measured with moto 5.2: pip install \"moto[server]==5.2.1\"" ;;
    esac
  elif [ "$missing" -eq 0 ]; then
    problem "moto[server] is still not importable by python3 after pip install"
  fi
fi

# --- MariaDB, pymysql and openssl for e2e/migration-lock.test.ts (the migration container's program)
lock_python="${E2E_PYMYSQL_PYTHON:-/usr/bin/python3}"
lock_ready() { [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && "$lock_python" -c 'import pymysql' >/dev/null 2>&1; }
if ! lock_ready; then
  say "installing mariadb-server python3-pymysql openssl (apt) for the migration-lock test"
  if command -v apt-get >/dev/null 2>&1; then
    { [ "$(id -u)" -eq 0 ] && apt-get install -y -q mariadb-server python3-pymysql openssl || sudo apt-get install -y -q mariadb-server python3-pymysql openssl; } >/tmp/e2e-prereqs-apt.log 2>&1 \
      || { [ "$(id -u)" -eq 0 ] && apt-get update -q >/dev/null 2>&1 && apt-get install -y -q mariadb-server python3-pymysql openssl >>/tmp/e2e-prereqs-apt.log 2>&1; } || true
  fi
  lock_ready || problem "the migration-lock test needs /usr/sbin/mariadbd, mariadb-install-db, openssl and $lock_python with pymysql: apt-get install mariadb-server python3-pymysql openssl (log /tmp/e2e-prereqs-apt.log)"
fi
lock_ready && say "mariadb $(/usr/sbin/mariadbd --version | awk '{print $3}'), pymysql $("$lock_python" -c 'import pymysql; print(pymysql.__version__)')"

# --- bubblewrap and the pinned zenml[server] venvs for e2e/zenml-server.test.ts
if ! command -v bwrap >/dev/null 2>&1; then
  say "installing bubblewrap (apt) for the real-server scenario"
  if command -v apt-get >/dev/null 2>&1; then
    { [ "$(id -u)" -eq 0 ] && apt-get install -y -q bubblewrap || sudo apt-get install -y -q bubblewrap; } >>/tmp/e2e-prereqs-apt.log 2>&1 || true
  fi
fi
if ! bwrap --ro-bind / / --unshare-user --uid 1000 true >/dev/null 2>&1; then
  problem "the real-server scenario needs bubblewrap with user namespaces: apt-get install bubblewrap (and kernel.unprivileged_userns_clone=1 if not root) (log /tmp/e2e-prereqs-apt.log)"
fi
for req in e2e/requirements-zenml-*.txt; do
  v="${req#e2e/requirements-zenml-}"; v="${v%.txt}"
  venv=".venv-e2e/zenml-$v"
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import zenml, uvicorn, pymysql; assert zenml.__version__ == '$v'" >/dev/null 2>&1 \
    && cmp -s "$req" "$venv/.requirements.txt"; then
    say "zenml[server] $v in $venv"
    continue
  fi
  say "creating $venv from $req (pip, PyPI)"
  rm -rf "$venv"
  log="/tmp/e2e-prereqs-zenml-$v.log"
  if python3 -m venv "$venv" >"$log" 2>&1 \
    && "$venv/bin/pip" install --disable-pip-version-check -q --no-deps -r "$req" >>"$log" 2>&1 \
    && "$venv/bin/pip" check >>"$log" 2>&1; then
    cp "$req" "$venv/.requirements.txt"
    say "zenml[server] $v in $venv"
  else
    rm -rf "$venv"
    if grep -qiE "network|resolve|connection|Max retries|No matching distribution" "$log"; then
      problem "pip install -r $req failed: PyPI is unreachable from this machine (log $log)"
    else
      problem "pip install -r $req failed (log $log)"
    fi
  fi
done

if [ "$missing" -ne 0 ]; then
  echo "e2e-prereqs: not ready for npm run test:e2e (see MISSING above)" >&2
  exit 1
fi
say "ready: npm run test:e2e"
