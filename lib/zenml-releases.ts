/**
 * What the server image of a ZenML release accepts, per release range: the parts of its runtime
 * contract that changed between releases and would crash the server if they did not match.
 * Config validation (`lib/config/load.ts`) refuses a `zenml.version` outside these ranges and a log
 * level the range does not accept; `lib/zenml-environment.ts` emits `ZENML_STORE_SSL` and
 * `ZENML_STORE_BACKUP_STRATEGY` only where the range has the field. docs/runtime.md shows the table.
 *
 * How each column was read from zenml-io/zenml (release commits found through `src/zenml/VERSION`):
 * - `storeSslField`: `ssl: bool = False` on `SqlZenStoreConfiguration`
 *   (`src/zenml/zen_stores/sql_zen_store.py`); from 0.74.0 the TLS arguments are applied only
 *   `if self.ssl:`, before that whenever `ssl_ca`/`ssl_cert`/`ssl_key` is set.
 * - `storeExtra`: the same class's `model_config` (`extra="forbid"` through 0.74.0, `extra="ignore"`
 *   in the newest source). `GlobalConfiguration._get_store_configuration` (`src/zenml/config/global_config.py`)
 *   turns every `ZENML_STORE_<X>` variable into field `<x>`, so with `forbid` an unknown variable
 *   stops the server at validation.
 * - `loggingLevels`: the members of `LoggingLevels` (`src/zenml/enums.py`); `get_logging_level()`
 *   (`src/zenml/logger.py`) upper-cases `ZENML_LOGGING_VERBOSITY` and raises
 *   `KeyError("Verbosity must be one of …")` for anything else.
 * - `backupStrategies`: `DatabaseBackupStrategy` (`src/zenml/enums.py`) and
 *   `SqlZenStoreConfiguration.backup_strategy` (default `in-memory`).
 * - `proIdentity`: `ServerProConfiguration` (`src/zenml/config/server_config.py`): `tenant_id`/`tenant_name`
 *   at 0.74.0; the guide's `ZENML_SERVER_PRO_WORKSPACE_ID`/`…_WORKSPACE_NAME`, which this project sets,
 *   from 0.80.0 (ZenML Pro's tenants became workspaces).
 */

/** Members of ZenML's `LoggingLevels` enum over all releases this table knows. */
export const ZENML_LOGGING_LEVELS = ["CRITICAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"] as const;
export type ZenmlLoggingLevel = (typeof ZENML_LOGGING_LEVELS)[number];

/** `DatabaseBackupStrategy` values (`src/zenml/enums.py`). */
export type ZenmlBackupStrategy = "disabled" | "in-memory" | "dump-file" | "database";

/** One release range and what its server accepts. */
export interface ZenmlReleaseContract {
  /** First release of the range (inclusive). */
  readonly from: string;
  /** First release after the range (exclusive). */
  readonly until: string;
  /** `SqlZenStoreConfiguration` has the `ssl` field, so `ZENML_STORE_SSL` may (and, for TLS, must) be set. */
  readonly storeSslField: boolean;
  /** How `SqlZenStoreConfiguration` treats an unknown `ZENML_STORE_*` variable. */
  readonly storeExtra: string;
  /** Values `ZENML_LOGGING_VERBOSITY` may take (upper-cased by ZenML). */
  readonly loggingLevels: readonly ZenmlLoggingLevel[];
  /** Values `ZENML_STORE_BACKUP_STRATEGY` may take; empty when the field does not exist. */
  readonly backupStrategies: readonly ZenmlBackupStrategy[];
  /** Which Pro identifiers `ServerProConfiguration` reads. Only `workspace` releases can run with this project. */
  readonly proIdentity: "tenant" | "workspace";
  /** Where the row was read. */
  readonly evidence: string;
}

const SIX_LEVELS: readonly ZenmlLoggingLevel[] = ["CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "NOTSET"];
const FOUR_STRATEGIES: readonly ZenmlBackupStrategy[] = ["disabled", "in-memory", "dump-file", "database"];

/** Release ranges whose contract was read from ZenML's source, oldest first. */
export const ZENML_RELEASES: readonly ZenmlReleaseContract[] = [
  {
    from: "0.55.1",
    until: "0.74.0",
    storeSslField: false,
    storeExtra: "forbid",
    loggingLevels: SIX_LEVELS,
    backupStrategies: FOUR_STRATEGIES,
    proIdentity: "tenant",
    evidence: "every release tag 0.55.1–0.67.0 and release commit 0.68.0–0.73.0 (git)",
  },
  {
    from: "0.74.0",
    until: "0.75.0",
    storeSslField: true,
    storeExtra: "forbid",
    loggingLevels: SIX_LEVELS,
    backupStrategies: FOUR_STRATEGIES,
    proIdentity: "tenant",
    evidence: "release commit 0.74.0 (git)",
  },
  {
    from: "0.80.0",
    until: "0.95.0",
    storeSslField: true,
    storeExtra: "forbid at 0.74.0, ignore in the newest source (either way ssl is a field)",
    // WARNING joined LoggingLevels after 0.74.0 (the newest enums.py has WARN and WARNING); its first
    // release is not established, so only the members every release has are accepted here.
    loggingLevels: SIX_LEVELS,
    backupStrategies: FOUR_STRATEGIES,
    proIdentity: "workspace",
    evidence: "bounded by release 0.74.0 (git) and the newest source (ssl field, WARN, the four strategies); releases 0.80.0–0.94.0 exist (their migrations/versions/<v>_release.py)",
  },
];

/** The strategy this project sets (docs/runtime.md, "Migration backup"): no in-task copy of the database. */
export const ZENML_MIGRATION_BACKUP_STRATEGY: ZenmlBackupStrategy = "disabled";

/** How to read an image's contract before adding a row. */
export const CHECK_IMAGE_COMMAND =
  "docker run --rm --entrypoint python <image>:<version> -c \"from zenml.zen_stores.sql_zen_store import SqlZenStoreConfiguration as S; " +
  "from zenml.enums import LoggingLevels as L; import zenml; print(zenml.__version__, 'ssl' in S.model_fields, S.model_config.get('extra'), " +
  "'backup_strategy' in S.model_fields, list(L.__members__))\"";

/** `[major, minor, patch]` of a plain release version such as `0.84.3`; undefined for anything else. */
export function parseZenmlVersion(version: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The contract of `version`, or undefined when no verified range contains it. */
export function zenmlRelease(version: string): ZenmlReleaseContract | undefined {
  const v = parseZenmlVersion(version);
  if (!v) return undefined;
  return ZENML_RELEASES.find((r) => compare(v, parseZenmlVersion(r.from)!) >= 0 && compare(v, parseZenmlVersion(r.until)!) < 0);
}

/** The contract of a version that config validation accepted; throws for any other. */
export function supportedZenmlRelease(version: string): ZenmlReleaseContract {
  const release = zenmlRelease(version);
  if (!release || release.proIdentity !== "workspace") {
    throw new Error(`ZenML ${version} has no verified runtime contract (config validation should have refused it)`);
  }
  return release;
}

/** Ranges this project can deploy, for messages: "0.80.0 ≤ v < 0.95.0". */
export function supportedRanges(): string {
  return ZENML_RELEASES.filter((r) => r.proIdentity === "workspace").map((r) => `${r.from} ≤ v < ${r.until}`).join(", ");
}
