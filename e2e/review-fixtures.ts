/**
 * Shared by the e2e review scenario (which writes the fixtures) and the unit tests (which read them):
 * where the fixtures live, the hash that tells when they are stale, and how a real plan is made
 * deterministic (masked) and smaller (trimmed) before it is stored.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Finding, StackReview } from "../scripts/review/model";
import type { Aws } from "./harness";
import { renderMarkdown } from "../scripts/review/render";
import { reviewPlan } from "../scripts/review/review";

/** The repository root (two levels up from dist/e2e, one from e2e/). */
const ROOT = (() => {
  const up = path.join(__dirname, "..");
  return path.basename(up) === "dist" ? path.join(up, "..") : up;
})();

/** The environment file the review scenario applies (a dev-preset stack with an alarm e-mail and a deploy-time secret). */
export const REVIEW_CONFIG_DIR = path.join(ROOT, "e2e", "review", "config");
/** Its stack name (the file name). */
export const REVIEW_STACK = "review";
/** Where the plans of the matrix are stored for `npm test`: `<case>/plan.json` and `<case>/cdk.tf.json`. */
export const REVIEW_FIXTURES_DIR = path.join(ROOT, "__tests__", "fixtures", "review");
/** The fixture manifest: the base stack hash, the cases, how they were generated. */
export const REVIEW_MANIFEST = path.join(REVIEW_FIXTURES_DIR, "manifest.json");

/** The manifest written next to the fixtures. */
export interface ReviewFixtureManifest {
  /** sha256 of {@link stackHash} over the synth of REVIEW_CONFIG_DIR (unpatched) the plans came from. */
  readonly baseStackSha256: string;
  /** The command that regenerates the fixtures. */
  readonly regenerate: string;
  readonly terraform: string;
  /**
   * Per case: how it was made, and the summary line Terraform printed for its plan ("Plan: 1 to import,
   * 0 to add, 1 to change, 0 to destroy."), which the unit tests hold the review's counts against.
   */
  readonly cases: Record<string, { readonly description: string; readonly how: string; readonly terraformSummary?: string }>;
}

/** The command that regenerates the fixtures (also in the manifest and the docs). */
export const REGENERATE_COMMAND = "REVIEW_FIXTURES_UPDATE=1 E2E_ONLY=review npm run test:e2e -- e2e/e2e.test.ts";

/** JSON with sorted keys and cdktf's `//` comments (construct paths, suppressions' metadata) dropped. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .filter((k) => k !== "//")
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Hash of a synthesized stack: everything Terraform reads (resources, data sources, outputs, providers,
 * backend, variables), independent of key order and of cdktf's comments, so the in-process synth of the
 * unit tests and `node dist/main.js` of the e2e agree.
 */
export function stackHash(stackJson: unknown): string {
  return createHash("sha256").update(JSON.stringify(canonical(stackJson))).digest("hex");
}

/**
 * Masks what moto draws at random (resource IDs, UUIDs, ARN suffixes, timestamps, DNS names, the
 * emulator's port) with tokens numbered by first appearance, so that regenerating the fixtures gives
 * the same files when nothing changed. Equal values stay equal, so before/after comparisons hold.
 */
