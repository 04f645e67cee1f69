#!/usr/bin/env python3
"""Read the runtime contract of ZenML release wheels (`npm run zenml-contract`).

usage: read_wheel.py WHEEL...   prints a JSON array, one object per wheel, on stdout

Each wheel is read as a zip archive and its Python sources are parsed with `ast`; nothing in the
wheel is imported or executed, and only the standard library is used. What is read, and from where
(paths inside the wheel, which mirror zenml-io/zenml's `src/`):

- `zenml/zen_stores/sql_zen_store.py`: `SqlZenStoreConfiguration`'s fields (with the base
  `StoreConfiguration`'s from `zenml/config/store_config.py`), its `model_config` `extra`, the
  `backup_strategy` default, how `ssl_ca` is taken (the validator that writes a value that is not a
  file to `<local stores path>/certificates/<key>.pem`) and whether `get_sqlalchemy_config` applies
  the TLS arguments only `if self.ssl:`;
- `zenml/logger.py`: whether `get_logging_level()` upper-cases `ZENML_LOGGING_VERBOSITY` and accepts only
  `LoggingLevels` member names;
- `zenml/enums.py`: the members of `LoggingLevels` and the values of `DatabaseBackupStrategy`;
- `zenml/config/server_config.py`: `ServerProConfiguration`'s fields (required or not) and `extra`,
  and whether `ServerConfiguration` has a `port` field;
- every `zenml/**/*.py`: which files contain the text `ZENML_SERVER_PORT`;
- whether a Helm chart (`Chart.yaml`) or a Dockerfile ships in the wheel (the server command lives there).

A wheel whose sources do not have one of these shapes fails the run with the wheel and what was
missing: the contract is never guessed.
"""
import ast
import hashlib
import json
import re
import sys
import zipfile


class ReadError(Exception):
    """A wheel without the expected source shape."""


def source(wheel: zipfile.ZipFile, path: str) -> ast.Module:
    try:
        return ast.parse(wheel.read(path).decode("utf-8"), filename=path)
    except KeyError:
        raise ReadError(f"{path} is not in the wheel")


def find_class(module: ast.Module, name: str, path: str) -> ast.ClassDef:
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise ReadError(f"class {name} is not in {path}")


def fields(cls: ast.ClassDef) -> list:
    """Annotated class attributes (pydantic fields), in order; ClassVar annotations are not fields."""
    out = []
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            annotation = ast.unparse(node.annotation)
            if annotation.startswith("ClassVar"):
                continue
            out.append({
                "name": node.target.id,
                "type": annotation,
                "required": node.value is None,
                "default": None if node.value is None else ast.unparse(node.value),
            })
    return out


def model_extra(cls: ast.ClassDef):
    """`extra` of `model_config = ConfigDict(...)` (pydantic v2) or of an inner `class Config` (v1)."""
    for node in cls.body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "model_config" for t in node.targets)
                and isinstance(node.value, ast.Call)):
            for kw in node.value.keywords:
                if kw.arg == "extra":
                    return literal_or_enum(kw.value)
            return None
        if isinstance(node, ast.ClassDef) and node.name == "Config":
            for inner in node.body:
                if isinstance(inner, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "extra" for t in inner.targets):
                    return literal_or_enum(inner.value)
    return None


def literal_or_enum(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute):  # Extra.forbid
        return node.attr
    return ast.unparse(node)


def enum_members(cls: ast.ClassDef) -> list:
    """(name, value source) of an Enum class body's plain assignments."""
    out = []
    for node in cls.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value.value if isinstance(node.value, ast.Constant) else ast.unparse(node.value)
            out.append((node.targets[0].id, value))
    return out


def ssl_ca_handling(cls: ast.ClassDef) -> dict:
    """How `ssl_ca` is taken: the validator loop that writes a value that is not a file to a .pem file."""
    for fn in cls.body:
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for loop in ast.walk(fn):
            if not (isinstance(loop, ast.For) and isinstance(loop.iter, (ast.List, ast.Tuple))):
                continue
            keys = [e.value for e in loop.iter.elts if isinstance(e, ast.Constant)]
            if "ssl_ca" not in keys:
                continue
            body = ast.Module(body=loop.body, type_ignores=[])
            calls = [ast.unparse(c.func) for c in ast.walk(body) if isinstance(c, ast.Call)]
            opens = [c for c in ast.walk(body) if isinstance(c, ast.Call) and ast.unparse(c.func) == "os.open"]
            if "os.path.isfile" not in calls or not opens:
                continue
            mode_node = next((k.value for k in opens[0].keywords if k.arg == "mode"), None)
            mode = oct(mode_node.value) if isinstance(mode_node, ast.Constant) and isinstance(mode_node.value, int) else None
            pem_names = [ast.unparse(n) for n in ast.walk(body) if isinstance(n, ast.JoinedStr)]
            folder = None
            for c in ast.walk(fn):
                if (isinstance(c, ast.Call) and ast.unparse(c.func) == "Path"
                        and any(isinstance(a, ast.Constant) and a.value == "certificates" for a in c.args)):
                    folder = "/".join(a.value if isinstance(a, ast.Constant) else f"<{ast.unparse(a)}>" for a in c.args)
            file_name = next((p for p in pem_names if ".pem" in p), None)
            written = None
            if folder and file_name:
                written = f"{folder}/" + re.sub(r"^f['\"]\{key\}(.*)['\"]$", r"ssl_ca\1", file_name)
            return {
                "takes": "pem-or-path",
                "validator": fn.name,
                "writtenTo": written,
                "fileMode": mode,
                "keys": keys,
            }
    return {"takes": "path", "validator": None, "writtenTo": None, "fileMode": None, "keys": []}


