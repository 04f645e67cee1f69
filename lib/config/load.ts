/**
 * Loading and validation of environment files, done once at the edge of the app (main.ts).
 * Every problem names the file, the field path and what is allowed; nothing is synthesized
 * unless every file is valid.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
  DEFAULTS,
  EnvironmentConfig,
  EnvironmentFile,
  EnvironmentFileSchema,
  FARGATE_MEMORY_BY_CPU,
  PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES,
  PRESETS,
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

const ENV_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** Name of the stack that creates the state buckets; no environment file may take it. */
export const BOOTSTRAP_STACK = "state-bootstrap";

/**
 * Reads every `*.json` file in `dir` (except `*.schema.json`) as one environment, named after the file.
 * @throws ConfigError listing every problem of every file.
 */
export function loadEnvironments(dir: string): EnvironmentConfig[] {
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
  const configs: EnvironmentConfig[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    try {
      configs.push(parseEnvironment(full, fs.readFileSync(full, "utf8")));
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
 * Parses and validates one environment file's text.
 * @param file path used in messages; its base name (without .json) is the environment name.
 * @throws ConfigError naming the file, field paths and allowed values.
 */
export function parseEnvironment(file: string, text: string): EnvironmentConfig {
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
  const parsed = EnvironmentFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => formatProblem(file, i)));
  }
  const config = resolve(envName, file, parsed.data);
  const problems = checkResolved(config);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => formatProblem(file, p)));
  return config;
}

function formatProblem(file: string, problem: Problem | z.core.$ZodIssue): string {
  const where = problem.path.length > 0 ? problem.path.map(String).join(".") : "(root)";
  let message = problem.message;
  if ("code" in problem && problem.code === "unrecognized_keys") {
    message = `unknown field(s) ${problem.keys.map((k) => `'${k}'`).join(", ")}; allowed: ${allowedKeys(problem.path).join(", ")}`;
  }
  return `${file}: ${where}: ${message}`;
}

/** Field names the schema allows in the object at `at`. */
function allowedKeys(at: readonly PropertyKey[]): string[] {
  let node: any = EnvironmentFileSchema;
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
  const zenmlDefaults = file.zenml.oauth2ClientSecretArn
    ? { ...DEFAULTS.zenml, oauth2ClientSecretName: "" }
    : DEFAULTS.zenml;
  const instanceClass = file.database?.instanceClass ?? preset.database.instanceClass;
  return {
    envName,
    sourceFile,
    preset: file.preset,
    region: file.region,
    name,
    tags: file.tags ?? {},
    zenml: { ...zenmlDefaults, ...file.zenml },
    network: { ...DEFAULTS.network, ...preset.network, ...file.network },
    database: {
      ...DEFAULTS.database,
      ...preset.database,
      performanceInsights: !PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES.includes(instanceClass),
      ...file.database,
    },
    service: { ...DEFAULTS.service, ...preset.service, ...file.service },
    loadBalancer: { ...DEFAULTS.loadBalancer, ...preset.loadBalancer, ...file.loadBalancer },
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

/** Rules that involve more than one field. */
function checkResolved(c: EnvironmentConfig): Problem[] {
  const problems: Problem[] = [];
  const add = (p: PropertyKey[], message: string) => problems.push({ path: p, message });

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

  const azs = c.network.availabilityZones;
  if (azs) {
    azs.forEach((az, i) => {
      if (!az.startsWith(c.region)) add(["network", "availabilityZones", i], `'${az}' is not in region ${c.region}`);
    });
    if (new Set(azs).size !== azs.length) add(["network", "availabilityZones"], "must not repeat an availability zone");
  }
  const azCount = azs?.length ?? c.network.azCount;
  const prefix = Number(c.network.vpcCidr.split("/")[1]);
  if (prefix + c.network.subnetNewBits > 28) {
    add(["network", "subnetNewBits"], `VPC /${prefix} + ${c.network.subnetNewBits} bits gives subnets smaller than /28; allowed at most ${28 - prefix}`);
  } else if (2 * azCount > 2 ** c.network.subnetNewBits) {
    add(["network", "subnetNewBits"], `${2 * azCount} subnets (public + private per AZ) do not fit in ${c.network.subnetNewBits} bits`);
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
  if (c.zenml.oauth2ClientSecretKmsKeyArn && !c.zenml.oauth2ClientSecretArn) {
    add(["zenml", "oauth2ClientSecretKmsKeyArn"], "is only allowed together with zenml.oauth2ClientSecretArn");
  }
  return problems;
}

/** Rules across environments: no shared state object, one region per state bucket. */
function checkAcrossEnvironments(configs: readonly EnvironmentConfig[]): string[] {
  const seen = new Map<string, string>();
  const bucketRegion = new Map<string, EnvironmentConfig>();
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
  return problems;
}