export function maskVolatile(text: string): string {
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  const token = (kind: string, original: string, make: (n: number) => string) => {
    const key = `${kind}\u0000${original}`;
    let t = seen.get(key);
    if (!t) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      t = make(n);
      seen.set(key, t);
    }
    return t;
  };
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g, "2000-01-01T00:00:00Z")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:5000")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, (m) =>
      /^0{8}-0{4}-0{4}-0{4}-0{11}\d$/.test(m) ? m : token("uuid", m, (n) => `00000000-0000-4000-8000-${hex(n, 12)}`),
    )
    // moto's EC2 IDs: 17 hex digits (route IDs append a hash: r-rtb-<17 hex><digits>), or 8.
    .replace(/\b(vpc|subnet|sgr|sg|igw|nat|eipalloc|eipassoc|eni|rtbassoc|rtb|acl|aclassoc|fl|vpce|pl|dopt)-([0-9a-f]{17}|[0-9a-f]{8}(?![0-9a-f]))/g, (m, kind: string, id: string) =>
      token(kind, m, (n) => `${kind}-${hex(n, id.length)}`),
    )
    .replace(/\bsgrule-\d+\b/g, (m) => token("sgrule", m, (n) => `sgrule-${n}`))
    .replace(/(:secret:[A-Za-z0-9/_+=.@!-]+-)([A-Za-z0-9]{6})(?![A-Za-z0-9])/g, (_m, head: string, suffix: string) => head + token("secret", suffix, (n) => `Sfx${String(n).padStart(3, "0")}`))
    .replace(/\/([0-9a-f]{16})\b/g, (_m, id: string) => `/${token("hex16", id, (n) => hex(n, 16))}`)
    .replace(/-(\d{6,12})(\.[a-z0-9-]+\.elb\.amazonaws\.com)/g, (_m, digits: string, rest: string) => `-${token("elb", digits, (n) => String(n).padStart(digits.length, "1"))}${rest}`)
    // Terraform's generated unique IDs (name_prefix, secret version IDs): a timestamp and a counter.
    .replace(/-(\d{18}[0-9a-f]{8})\b/g, (_m, id: string) => `-${token("tfid", id, (n) => String(n).padStart(26, "0"))}`)
    .replace(/\bAROA[A-Z0-9]{17}\b/g, (m) => token("aroa", m, (n) => `AROA${String(n).padStart(17, "0")}`))
    // moto's public and private addresses (EIPs, NAT gateways, network interfaces) and their DNS names.
    .replace(/\b127\.\d+\.\d+\.\d+\b/g, (m) => token("ip127", m, (n) => `127.0.1.${n}`))
    .replace(/\bec2-127-\d+-\d+-\d+\b/g, (m) => token("dns127", m, (n) => `ec2-127-0-1-${n}`))
    .replace(/"private_ip":"10\.\d+\.\d+\.\d+"/g, (m) => token("ip10", m, (n) => `"private_ip":"10.0.255.${n}"`))
    .replace(/\bip-10-\d+-\d+-\d+\b/g, (m) => token("dns10", m, (n) => `ip-10-0-255-${n}`))
    .replace(/\bdb-[A-Z0-9]{26}\b/g, (m) => token("dbi", m, (n) => `db-${String(n).padStart(26, "A")}`))
    // Application Auto Scaling's scalable target ARNs end in a random 36-character ID.
    .replace(/(:scalable-target\/)([a-z0-9]{36})\b/g, (_m, head: string, id: string) => head + token("scalable", id, (n) => String(n).padStart(36, "0")));
}

/** Keys sorted at every level (nothing dropped). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/**
 * JSON documents embedded in string attributes (container definitions, IAM policies) with their keys
 * sorted: the provider writes them back from the API with map keys in varying order, which would make
 * every regeneration differ. The documents are equal as JSON; nothing the review reads changes.
 */
export function sortEmbeddedJson(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return JSON.stringify(sortKeys(JSON.parse(value)));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(sortEmbeddedJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sortEmbeddedJson(v)]));
  }
  return value;
}

const MOTO_ID = /^(vpc|subnet|sgr|sg|igw|nat|eipalloc|eipassoc|eni|rtbassoc|rtb|acl|aclassoc|fl|vpce|pl|dopt)-[0-9a-f]+$/;

const isId = (v: unknown) => typeof v === "string" && MOTO_ID.test(v);
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);

/**
 * Sets keyed by masked EC2 IDs, sorted: Terraform orders sets by their (random) real values. Lists
 * of IDs, and lists of blocks that each name an ID (e.g. an ALB's subnet_mapping).
 */
function sortIdLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(sortIdLists);
    const idSet = items.every(isId);
    const blockSet = items.every((v) => v && typeof v === "object" && !Array.isArray(v) && Object.values(v).some(isId));
    return items.length > 1 && (idSet || blockSet) ? [...items].sort(byJson) : items;
  }
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sortIdLists(v)]));
  return value;
}

/**
 * A plan as stored in the fixtures: trimmed ({@link trimPlan}), embedded JSON documents with sorted
 * keys, moto's random values masked ({@link maskVolatile}) with tokens numbered in the order of the
 * resource addresses whose IDs they are (not of first appearance, which follows the random IDs in
 * sets), and lists of EC2 IDs sorted. Two runs of the e2e produce the same text.
 */
export function fixturePlanText(plan: Record<string, any>): string {
  const ids = ((plan.resource_changes ?? []) as any[])
    .map((rc) => [String(rc.address), rc.change?.before?.id ?? rc.change?.after?.id] as const)
    .filter(([, id]) => typeof id === "string")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, id]) => id);
  const masked = maskVolatile(`${JSON.stringify(ids)}\n${JSON.stringify(sortEmbeddedJson(trimPlan(plan)))}`);
  return `${JSON.stringify(sortIdLists(JSON.parse(masked.slice(masked.indexOf("\n") + 1))))}\n`;
}

