/**
 * The wheel reader of `npm run zenml-contract` (scripts/zenml-contract/read_wheel.py) on synthetic
 * wheels shaped like ZenML's sources: it reads what the table needs from the sources (never imports
 * them), records the file name and sha256, and fails naming the wheel when a shape is missing. No
 * network; needs python3 (the machine's, as .ci/run provides it).
 */
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { spawnSync } from "child_process";
import { READER, rowContract, WheelEvidence, wheelRows } from "../scripts/zenml-contract/table";
import { ROOT, tempDir } from "./helpers";

const STORE_BASE = `
class StoreConfiguration(BaseModel):
    type: StoreType
    url: str
    secrets_store: Optional[SecretsStoreConfiguration] = None
    model_config = ConfigDict(extra="allow")
`;

const store = (extra: string, sslGuard: string) => `
import os
class SqlZenStoreConfiguration(StoreConfiguration):
    SUPPORTED: ClassVar[int] = 1
    type: StoreType = StoreType.SQL
    database: Optional[str] = None
    ssl: bool = False
    ssl_ca: Optional[PlainSerializedSecretStr] = None
    backup_strategy: DatabaseBackupStrategy = DatabaseBackupStrategy.IN_MEMORY

    @model_validator(mode="after")
    def _validate_url(self):
        secret_folder = Path(GlobalConfiguration().local_stores_path, "certificates")
        for key in ["ssl_key", "ssl_ca", "ssl_cert"]:
            content = getattr(self, key)
            if content and not os.path.isfile(content.get_secret_value()):
                file_path = Path(secret_folder, f"{key}.pem")
                with os.fdopen(os.open(file_path, flags=os.O_RDWR | os.O_CREAT, mode=0o600), "w") as f:
                    f.write(content.get_secret_value())
        return self

    def get_sqlalchemy_config(self):
        args = {}
        if ${sslGuard}:
            for key in ["ssl_key", "ssl_ca", "ssl_cert"]:
                args[key] = getattr(self, key)
        return args

    model_config = ConfigDict(validate_assignment=False, extra="${extra}")
`;

const ENUMS = `
class LoggingLevels(Enum):
    NOTSET = logging.NOTSET
    ERROR = logging.ERROR
    WARN = logging.WARN
    WARNING = logging.WARNING
    INFO = logging.INFO
    DEBUG = logging.DEBUG
    CRITICAL = logging.CRITICAL

class DatabaseBackupStrategy(StrEnum):
    DISABLED = "disabled"
    IN_MEMORY = "in-memory"
    DUMP_FILE = "dump-file"
    DATABASE = "database"
`;

const LOGGER = `
def get_logging_level():
    verbosity = ZENML_LOGGING_VERBOSITY.upper()
    if verbosity not in LoggingLevels.__members__:
        raise KeyError("Verbosity must be one of")
    return LoggingLevels[verbosity]
`;

const SERVER = `
class ServerConfiguration(BaseModel):
    deployment_type: ServerDeploymentType = ServerDeploymentType.OTHER
    server_url: Optional[str] = None
    model_config = ConfigDict(extra="allow")

class ServerProConfiguration(BaseModel):
    api_url: str
    oauth2_client_secret: str
    organization_id: UUID
    workspace_id: UUID
    workspace_name: Optional[str] = None
    model_config = ConfigDict(extra="allow")
`;