def tls_only_if_ssl(cls: ast.ClassDef) -> bool:
    """`get_sqlalchemy_config` builds the TLS arguments inside `if self.ssl:`."""
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef) and fn.name == "get_sqlalchemy_config":
            for node in ast.walk(fn):
                if isinstance(node, ast.If) and ast.unparse(node.test) == "self.ssl":
                    inner = ast.unparse(ast.Module(body=node.body, type_ignores=[]))
                    if "ssl_ca" in inner:
                        return True
            return False
    raise ReadError("SqlZenStoreConfiguration.get_sqlalchemy_config is not in zenml/zen_stores/sql_zen_store.py")


def verbosity_check(module: ast.Module) -> dict:
    """`get_logging_level()`: upper-cases the variable and accepts only `LoggingLevels` member names."""
    for fn in module.body:
        if isinstance(fn, ast.FunctionDef) and fn.name == "get_logging_level":
            text = ast.unparse(fn)
            return {"upperCases": ".upper()" in text, "acceptsMemberNamesOnly": "LoggingLevels.__members__" in text}
    raise ReadError("get_logging_level is not in zenml/logger.py")


def read(path: str) -> dict:
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        metadata = next((n for n in names if re.match(r"^zenml-[^/]+\.dist-info/METADATA$", n)), None)
        if not metadata:
            raise ReadError("no zenml-*.dist-info/METADATA")
        version = re.search(r"^Version: (\S+)$", wheel.read(metadata).decode("utf-8"), re.M).group(1)

        store_path = "zenml/zen_stores/sql_zen_store.py"
        store = find_class(source(wheel, store_path), "SqlZenStoreConfiguration", store_path)
        base_path = "zenml/config/store_config.py"
        base = find_class(source(wheel, base_path), "StoreConfiguration", base_path)
        own = fields(store)
        own_names = {f["name"] for f in own}
        store_fields = [f for f in fields(base) if f["name"] not in own_names] + own
        backup = next((f for f in store_fields if f["name"] == "backup_strategy"), None)

        enums_path = "zenml/enums.py"
        enums = source(wheel, enums_path)
        levels = [name for name, _ in enum_members(find_class(enums, "LoggingLevels", enums_path))]
        strategies = [value for _, value in enum_members(find_class(enums, "DatabaseBackupStrategy", enums_path))]

        logger = verbosity_check(source(wheel, "zenml/logger.py"))

        server_path = "zenml/config/server_config.py"
        server = source(wheel, server_path)
        pro = find_class(server, "ServerProConfiguration", server_path)
        server_fields = [f["name"] for f in fields(find_class(server, "ServerConfiguration", server_path))]

        port_readers = sorted(
            n for n in names
            if n.startswith("zenml/") and n.endswith(".py") and b"ZENML_SERVER_PORT" in wheel.read(n)
        )
        charts = sorted(n for n in names if n.endswith("/Chart.yaml"))
        dockerfiles = sorted(n for n in names if re.search(r"(^|/)[^/]*Dockerfile[^/]*$", n))

    backup_default = None
    if backup and backup["default"]:
        member = backup["default"].split(".")[-1]
        backup_default = dict(enum_members(find_class(enums, "DatabaseBackupStrategy", enums_path))).get(member, backup["default"])
    return {
        "version": version,
        "wheel": path.rsplit("/", 1)[-1],
        "sha256": digest,
        "store": {
            "fields": [f["name"] for f in store_fields],
            "extra": model_extra(store),
            "sslField": "ssl" in {f["name"] for f in store_fields},
            "tlsOnlyIfSsl": tls_only_if_ssl(store),
            "sslCa": ssl_ca_handling(store),
            "backupStrategyDefault": backup_default,
        },
        "loggingLevels": levels,
        "verbosity": logger,
        "backupStrategies": strategies if backup else [],
        "pro": {
            "required": [f["name"] for f in fields(pro) if f["required"]],
            "optional": [f["name"] for f in fields(pro) if not f["required"]],
            "extra": model_extra(pro),
        },
        "serverPort": {
            "filesWithZenmlServerPort": port_readers,
            "serverConfigurationHasPortField": "port" in server_fields,
        },
        "serverCommandInWheel": {"helmCharts": charts, "dockerfiles": dockerfiles},
    }


def main(argv: list) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = []
    for path in argv:
        try:
            out.append(read(path))
        except (ReadError, zipfile.BadZipFile, OSError, SyntaxError) as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 1
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