/**
 * Keeps what the review and the policy pack read (format and terraform versions, planned values,
 * resource changes, drift, deferred changes, output changes, configuration, data sources of the prior
 * state); drops the managed resources of the prior state and relevant attributes, which are large and
 * unused.
 */
export function trimPlan(plan: Record<string, any>): Record<string, any> {
  const { relevant_attributes: _relevant, prior_state: prior, ...rest } = plan;
  const dataOnly = (module: any): any =>
    module && {
      ...module,
      resources: (module.resources ?? []).filter((r: any) => r.mode === "data"),
      ...(module.child_modules ? { child_modules: module.child_modules.map(dataOnly) } : {}),
    };
  return prior ? { ...rest, prior_state: { ...prior, values: prior.values && { ...prior.values, root_module: dataOnly(prior.values.root_module) } } } : rest;
}

/** A finding as the scenario expects it: address given by its type and construct-name prefix (the hash suffix may change). */
export interface ExpectedFinding {
  readonly severity: Finding["severity"];
  readonly kind: Finding["kind"];
  /** `type.namePrefix`: matches an address `type.namePrefix<anything>`. */
  readonly address: string;
  readonly attribute?: string;
}

/** What a case can read of the applied base stack. */
export interface CaseContext {
  /** The attribute values of a resource of the applied state (`terraform show -json`), by address. */
  readonly state: (address: string) => Record<string, any>;
}

/** One change of the matrix. */
export interface ReviewCase {
  readonly name: string;
  readonly description: string;
  /** How the second version is made (recorded in the manifest). */
  readonly how: string;
  /** Edits the environment file (then synth). */
  readonly config?: (c: Record<string, any>) => void;
  /** Edits the synthesized JSON, for changes no configuration produces (after the apply: it may read the state). */
  readonly patch?: (stack: Record<string, any>, ctx: CaseContext) => void;
  /** Made in AWS through the API before any case is planned (e.g. the object an import block adopts). */
  readonly prepare?: (aws: Aws, ctx: CaseContext) => Promise<void>;
  /**
   * Changes made in AWS outside Terraform; the case is then planned with a refresh (so its plan has
   * `resource_drift`), after every other case.
   */
  readonly outOfBand?: (aws: Aws, ctx: CaseContext) => Promise<void>;
  readonly expected: readonly ExpectedFinding[];
}

/** Replaces `from` by `to` in every string of a JSON value (keys included), in place. */
export function replaceInStrings(value: any, from: string, to: string): any {
  if (typeof value === "string") return value.split(from).join(to);
  if (Array.isArray(value)) {
    value.forEach((v, i) => (value[i] = replaceInStrings(v, from, to)));
    return value;
  }
  if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      const v = replaceInStrings(value[k], from, to);
      delete value[k];
      value[k.split(from).join(to)] = v;
    }
  }
  return value;
}

/** The name of the log group the import case creates outside Terraform, then imports. */
export const IMPORTED_LOG_GROUP = "/review/imported";

