/**
 * The ZenML server container's runtime contract, built in one place (the role of
 * `src/zenml/zen_server/deploy/helm/templates/_environment.tpl` in ZenML's Helm chart): every plain
 * variable, every variable ECS injects from Secrets Manager, the paths the server writes to, and the
 * one-off schema migration that runs before a server of a new version serves.
 *
 * Each variable names the ZenML setting it feeds. Sources (zenml-io/zenml):
 * - `src/zenml/config/server_config.py`: `ServerConfiguration` reads `ZENML_SERVER_<FIELD>`
 *   (`deployment_type`, `server_url`, `jwt_secret_key`, ...); `ServerProConfiguration` reads
 *   `ZENML_SERVER_PRO_<FIELD>`.
 * - `src/zenml/zen_stores/sql_zen_store.py`: `SqlZenStoreConfiguration`, read from `ZENML_STORE_<FIELD>`
 *   (`url`, `username`, `password`, `ssl`, `ssl_ca`, `ssl_verify_server_cert`). `ssl_ca` may be a file or
 *   PEM content, but PEM content stops 0.84.3 (the shipped default) at start: `_validate_url` writes it to
 *   `<local stores path>/certificates/ssl_ca.pem` and replaces the field with that path as a plain `str`,
 *   and the store's second validation of the same configuration (`BaseZenStore.create_store`) calls
 *   `.get_secret_value()` on it (`AttributeError: 'str' object has no attribute 'get_secret_value'`;
 *   seen running the real `zenml migrate-database` and server, e2e/zenml-server.test.ts). 0.98.0 takes
 *   content. So the task gets the CA as a file ({@link ZENML_STORE_CA_FILE}) on every release.
 * - `src/zenml/constants.py`: `ENV_ZENML_LOGGING_VERBOSITY = "ZENML_LOGGING_VERBOSITY"`,
 *   `ENV_ZENML_CONFIG_PATH`, `ENV_ZENML_DISABLE_DATABASE_MIGRATION = "DISABLE_DATABASE_MIGRATION"`.
 * - `docker/base.Dockerfile` (server stage): user `zenml` (UID 1000, `useradd -m`, so its home is
 *   `/home/zenml`, and `/home/zenml/.local/bin` is on `PATH`), `ENV ZENML_CONFIG_PATH=/zenml/.zenconfig`,
 *   `EXPOSE 8080`, `CMD [... "--port", "8080" ...]`.
 * - What differs between releases (`ssl`, log levels, `backup_strategy`): `lib/zenml-releases.ts`.
 */
import { EnvironmentConfig } from "./config/schema";
import { rdsCaBundle } from "./rds-ca";
import { supportedZenmlRelease, ZENML_MIGRATION_BACKUP_STRATEGY, ZenmlReleaseContract } from "./zenml-releases";

/**
 * Every variable this runtime contract sets, plain or from Secrets Manager, in any configuration. The
 * builders below are typed with it, so a variable they set is listed here or the build fails; config
 * validation refuses these names in `zenml.extraEnvironment` (lib/config/load.ts).
 */
