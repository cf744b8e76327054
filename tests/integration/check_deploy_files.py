#!/usr/bin/env python3
"""Checks deploy/docker-compose.yml and deploy/Dockerfile against the code.

No Docker engine runs on the test machines, so this reads the files instead
(test_deploy_files.sh runs it and the parts that need the binary):

  compose     MySQL 8 with ROW/FULL binlogs and the init scripts (replication
              user, sample table), Kafka in KRaft mode, Kafdrop on :9000,
              binlog2kafka built from deploy/Dockerfile with its ini mounted
              and its password a secret; the ini's source, brokers and
              password file agree with those services and secrets.
  dockerfile  Debian 12 stages, the build stage's packages provide what
              CMakeLists.txt asks for (pkg-config modules, find_package), the
              runtime stage's packages (with their dependencies) provide every
              library the binary links, a non-root user, the binary and the
              config at their paths, the ENTRYPOINT.

Prints one line per check; exit status 1 if any failed.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

FAILED = 0


def check(ok, what, detail=""):
    global FAILED
    if ok:
        print(f"ok   {what}")
    else:
        FAILED += 1
        print(f"FAIL {what}{': ' + detail if detail else ''}")
    return ok


_SH_CACHE = {}


def sh(*cmd):
    if cmd not in _SH_CACHE:
        r = subprocess.run(cmd, capture_output=True, text=True)
        _SH_CACHE[cmd] = (r.returncode, r.stdout)
    return _SH_CACHE[cmd]


def ini_options(path):
    """The keys and values of the [binlog2kafka] group of a CAF ini file."""
    opts, group = {}, None
    for raw in open(path):
        # Drop a comment: ';' outside a quoted string.
        line, quoted = "", False
        for c in raw:
            if c == '"':
                quoted = not quoted
            elif c == ";" and not quoted:
                break
            line += c
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^\[([^\]]+)\]$", line)
        if m:
            group = m.group(1)
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*)$", line)
        if m and group == "binlog2kafka":
            value = m.group(2).strip()
            if value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
            opts[m.group(1)] = value
    return opts


# -- compose -----------------------------------------------------------------

def check_compose(repo, compose_path):
    base = os.path.dirname(compose_path)
    doc = yaml.safe_load(open(compose_path))
    services = doc.get("services", {})
    for name in ("mysql", "kafka", "kafdrop", "binlog2kafka"):
        check(name in services, f"compose: service {name}")
    secrets = doc.get("secrets", {})
    for name, s in secrets.items():
        path = os.path.join(base, s.get("file", ""))
        check(os.path.isfile(path), f"compose: secret {name} file {s.get('file')} exists")

    mysql = services.get("mysql", {})
    check(str(mysql.get("image", "")).startswith("mysql:8"), "compose: mysql is the official MySQL 8 image",
          str(mysql.get("image")))
    cmd = mysql.get("command", [])
    cmd = shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]
    for flag in ("--binlog-format=ROW", "--binlog-row-metadata=FULL", "--binlog-row-image=FULL"):
        check(flag in cmd, f"compose: mysql runs with {flag}")
    check(any(c.startswith("--log-bin") for c in cmd), "compose: mysql writes a binlog (--log-bin)")
    check(any(c.startswith("--server-id=") for c in cmd), "compose: mysql has a server id")
    init_dir = None
    for v in mysql.get("volumes", []):
        src, _, rest = str(v).partition(":")
        if rest.split(":")[0] == "/docker-entrypoint-initdb.d":
            init_dir = os.path.normpath(os.path.join(base, src))
    check(init_dir is not None and os.path.isdir(init_dir),
          "compose: mysql mounts an init directory at /docker-entrypoint-initdb.d", str(init_dir))
    init_text = ""
    if init_dir and os.path.isdir(init_dir):
        for f in sorted(os.listdir(init_dir)):
            init_text += open(os.path.join(init_dir, f)).read()
    m = re.search(r"CREATE USER (?:IF NOT EXISTS )?'([^']+)'@'%'", init_text)
    init_user = m.group(1) if m else None
    check(init_user is not None, "compose: the init scripts create a replication user")
    check(re.search(r"GRANT[^;]*REPLICATION SLAVE[^;]*REPLICATION CLIENT", init_text) is not None,
          "compose: ... with REPLICATION SLAVE and REPLICATION CLIENT")
    check(re.search(r"CREATE TABLE", init_text) is not None, "compose: the init scripts create a sample table")
    secret_paths = re.findall(r"/run/secrets/([A-Za-z0-9_]+)", init_text)
    check(bool(secret_paths) and all(s in [x if isinstance(x, str) else x.get("source") for x in mysql.get("secrets", [])]
                                     for s in secret_paths),
          "compose: the init scripts read the password from a secret given to mysql", str(secret_paths))

    kafka = services.get("kafka", {})
    env = kafka.get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    check(str(kafka.get("image", "")).startswith("apache/kafka:"), "compose: kafka is the apache/kafka image")
    roles = str(env.get("KAFKA_PROCESS_ROLES", ""))
    check("broker" in roles and "controller" in roles, "compose: kafka runs in KRaft mode (broker,controller)")
    check(not any("ZOOKEEPER" in k for k in env) and "zookeeper" not in services, "compose: no ZooKeeper")
    advertised = [a.split("://", 1)[1] for a in str(env.get("KAFKA_ADVERTISED_LISTENERS", "")).split(",") if "://" in a]

    kafdrop = services.get("kafdrop", {})
    kenv = kafdrop.get("environment", {})
    ports = [str(p) for p in kafdrop.get("ports", [])]
    check(any(p.split(":")[-2:] == ["9000", "9000"] for p in ports), "compose: Kafdrop on :9000", str(ports))
    check(kenv.get("KAFKA_BROKERCONNECT") in advertised, "compose: Kafdrop reads an advertised listener of kafka",
          f"{kenv.get('KAFKA_BROKERCONNECT')} not in {advertised}")

    b2k = services.get("binlog2kafka", {})
    build = b2k.get("build", {})
    context = os.path.normpath(os.path.join(base, build.get("context", ".")))
    check(context == os.path.normpath(repo), "compose: binlog2kafka is built with the repository as context", context)
    check(os.path.normpath(os.path.join(context, build.get("dockerfile", "Dockerfile")))
          == os.path.join(repo, "deploy", "Dockerfile"), "compose: ... from deploy/Dockerfile")
    mounted_ini = None
    for v in b2k.get("volumes", []):
        parts = str(v).split(":")
        if len(parts) >= 2 and parts[1] == "/etc/binlog2kafka/binlog2kafka.ini":
            mounted_ini = os.path.normpath(os.path.join(base, parts[0]))
    check(mounted_ini is not None and os.path.isfile(mounted_ini),
          "compose: binlog2kafka mounts its config at /etc/binlog2kafka/binlog2kafka.ini", str(mounted_ini))
    b2k_env = b2k.get("environment", {}) or {}
    check(not any("PASSWORD" in str(k).upper() for k in (b2k_env if isinstance(b2k_env, dict) else b2k_env)),
          "compose: no password in binlog2kafka's environment (it is a secret)")
    b2k_secrets = [x if isinstance(x, str) else x.get("source") for x in b2k.get("secrets", [])]
    if mounted_ini and os.path.isfile(mounted_ini):
        o = ini_options(mounted_ini)
        pw = o.get("source-password-file", "")
        check(pw.startswith("/run/secrets/") and pw[len("/run/secrets/"):] in b2k_secrets
              and pw[len("/run/secrets/"):] in secrets,
              "compose: the ini's source-password-file is a secret given to binlog2kafka", pw)
        m = re.match(r"mysql://([^@:/]+)@([^:/]+):?(\d*)", o.get("source", ""))
        check(m is not None and m.group(2) == "mysql" and (m.group(3) or "3306") == "3306",
              "compose: the ini's source is the mysql service", o.get("source", ""))
        check(m is not None and m.group(1) == init_user, "compose: ... as the user the init scripts create",
              f"{m.group(1) if m else None} vs {init_user}")
        check(set(o.get("brokers", "").split(",")) <= set(advertised) and o.get("brokers"),
              "compose: the ini's brokers are advertised listeners of kafka", f"{o.get('brokers')} vs {advertised}")
        deps = b2k.get("depends_on", {})
        check("mysql" in deps and "kafka" in deps, "compose: binlog2kafka starts after mysql and kafka")
    return mounted_ini


# -- Dockerfile ----------------------------------------------------------------

def dockerfile_stages(path):
    """[(from, alias, [(instruction, argument)])] with continuation lines joined."""
    text = open(path).read()
    text = re.sub(r"\\\n", " ", text)
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, arg = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            parts = arg.split()
            alias = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append((parts[0], alias, []))
        elif stages:
            stages[-1][2].append((instr, arg.strip()))
    return stages


def apt_packages(instructions):
    pkgs = []
    for instr, arg in instructions:
        if instr != "RUN":
            continue
        for cmd in re.split(r"&&|;", arg):
            words = cmd.split()
            if "apt-get" in words and "install" in words:
                pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def package_of(path):
    """The Debian package that ships a file (usrmerge: try both spellings)."""
    candidates = [path, os.path.realpath(path)]
    for c in list(candidates):
        if c.startswith("/usr/lib/"):
            candidates.append(c[4:])
        elif c.startswith("/lib/"):
            candidates.append("/usr" + c)
    for c in candidates:
        rc, out = sh("dpkg", "-S", c)
        if rc == 0 and out:
            return out.split(":")[0].split(",")[0].strip()
    return None


def depends_closure(pkgs):
    """The packages and everything they depend on (installed packages' Depends)."""
    key = tuple(sorted(pkgs))
    if key not in _CLOSURES:
        _CLOSURES[key] = _depends_closure(pkgs)
    return _CLOSURES[key]


_CLOSURES = {}


def _depends_closure(pkgs):
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        rc, out = sh("dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", p)
        if rc != 0:
            continue
        for dep in out.split(","):
            for alt in dep.split("|"):
                name = alt.strip().split(" ")[0].split(":")[0]
                if name:
                    todo.append(name)
    return seen


def check_dockerfile(repo, dockerfile, binary):
    stages = dockerfile_stages(dockerfile)
    check(len(stages) >= 2, "Dockerfile: multi-stage", f"{len(stages)} stage(s)")
    for image, _, _ in stages:
        check(re.match(r"^debian:12(-slim)?$", image) is not None, f"Dockerfile: FROM {image} is Debian 12")
    if len(stages) < 2:
        return
    build = stages[0]
    runtime = stages[-1]
    build_pkgs, runtime_pkgs = apt_packages(build[2]), apt_packages(runtime[2])
    check(not any(p.endswith("-dev") for p in runtime_pkgs) and "build-essential" not in runtime_pkgs,
          "Dockerfile: no -dev packages or compilers in the runtime stage", str(runtime_pkgs))
    for p in build_pkgs + runtime_pkgs:
        rc, _ = sh("dpkg-query", "-W", p)
        if rc != 0:
            rc, _ = sh("apt-cache", "show", "--no-all-versions", p)
        check(rc == 0, f"Dockerfile: package {p} is a Debian package")

    # The build stage provides what CMakeLists.txt asks for.
    cmake = open(os.path.join(repo, "CMakeLists.txt")).read()
    for module in re.findall(r"pkg_check_modules\(\s*\w+\s+REQUIRED\s+(?:IMPORTED_TARGET\s+)?([\w.+-]+)", cmake):
        rc, pcdir = sh("pkg-config", "--variable=pcfiledir", module)
        pkg = package_of(os.path.join(pcdir.strip(), module + ".pc")) if rc == 0 else None
        check(pkg is not None and (pkg in build_pkgs or pkg in depends_closure(build_pkgs)),
              f"Dockerfile: the build stage has pkg-config module {module} ({pkg})")
    find_package_map = {"CAF": "libcaf-dev", "spdlog": "libspdlog-dev", "ZLIB": "zlib1g-dev",
                        "PkgConfig": "pkg-config", "Threads": "libc6-dev",
                        "OpenSSL": "libssl-dev"}
    for name in re.findall(r"find_package\(\s*(\w+)", cmake):
        pkg = find_package_map.get(name)
        check(pkg is not None and pkg in depends_closure(build_pkgs),
              f"Dockerfile: the build stage has find_package({name}) ({pkg or 'unknown: add it to the map here'})")
    for tool in ("cmake", "ninja-build", "pkg-config", "build-essential"):
        check(tool in build_pkgs, f"Dockerfile: the build stage installs {tool}")

    # The runtime stage provides every library the binary links.
    rc, out = sh("ldd", binary)
    check(rc == 0, f"ldd {binary}")
    closure = depends_closure(runtime_pkgs)
    base = {"libc6", "libgcc-s1"}  # in every Debian image
    sanitizers = {"libasan8", "libubsan1", "liblsan0", "libtsan2"}  # only in -DB2K_SANITIZE builds
    for lib, path in re.findall(r"^\s*(\S+) => (/\S+)", out, re.M):
        pkg = package_of(path)
        if pkg in sanitizers:
            continue
        check(pkg is not None and (pkg in closure or pkg in base),
              f"Dockerfile: the runtime stage provides {lib} ({pkg})")

    # User, paths, entrypoint.
    instr = runtime[2]
    users = [a for i, a in instr if i == "USER"]
    check(bool(users) and users[-1].split(":")[0] not in ("0", "root"), "Dockerfile: runs as a non-root user",
          str(users))
    copies = [a for i, a in instr if i == "COPY"]
    check(any(a.startswith("--from=") and a.split()[-1] == "/usr/local/bin/binlog2kafka" for a in copies),
          "Dockerfile: the binary at /usr/local/bin/binlog2kafka")
    config_src = [a.split()[0] for a in copies if not a.startswith("--from=")
                  and a.split()[-1] == "/etc/binlog2kafka/binlog2kafka.ini"]
    check(bool(config_src) and os.path.isfile(os.path.join(repo, config_src[0])),
          "Dockerfile: a config at /etc/binlog2kafka/binlog2kafka.ini", str(config_src))
    entry = [a for i, a in instr if i == "ENTRYPOINT"]
    try:
        entry_value = json.loads(entry[-1]) if entry else None
    except ValueError:
        entry_value = entry[-1]
    check(entry_value == ["binlog2kafka", "run", "--config-file=/etc/binlog2kafka/binlog2kafka.ini"],
          "Dockerfile: ENTRYPOINT runs binlog2kafka with /etc/binlog2kafka/binlog2kafka.ini", str(entry_value))
    built = [a for i, a in build[2] if i == "RUN" and "cmake" in a]
    check(any("-DBUILD_TESTING=OFF" in a and "binlog2kafka" in a for a in built),
          "Dockerfile: builds only the binary (BUILD_TESTING=OFF)")
    return config_src[0] if config_src else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    mounted = check_compose(repo, os.path.join(repo, "deploy", "docker-compose.yml"))
    image_ini = check_dockerfile(repo, os.path.join(repo, "deploy", "Dockerfile"), args.binary)
    # For the shell part: the ini files to parse with the binary.
    with open(os.environ.get("CHECK_DEPLOY_INIS", "/dev/null"), "w") as f:
        for p in {mounted, os.path.join(repo, image_ini) if image_ini else None} - {None}:
            f.write(p + "\n")
    print(f"check_deploy_files: {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