const byPrefix = (section: Record<string, Record<string, any>> | undefined, type: string, prefix: string): string => {
  const names = Object.keys(section?.[type] ?? {}).filter((n) => n.startsWith(prefix));
  if (names.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${names.length}`);
  return names[0];
};

/**
 * The addresses the drift case changes out of band, found in the synthesized review stack (set by the
 * scenario before the case runs, from the base stack).
 */
export const DRIFT_ADDRESSES = {
  stack: undefined as Record<string, any> | undefined,
  find(type: string, prefix: string): string {
    if (!this.stack) throw new Error("DRIFT_ADDRESSES.stack is not set");
    return `${type}.${byPrefix(this.stack.resource, type, prefix)}`;
  },
  securityGroup(): string {
    return this.find("aws_security_group", "security-groups_rds_");
  },
  service(): string {
    return this.find("aws_ecs_service", "service_");
  },
  logGroup(): string {
    return this.find("aws_cloudwatch_log_group", "logs_group_");
  },
};

/** The matrix of issues 16 and 22. */
export const REVIEW_CASES: readonly ReviewCase[] = [
  {
    name: "zenml-version",
    description: "bump zenml.version 0.84.3 → 0.85.0",
    how: "config: zenml.version",
    config: (c) => (c.zenml.version = "0.85.0"),
    expected: [
      { severity: "info", kind: "rollout", address: "aws_ecs_task_definition.service_task_", attribute: "container_definitions" },
      { severity: "info", kind: "rollout", address: "aws_ecs_service.service_", attribute: "task_definition" },
    ],
  },
  {
    name: "db-instance-class",
    description: "change the DB instance class db.t3.micro → db.t3.small",
    how: "config: database.instanceClass",
    config: (c) => (c.database = { ...(c.database ?? {}), instanceClass: "db.t3.small" }),
    expected: [
      { severity: "info", kind: "rollout", address: "aws_db_instance.database_instance_", attribute: "instance_class" },
      { severity: "info", kind: "cost", address: "review" },
    ],
  },
  {
    name: "db-replace",
    description: "rename the initial database (database.databaseName): forces a new DB instance",
    how: "config: database.databaseName",
    config: (c) => (c.database = { ...(c.database ?? {}), databaseName: "zenml_renamed" }),
    expected: [
      { severity: "danger", kind: "data-loss", address: "aws_db_instance.database_instance_", attribute: "db_name" },
      { severity: "info", kind: "rollout", address: "aws_ecs_task_definition.service_task_", attribute: "container_definitions" },
      { severity: "info", kind: "rollout", address: "aws_ecs_service.service_", attribute: "task_definition" },
    ],
  },
  {
    name: "sg-mysql-world",
    description: "add an ingress rule 3306 ← 0.0.0.0/0 to the RDS security group",
    how: "patched synthesized JSON: a new aws_security_group_rule (no configuration produces one)",
    patch: (stack) => {
      const rds = byPrefix(stack.resource, "aws_security_group", "security-groups_rds_");
      stack.resource!.aws_security_group_rule["review-case_rds-in-world"] = {
        type: "ingress",
        protocol: "tcp",
        from_port: 3306,
        to_port: 3306,
        cidr_blocks: ["0.0.0.0/0"],
        description: "MySQL from anywhere (review e2e case)",
        security_group_id: `\${aws_security_group.${rds}.id}`,
      };
    },
    expected: [
      { severity: "warn", kind: "security", address: "aws_security_group_rule.review-case_rds-in-world", attribute: "cidr_blocks" },
      { severity: "warn", kind: "policy", address: "aws_security_group_rule.review-case_rds-in-world" },
    ],
  },
  {
    name: "iam-wildcard",
    description: "add a `*` resource to the flow-log role's IAM policy",
    how: "patched synthesized JSON: \"*\" appended to the resources of the flow-log policy document's first statement",
    patch: (stack) => {
      const doc = stack.data!.aws_iam_policy_document[byPrefix(stack.data, "aws_iam_policy_document", "network_flow-log-write_")];
      const statements = Array.isArray(doc.statement) ? doc.statement : [doc.statement];
      statements[0].resources = [...statements[0].resources, "*"];
    },
    expected: [
      { severity: "warn", kind: "security", address: "aws_iam_role_policy.network_flow-log-policy_", attribute: "policy" },
      { severity: "warn", kind: "policy", address: "aws_iam_role_policy.network_flow-log-policy_" },
      { severity: "warn", kind: "policy", address: "data.aws_iam_policy_document.network_flow-log-write_" },
    ],
  },
  {
    name: "nat-per-az",
    description: "switch natGatewayPerAz on (network.natGateways = perAz)",
    how: "config: network.natGateways",
    config: (c) => (c.network = { ...(c.network ?? {}), natGateways: "perAz" }),
    expected: [{ severity: "info", kind: "cost", address: "review" }],
  },
  {
    name: "alarm-email-removed",
    description: "remove the alarm e-mail (observability.alarmEmail)",
    how: "config: observability.alarmEmail removed",
    config: (c) => delete c.observability.alarmEmail,
    expected: [{ severity: "warn", kind: "security", address: "aws_sns_topic_subscription.alarms_email_" }],
  },
  {
    name: "target-group-port",
    description: "change the target group's port 8080 → 8081: a replacement in create_before_destroy order (the group sets it)",
    how: "patched synthesized JSON: aws_lb_target_group port",
    patch: (stack) => {
      stack.resource.aws_lb_target_group[byPrefix(stack.resource, "aws_lb_target_group", "load-balancer_tg_")].port = 8081;
    },
    // A target group holds no data; the listener and the service follow it in place.
    expected: [],
  },
  {
    name: "forget-log-group",
    description: "forget the flow-log log group: a removed block with lifecycle { destroy = false } (it stays in AWS)",
    how: "patched synthesized JSON: the resource taken out, a removed block added, its ARN (from the state) written where it was referenced",
    patch: (stack, ctx) => {
      const name = byPrefix(stack.resource, "aws_cloudwatch_log_group", "network_flow-log-group_");
      const address = `aws_cloudwatch_log_group.${name}`;
      const arn = ctx.state(address).arn;
      delete stack.resource.aws_cloudwatch_log_group[name];
      replaceInStrings(stack, `\${${address}.arn}`, arn);
      stack.removed = [{ from: address, lifecycle: { destroy: false } }];
    },
    // The cost model no longer counts the forgotten log group's storage: a cost line, although AWS still bills it.
    expected: [
      { severity: "warn", kind: "state", address: "aws_cloudwatch_log_group.network_flow-log-group_" },
      { severity: "info", kind: "cost", address: "review" },
    ],
  },
  {
    name: "import-log-group",
    description: `import a log group made outside Terraform (${IMPORTED_LOG_GROUP}) with an import block`,
    how: "AWS API: logs.create_log_group; patched synthesized JSON: a log group like the app's under that name and an import block",
    prepare: async (aws) => {
      await aws.call("logs", "create_log_group", { logGroupName: IMPORTED_LOG_GROUP });
      await aws.call("logs", "put_retention_policy", { logGroupName: IMPORTED_LOG_GROUP, retentionInDays: 30 });
    },
    patch: (stack) => {
      const app = stack.resource.aws_cloudwatch_log_group[byPrefix(stack.resource, "aws_cloudwatch_log_group", "logs_group_")];
      stack.resource.aws_cloudwatch_log_group["review-case_imported"] = { ...JSON.parse(JSON.stringify(app)), name: IMPORTED_LOG_GROUP };
      stack.import = [{ to: "aws_cloudwatch_log_group.review-case_imported", id: IMPORTED_LOG_GROUP }];
    },
    expected: [{ severity: "info", kind: "state", address: "aws_cloudwatch_log_group.review-case_imported", attribute: "id" }],
  },
  {
    name: "move-database",
    description: "rename the DB instance's address with a moved block (the same instance, no change in AWS)",
    how: "patched synthesized JSON: the resource and every reference to it renamed, a moved block added",
    patch: (stack) => {
      const name = byPrefix(stack.resource, "aws_db_instance", "database_instance_");
      const [from, to] = [`aws_db_instance.${name}`, "aws_db_instance.database_instance_moved"];
      stack.resource.aws_db_instance.database_instance_moved = stack.resource.aws_db_instance[name];
      delete stack.resource.aws_db_instance[name];
      replaceInStrings(stack, from, to);
      stack.moved = [{ from, to }];
    },
    expected: [{ severity: "info", kind: "state", address: "aws_db_instance.database_instance_moved", attribute: "address" }],
  },
  {
    name: "drift",
    description: "three changes made in AWS outside Terraform: SSH from anywhere on the RDS security group, the service's desired count (ignored: autoscaling), the app log group's retention",
    how: "AWS API after the other cases: ec2.authorize_security_group_ingress, ecs.update_service, logs.put_retention_policy; then a plan (with refresh) of the unchanged stack",
    outOfBand: async (aws, ctx) => {
      await aws.call("ec2", "authorize_security_group_ingress", {
        GroupId: ctx.state(DRIFT_ADDRESSES.securityGroup()).id,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "drift e2e" }] }],
      });
      const service = ctx.state(DRIFT_ADDRESSES.service());
      await aws.call("ecs", "update_service", { cluster: service.cluster, service: service.name, desiredCount: 2 });
      await aws.call("logs", "put_retention_policy", { logGroupName: ctx.state(DRIFT_ADDRESSES.logGroup()).name, retentionInDays: 1 });
    },
    expected: [
      { severity: "warn", kind: "drift", address: "aws_security_group.security-groups_rds_", attribute: "ingress" },
      { severity: "info", kind: "drift", address: "aws_ecs_service.service_", attribute: "desired_count" },
      { severity: "warn", kind: "drift", address: "aws_cloudwatch_log_group.logs_group_", attribute: "retention_in_days" },
      // moto 5.2.1 reads a parameter group's parameters back empty (e2e/emulator-gaps.ts): drift as Terraform sees it.
      { severity: "info", kind: "drift", address: "aws_db_parameter_group.database_parameters_", attribute: "parameter" },
    ],
  },
];

/** Whether the findings are exactly the expected ones (order-independent); the differences otherwise. */
export function compareFindings(actual: readonly Finding[], expected: readonly ExpectedFinding[]): string[] {
  const left = [...actual];
  const missing: ExpectedFinding[] = [];
  for (const e of expected) {
    const i = left.findIndex((f) => f.severity === e.severity && f.kind === e.kind && f.address.startsWith(e.address) && (e.attribute === undefined || f.attribute === e.attribute));
    if (i >= 0) left.splice(i, 1);
    else missing.push(e);
  }
  return [
    ...missing.map((e) => `missing: ${e.severity} ${e.kind} ${e.address}* ${e.attribute ?? ""}`),
    ...left.map((f) => `unexpected: ${f.severity} ${f.kind} ${f.address} ${f.attribute ?? ""}: ${f.message}`),
  ];
}


/** A fixture case read back: the plan, the stack it was made from, and the base stack. */
export function loadFixtureCase(name: string): { plan: Record<string, any>; stackJson: Record<string, any>; baseStackJson: Record<string, any>; planFile: string } {
  const planFile = path.join(REVIEW_FIXTURES_DIR, name, "plan.json");
  return {
    planFile,
    plan: JSON.parse(fs.readFileSync(planFile, "utf8")),
    stackJson: JSON.parse(fs.readFileSync(path.join(REVIEW_FIXTURES_DIR, name, "cdk.tf.json"), "utf8")),
    baseStackJson: JSON.parse(fs.readFileSync(path.join(REVIEW_FIXTURES_DIR, "base", "stacks", REVIEW_STACK, "cdk.tf.json"), "utf8")),
  };
}

/** The review of a fixture case, as `npm run review -- <case>/plan.json --base base` computes it. */
export function reviewFixture(name: string): StackReview {
  const c = loadFixtureCase(name);
  return reviewPlan({ plan: c.plan, source: `__tests__/fixtures/review/${name}/plan.json`, stackJson: c.stackJson, baseStackJson: c.baseStackJson });
}

/** docs/policy.md, whose "replace the database" example is rendered from the db-replace fixture. */
export const DOCS_FILE = path.join(ROOT, "docs", "policy.md");
const EXAMPLE_START = "<!-- review-example:start -->";
const EXAMPLE_END = "<!-- review-example:end -->";

/** docs/policy.md with the example replaced by the current rendering of the db-replace fixture. */
export function docsWithExample(docs: string): string {
  const start = docs.indexOf(EXAMPLE_START);
  const end = docs.indexOf(EXAMPLE_END);
  if (start < 0 || end < start) throw new Error(`${DOCS_FILE}: markers ${EXAMPLE_START} / ${EXAMPLE_END} missing`);
  const rendered = renderMarkdown([reviewFixture("db-replace")]).trimEnd();
  return `${docs.slice(0, start + EXAMPLE_START.length)}\n\n${rendered}\n\n${docs.slice(end)}`;
}

/** Terraform's summary line of a `terraform plan` output ("Plan: …" or "No changes."). */
export function terraformSummary(planOutput: string): string {
  const lines = planOutput.split("\n").map((l) => l.trim());
  const plan = [...lines].reverse().find((l) => l.startsWith("Plan: "));
  if (plan) return plan;
  if (lines.some((l) => l.startsWith("No changes."))) return "No changes.";
  throw new Error(`no "Plan:" or "No changes." line in the terraform plan output:\n${planOutput.slice(-1500)}`);
}

/**
 * The review's counts as Terraform's summary counts them (hashicorp/terraform
 * internal/command/jsonformat/plan.go `renderHuman`): to add = create + replace, to change = update,
 * to destroy = delete + replace, to import = the importing changes; a move or an import without a
 * change counts nowhere; "to forget" only when Terraform prints it. Compared number by number with
 * `summary`; returns the differences.
 */
export function countsAgainstSummary(counts: StackReview["counts"], summary: string): string[] {
  const ours: Record<string, number> = { import: counts.import, add: counts.create + counts.replace, change: counts.update, destroy: counts.delete + counts.replace, forget: counts.forget };
  const theirs: Record<string, number> = { import: 0, add: 0, change: 0, destroy: 0 };
  if (summary !== "No changes.") {
    for (const m of summary.matchAll(/(\d+) to (import|add|change|destroy|forget)/g)) theirs[m[2]] = Number(m[1]);
  }
  return Object.keys(theirs)
    .filter((k) => ours[k] !== theirs[k])
    .map((k) => `${k}: review ${ours[k]}, terraform ${theirs[k]}`);
}