export const RUNTIME_VARIABLES = [
  "ZENML_SERVER_DEPLOYMENT_TYPE",
  "ZENML_SERVER_SERVER_URL",
  "ZENML_SERVER_PRO_API_URL",
  "ZENML_SERVER_PRO_DASHBOARD_URL",
  "ZENML_SERVER_PRO_ORGANIZATION_ID",
  "ZENML_SERVER_PRO_ORGANIZATION_NAME",
  "ZENML_SERVER_PRO_WORKSPACE_ID",
  "ZENML_SERVER_PRO_WORKSPACE_NAME",
  "ZENML_SERVER_PRO_OAUTH2_AUDIENCE",
  "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET",
  "ZENML_SERVER_JWT_SECRET_KEY",
  "ZENML_SERVER_HOSTNAME",
  "ZENML_SERVER_PORT",
  "ZENML_LOGGING_VERBOSITY",
  "ZENML_LOGGING_LEVEL",
  "ZENML_STORE_TYPE",
  "ZENML_STORE_URL",
  "ZENML_STORE_USERNAME",
  "ZENML_STORE_PASSWORD",
  "ZENML_STORE_SSL",
  "ZENML_STORE_SSL_CA",
  "ZENML_STORE_SSL_VERIFY_SERVER_CERT",
  "ZENML_STORE_BACKUP_STRATEGY",
  "ZENML_SECRETS_STORE_TYPE",
  "ZENML_SECRETS_STORE_ENCRYPTION_KEY",
  "ZENML_SERVER",
  "ZENML_CONFIG_PATH",
  "HOME",
  "DISABLE_DATABASE_MIGRATION",
  "ZENML_SERVER_WORKLOAD_MANAGER_IMPLEMENTATION_SOURCE",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_RUNNER_IMAGE",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_BUILD_RUNNER_IMAGE",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_DOCKER_REGISTRY",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_ENABLE_EXTERNAL_LOGS",
  "ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_BUCKET",
  "ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_REGION",
  "ZENML_SERVER_MAX_CONCURRENT_TEMPLATE_RUNS",
  "ZENML_KUBERNETES_WORKLOAD_MANAGER_POD_RESOURCES",
] as const;

/** A variable of {@link RUNTIME_VARIABLES}. */
export type RuntimeVariable = (typeof RUNTIME_VARIABLES)[number];
type RuntimeEnvironment = Partial<Record<RuntimeVariable, string>>;

/** Directories the server writes to; task volumes when the root filesystem is read-only. */
export const ZENML_WRITABLE_PATHS = {
  /** `ZENML_CONFIG_PATH`: global config and local stores, including the written CA file (`docker/base.Dockerfile`). */
  config: "/zenml/.zenconfig",
  /**
   * A fresh, empty `HOME` for the server (Python and libraries write caches there). Not the image user's
   * `/home/zenml`: a volume mounted there would hide what the image keeps in it (`/home/zenml/.local/bin`
   * is on the image's `PATH`).
   */
  home: "/zenml/home",
  /** Temporary files. */
  tmp: "/tmp",
} as const;

/**
 * The database CA bundle as a file in the config volume, written by the volume-preparation container
 * (`writable-volumes`) from {@link ZenmlContainerEnvironment.files} before the migration and server start;
 * `ZENML_STORE_SSL_CA` names it (a path: see the sql_zen_store.py note above).
 */
export const ZENML_STORE_CA_FILE = `${ZENML_WRITABLE_PATHS.config}/rds-ca-bundle.pem`;

/** A file the volume-preparation container writes into a writable volume (read-only for the server). */
export interface VolumeFile {
  /** Absolute path, inside one of the writable paths. */
  readonly path: string;
  /** Content (public: it passes through the task definition's plain environment). */
  readonly content: string;
}

/** MySQL named lock that serializes schema migrations across tasks (`GET_LOCK`, session-scoped). */
export const MIGRATION_LOCK_NAME = "zenml_schema_migration";

/** The exit message of the migration container's program when it cannot take the lock in time. */
export function migrationLockTimeoutMessage(lockTimeoutSeconds: number): string {
  return `migration lock ${MIGRATION_LOCK_NAME} not acquired within ${lockTimeoutSeconds} s`;
}

/** Matches {@link migrationLockTimeoutMessage} for any timeout (a log signature of `npm run verify`). */
export const MIGRATION_LOCK_TIMEOUT_PATTERN = new RegExp(migrationLockTimeoutMessage(0).replace(/\b0 s$/, "\\d+ s"));