/** Writes a wheel (a zip, through python3's zipfile) of `files` and returns its path. */
function wheel(dir: string, version: string, files: Record<string, string>): string {
  const file = path.join(dir, `zenml-${version}-py3-none-any.whl`);
  const all = { [`zenml-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: zenml\nVersion: ${version}\n`, ...files };
  const r = spawnSync("python3", ["-c", "import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n    [z.writestr(k, v) for k, v in json.load(sys.stdin).items()]", file], { input: JSON.stringify(all), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 could not write ${file}: ${r.error?.message ?? r.stderr}`);
  return file;
}

const sources = (over: Record<string, string> = {}) => ({
  "zenml/config/store_config.py": STORE_BASE,
  "zenml/zen_stores/sql_zen_store.py": store("ignore", "self.ssl"),
  "zenml/enums.py": ENUMS,
  "zenml/logger.py": LOGGER,
  "zenml/config/server_config.py": SERVER,
  "zenml/cli/server.py": "PORT = 8237\n",
  ...over,
});

function read(...wheels: string[]): { status: number | null; out: WheelEvidence[]; err: string } {
  const r = spawnSync("python3", [path.join(ROOT, READER), ...wheels], { encoding: "utf8" });
  return { status: r.status, out: r.status === 0 ? JSON.parse(r.stdout) : [], err: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = tempDir("zenml-contract-");
});

test("reads fields, extra, levels, strategies, the ssl_ca handling and the Pro identity from the sources, with the wheel's sha256", () => {
  const file = wheel(dir, "9.9.0", sources());
  const { status, out, err } = read(file);
  expect({ status, err }).toEqual({ status: 0, err: "" });
  const [e] = out;
  expect(e.version).toBe("9.9.0");
  expect(e.wheel).toBe("zenml-9.9.0-py3-none-any.whl");
  expect(e.sha256).toBe(createHash("sha256").update(fs.readFileSync(file)).digest("hex"));
  // Base fields first, the subclass's override of `type` once; ClassVar is no field.
  expect(e.store.fields).toEqual(["url", "secrets_store", "type", "database", "ssl", "ssl_ca", "backup_strategy"]);
  expect(e.store).toMatchObject({ extra: "ignore", sslField: true, tlsOnlyIfSsl: true, backupStrategyDefault: "in-memory" });
  expect(e.store.sslCa).toEqual({
    takes: "pem-or-path",
    validator: "_validate_url",
    writtenTo: "<GlobalConfiguration().local_stores_path>/certificates/ssl_ca.pem",
    fileMode: "0o600",
    keys: ["ssl_key", "ssl_ca", "ssl_cert"],
  });
  expect(e.loggingLevels).toEqual(["NOTSET", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "CRITICAL"]);
  expect(e.verbosity).toEqual({ upperCases: true, acceptsMemberNamesOnly: true });
  expect(e.backupStrategies).toEqual(["disabled", "in-memory", "dump-file", "database"]);
  expect(e.pro).toEqual({ required: ["api_url", "oauth2_client_secret", "organization_id", "workspace_id"], optional: ["workspace_name"], extra: "allow" });
  expect(e.serverPort).toEqual({ filesWithZenmlServerPort: [], serverConfigurationHasPortField: false });
  expect(rowContract(e)).toEqual({
    storeSslField: true,
    storeExtra: "ignore",
    loggingLevels: ["CRITICAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"],
    backupStrategies: ["disabled", "in-memory", "dump-file", "database"],
    proIdentity: "workspace",
  });
});

test("what differs between releases is read as it is: forbid, TLS not guarded by ssl, a ZENML_SERVER_PORT reader; a changed release starts a row", () => {
  const a = wheel(dir, "9.9.1", sources({ "zenml/zen_stores/sql_zen_store.py": store("forbid", "self.ssl_ca") }));
  const b = wheel(dir, "9.9.2", sources({ "zenml/zen_stores/sql_zen_store.py": store("forbid", "self.ssl_ca"), "zenml/cli/server.py": 'PORT = os.getenv("ZENML_SERVER_PORT")\n' }));
  const c = wheel(dir, "9.9.3", sources());
  const { status, out } = read(a, b, c);
  expect(status).toBe(0);
  expect(out[0].store).toMatchObject({ extra: "forbid", tlsOnlyIfSsl: false });
  expect(out[1].serverPort.filesWithZenmlServerPort).toEqual(["zenml/cli/server.py"]);
  const rows = wheelRows(out);
  expect(rows.map((r) => [r.from, r.through, r.storeExtra])).toEqual([["9.9.1", "9.9.2", "forbid"], ["9.9.3", "9.9.3", "ignore"]]);
  expect(rows[0].evidence).toContain("zenml-9.9.1-py3-none-any.whl, zenml-9.9.2-py3-none-any.whl");
});

test("a wheel without one of the shapes fails, naming the wheel and what is missing; nothing is guessed", () => {
  const noEnum = wheel(dir, "9.9.4", sources({ "zenml/enums.py": ENUMS.replace("class LoggingLevels(Enum):", "class Levels(Enum):") }));
  const r = read(noEnum);
  expect(r.status).toBe(1);
  expect(r.err).toContain(`${noEnum}: class LoggingLevels is not in zenml/enums.py`);
  const noStore = wheel(dir, "9.9.5", { "zenml/enums.py": ENUMS });
  expect(read(noStore).err).toContain("zenml/zen_stores/sql_zen_store.py is not in the wheel");
});

test("a level or strategy the table does not know stops the generator with what to do", () => {
  const file = wheel(dir, "9.9.6", sources({ "zenml/enums.py": ENUMS.replace("    CRITICAL = logging.CRITICAL", "    CRITICAL = logging.CRITICAL\n    TRACE = 5") }));
  const [e] = read(file).out;
  expect(() => rowContract(e)).toThrow(/zenml-9\.9\.6-py3-none-any\.whl: LoggingLevels member TRACE unknown to lib\/zenml-releases\.ts; add it there/);
});