/**
 * The migration container's program (`python -c`): it takes the MySQL named lock
 * {@link MIGRATION_LOCK_NAME} on its own connection, runs `zenml migrate-database` (the command of the
 * chart's `templates/server-db-job.yaml`) while holding it, and exits with the command's status. Tasks
 * that start together (first deploy, a rollout, scale-out during a rollout) queue on the lock; the
 * first migrates, the rest find the schema at head and do nothing. The lock dies with the connection,
 * so a crashed migration never leaves it held. `ZENML_STORE_SSL_CA` is the CA file's path. It reads only variables this module sets and uses
 * pymysql, which the server image installs for its own MySQL driver (`mysql+pymysql`). No `${` or
 * `%{` sequences: the text passes through Terraform's template syntax.
 */
export function migrationProgram(lockTimeoutSeconds: number): string {
  return [
    "import os, ssl, subprocess, sys, urllib.parse",
    "import pymysql",
    "url = urllib.parse.urlparse(os.environ['ZENML_STORE_URL'])",
    "ca = os.environ.get('ZENML_STORE_SSL_CA')",
    "tls = {'ssl': ssl.create_default_context(cafile=ca)} if ca else {}",
    "conn = pymysql.connect(host=url.hostname, port=url.port or 3306, user=os.environ['ZENML_STORE_USERNAME'],",
    "    password=os.environ['ZENML_STORE_PASSWORD'], database=url.path.lstrip('/'), **tls)",
    "with conn.cursor() as cur:",
    `    cur.execute('SELECT GET_LOCK(%s, %s)', ('${MIGRATION_LOCK_NAME}', ${lockTimeoutSeconds}))`,
    "    if cur.fetchone()[0] != 1:",
    `        sys.exit('${migrationLockTimeoutMessage(lockTimeoutSeconds)}')`,
    "    print('migration lock acquired; running zenml migrate-database', flush=True)",
    "    code = subprocess.call(['zenml', 'migrate-database'])",
    "conn.close()",
    "sys.exit(code)",
  ].join("\n");
}

/** Inputs known only once resources exist (Terraform references). */
export interface ZenmlRuntimeRefs {
  /** RDS endpoint host name. */
  readonly dbAddress: string;
  /** RDS-managed master secret ARN (JSON with username/password). */
  readonly dbSecretArn: string;
  /** `valueFrom` of the OAuth2 client secret: its ARN, or the ARN pinned to the version the deploy wrote. */
  readonly oauth2SecretValueFrom: string;
  /** `valueFrom` of the JWT signing key: the secret ARN pinned to its current version (`arn:::version-id`). */
  readonly jwtSecretValueFrom: string;
  /** `valueFrom` of the SQL secrets store's encryption key (pinned to its only version). */
  readonly secretsStoreKeyValueFrom: string;
  /** CA the RDS instance's server certificate is issued by (`ca_cert_identifier`). */
  readonly dbCaCertIdentifier: string;
  /** Runner registry and run-log bucket of the aws-kubernetes workload manager. */
  readonly workloadManager?: { readonly registry: string; readonly bucket: string };
}

/** Implementation sources of the guide's two workload manager options. */
export const WORKLOAD_MANAGER_SOURCES = {
  "aws-kubernetes": "zenml_cloud_plugins.aws_kubernetes_workload_manager.AWSKubernetesWorkloadManager",
  kubernetes: "zenml_cloud_plugins.kubernetes_workload_manager.KubernetesWorkloadManager",
} as const;

/** Plain and secret variables of one container. */
export interface ContainerEnvironment {
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, string>;
}

/** What the server and its migration container get. */
export interface ZenmlContainerEnvironment {
  /** The serving container: never migrates (`DISABLE_DATABASE_MIGRATION`). */
  readonly server: ContainerEnvironment;
  /** The migration container: the same store and server settings, migrations enabled, plus its program. */
  readonly migration: ContainerEnvironment & { readonly entryPoint: string[]; readonly command: string[] };
  /** Directories both containers write to. */
  readonly writablePaths: readonly string[];
  /** Files written into those directories before either container starts (the database CA bundle). */
  readonly files: readonly VolumeFile[];
}

/**
 * Builds the containers' environment. Database credentials are not put in the guide's
 * `ZENML_DATABASE_URL` (which would carry the password inline, in plain text; ZenML reads no such
 * variable either): the URL goes in `ZENML_STORE_URL` without credentials, and ECS injects
 * `ZENML_STORE_USERNAME`/`ZENML_STORE_PASSWORD` from the RDS-managed secret's JSON keys.
 */
export function zenmlContainerEnvironment(
  c: EnvironmentConfig,
  refs: ZenmlRuntimeRefs,
  /** What the image of `zenml.version` accepts. @default the row of lib/zenml-releases.ts for c.zenml.version */
  release: ZenmlReleaseContract = supportedZenmlRelease(c.zenml.version),
): ZenmlContainerEnvironment {
  const environment: RuntimeEnvironment = {
    // ServerConfiguration (server_config.py, prefix ZENML_SERVER_)
    ZENML_SERVER_DEPLOYMENT_TYPE: "cloud",
    ZENML_SERVER_SERVER_URL: `https://${c.dns.domainName}`,
    // ServerProConfiguration (server_config.py, prefix ZENML_SERVER_PRO_)
    ZENML_SERVER_PRO_API_URL: c.zenml.apiUrl,
    ZENML_SERVER_PRO_DASHBOARD_URL: c.zenml.dashboardUrl,
    ZENML_SERVER_PRO_ORGANIZATION_ID: c.zenml.organizationId,
    ZENML_SERVER_PRO_ORGANIZATION_NAME: c.zenml.organizationName,
    ZENML_SERVER_PRO_WORKSPACE_ID: c.zenml.workspaceId,
    ZENML_SERVER_PRO_WORKSPACE_NAME: c.zenml.workspaceName,
    ZENML_SERVER_PRO_OAUTH2_AUDIENCE: c.zenml.oauth2Audience,
    // The guide's listen address and port. No ZenML code reads them (the image's CMD passes --host/--port to
    // uvicorn); kept equal to service.containerPort, which the port mapping, target group and SGs use.
    ZENML_SERVER_HOSTNAME: "0.0.0.0",
    ZENML_SERVER_PORT: String(c.service.containerPort),
    // constants.py ENV_ZENML_LOGGING_VERBOSITY; the guide's ZENML_LOGGING_LEVEL is kept, but ZenML does not read it.
    ZENML_LOGGING_VERBOSITY: c.zenml.loggingLevel,
    ZENML_LOGGING_LEVEL: c.zenml.loggingLevel,
    // SqlZenStoreConfiguration (sql_zen_store.py, prefix ZENML_STORE_); the chart's migration job sets ZENML_STORE_TYPE=sql.
    ZENML_STORE_TYPE: "sql",
    ZENML_STORE_URL: `mysql://${refs.dbAddress}:3306/${c.database.databaseName}`,
    // SqlSecretsStoreConfiguration (secrets_stores/sql_secrets_store.py, prefix ZENML_SECRETS_STORE_, as the
    // chart's _environment.tpl writes it): ZenML's secrets in MySQL, encrypted with the key below.
    ZENML_SECRETS_STORE_TYPE: "sql",
    // constants.py ENV_ZENML_SERVER: a server environment (GlobalConfiguration then never writes config.yaml);
    // the chart's migration job (helm/templates/server-db-job.yaml) sets it for `zenml migrate-database`.
    ZENML_SERVER: "True",
    // constants.py ENV_ZENML_CONFIG_PATH (the image's default, on a writable volume) and a fresh HOME.
    ZENML_CONFIG_PATH: ZENML_WRITABLE_PATHS.config,
    HOME: ZENML_WRITABLE_PATHS.home,
  };
  if (release.backupStrategies.includes(ZENML_MIGRATION_BACKUP_STRATEGY)) {
    // SqlZenStoreConfiguration.backup_strategy (default in-memory: a copy of the whole database in the 1 GB
    // task). The deploy snapshots RDS before a version bump instead (docs/runtime.md, "Migration backup").
    environment.ZENML_STORE_BACKUP_STRATEGY = ZENML_MIGRATION_BACKUP_STRATEGY;
  }
  const files: VolumeFile[] = [];
  if (c.database.requireTls) {
    // The parameter group sets require_secure_transport=1: the client must speak TLS and verify the server.
    // Releases with the ssl field apply the TLS settings only when it is on; releases without it forbid
    // unknown store fields, so there ZENML_STORE_SSL would stop the server (lib/zenml-releases.ts).
    if (release.storeSslField) environment.ZENML_STORE_SSL = "true";
    environment.ZENML_STORE_SSL_CA = ZENML_STORE_CA_FILE;
    environment.ZENML_STORE_SSL_VERIFY_SERVER_CERT = "true";
    files.push({ path: ZENML_STORE_CA_FILE, content: rdsCaBundle(c.region, refs.dbCaCertIdentifier) });
  }
  Object.assign(environment, workloadManagerEnvironment(c, refs));
  const secrets: RuntimeEnvironment = {
    ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET: refs.oauth2SecretValueFrom,
    ZENML_SERVER_JWT_SECRET_KEY: refs.jwtSecretValueFrom,
    ZENML_SECRETS_STORE_ENCRYPTION_KEY: refs.secretsStoreKeyValueFrom,
    ZENML_STORE_USERNAME: `${refs.dbSecretArn}:username::`,
    ZENML_STORE_PASSWORD: `${refs.dbSecretArn}:password::`,
  };
  // zenml.extraEnvironment: the user's own settings (config validation refused every name set above).
  const withExtra = (env: RuntimeEnvironment): Record<string, string> => ({ ...c.zenml.extraEnvironment, ...(env as Record<string, string>) });
  return {
    // constants.py ENV_ZENML_DISABLE_DATABASE_MIGRATION: the serving container never runs Alembic.
    server: { environment: withExtra({ ...environment, DISABLE_DATABASE_MIGRATION: "true" }), secrets: secrets as Record<string, string> },
    migration: {
      environment: withExtra(environment),
      secrets: secrets as Record<string, string>,
      entryPoint: ["python", "-c"],
      command: [migrationProgram(c.service.migrationLockTimeoutSeconds)],
    },
    writablePaths: Object.values(ZENML_WRITABLE_PATHS),
    files,
  };
}

/** The guide's workload manager variables (Option A or B), or none. */
function workloadManagerEnvironment(c: EnvironmentConfig, refs: ZenmlRuntimeRefs): RuntimeEnvironment {
  const wm = c.workloadManager;
  if (!wm) return {};
  const common = {
    ZENML_SERVER_WORKLOAD_MANAGER_IMPLEMENTATION_SOURCE: WORKLOAD_MANAGER_SOURCES[wm.type],
    ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE: wm.namespace,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT: wm.serviceAccount,
  };
  if (wm.type === "kubernetes") return { ...common, ZENML_KUBERNETES_WORKLOAD_MANAGER_RUNNER_IMAGE: wm.runnerImage! };
  if (!refs.workloadManager) throw new Error(`${c.sourceFile}: the aws-kubernetes workload manager needs its registry and bucket`);
  return {
    ...common,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_BUILD_RUNNER_IMAGE: String(wm.buildRunnerImage),
    ZENML_KUBERNETES_WORKLOAD_MANAGER_DOCKER_REGISTRY: refs.workloadManager.registry,
    ZENML_KUBERNETES_WORKLOAD_MANAGER_ENABLE_EXTERNAL_LOGS: String(wm.enableExternalLogs),
    ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_BUCKET: refs.workloadManager.bucket,
    ZENML_AWS_KUBERNETES_WORKLOAD_MANAGER_REGION: c.region,
    ZENML_SERVER_MAX_CONCURRENT_TEMPLATE_RUNS: String(wm.maxConcurrentTemplateRuns),
    ZENML_KUBERNETES_WORKLOAD_MANAGER_POD_RESOURCES: JSON.stringify(wm.podResources),
  };
}
