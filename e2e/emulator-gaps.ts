/**
 * The documented allow-list of emulator gaps for the second plan, and the check that applies it.
 *
 * After `apply`, a second `terraform plan` against real AWS is empty. Against moto 5.2 a few
 * attributes come back different because moto does not store or return them, so Terraform proposes
 * to set them again. Each such (resource type, attribute) is listed here with the reason; anything
 * else in the second plan (another attribute, a create, a delete, a replacement, an output change)
 * fails the suite. Keep this list to what is actually observed (the suite reports unused entries).
 */

import { PRESETS } from "../lib/config/schema";

/** One accepted re-plan difference. */
export interface EmulatorGap {
  readonly resourceType: string;
  readonly attribute: string;
  /** Why moto makes Terraform plan this again (one line). */
  readonly reason: string;
  /** Accept only "known after apply" (never a concrete different value). */
  readonly unknownOnly?: boolean;
}

/** The allow-list (also documented in e2e/README.md). */
export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    resourceType: "aws_db_parameter_group",
    attribute: "parameter",
    reason: "moto's DescribeDBParameters returns the modified parameters without Source=user, so the provider reads back an empty set",
  },
  {
    resourceType: "aws_db_instance",
    attribute: "monitoring_interval",
    reason: "moto does not store enhanced monitoring (MonitoringInterval is absent from DescribeDBInstances)",
  },
  {
    resourceType: "aws_db_instance",
    attribute: "monitoring_role_arn",
    reason: "moto does not store enhanced monitoring (MonitoringRoleArn is absent from DescribeDBInstances)",
  },
  {
    resourceType: "aws_db_instance",
    attribute: "performance_insights_enabled",
    reason: "moto does not store Performance Insights settings",
  },
  {
    resourceType: "aws_db_instance",
    attribute: "performance_insights_kms_key_id",
    reason: "moto does not store Performance Insights settings",
  },
  {
    resourceType: "aws_db_instance",
    attribute: "performance_insights_retention_period",
    reason: "moto does not store Performance Insights settings",
  },
  {
    resourceType: "aws_ecs_service",
    attribute: "health_check_grace_period_seconds",
    reason: "moto's ECS service model has no healthCheckGracePeriodSeconds (DescribeServices omits it)",
  },
  {
    resourceType: "aws_ecs_service",
    attribute: "availability_zone_rebalancing",
    reason: "moto does not implement availabilityZoneRebalancing (DescribeServices omits it)",
  },
  {
    resourceType: "aws_ecs_service",
    attribute: "enable_ecs_managed_tags",
    reason: "moto does not store enableECSManagedTags (DescribeServices omits it)",
  },
  {
    resourceType: "aws_iam_role_policy",
    attribute: "policy",
    unknownOnly: true,
    reason:
      "known only after apply: its aws_iam_policy_document is read during apply because it references aws_db_instance or aws_ecs_service (the rotation redeploy's ecs:UpdateService resource), which have the gap updates above pending (a concrete policy change is not accepted)",
  },
];

/** Terraform's `action_reason` for a data source deferred behind a pending change. */
export const DEFERRED_READ_REASON = "read_because_dependency_pending";

/** A difference the allow-list accepted. */
export interface AcceptedChange {
  readonly address: string;
  readonly resourceType: string;
  readonly attribute: string;
  readonly detail: string;
  readonly reason: string;
}

/** Result of {@link checkSecondPlan}. */
export interface PlanCheck {
  readonly accepted: AcceptedChange[];
  /** Data sources read during apply only because of an accepted change. */
  readonly deferredReads: string[];
  /** Everything not allowed (the test fails when non-empty). */
  readonly rejected: string[];
  /** Resources refreshed with values different from the state (informational). */
  readonly drift: string[];
}

interface ResourceChange {
  address: string;
  mode: "managed" | "data";
  type: string;
  action_reason?: string;
  change: { actions: string[]; before: any; after: any; after_unknown?: any };
}

interface PlanJson {
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
  resource_drift?: ResourceChange[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, normalize((v as Record<string, unknown>)[k])]));
  }
  return v;
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? "null" : s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/**
 * Checks the `terraform show -json` of the second plan against {@link EMULATOR_GAPS}: only in-place
 * updates of allow-listed attributes, and data-source reads deferred behind them, are accepted.
 */
export function checkSecondPlan(plan: PlanJson, gaps: readonly EmulatorGap[] = EMULATOR_GAPS): PlanCheck {
  const accepted: AcceptedChange[] = [];
  const deferredReads: string[] = [];
  const rejected: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const { actions, before, after } = rc.change;
    const unknown = rc.change.after_unknown ?? {};
    if (actions.length === 1 && actions[0] === "no-op") continue;
    if (rc.mode === "data") {
      if (actions.length === 1 && actions[0] === "read" && rc.action_reason === DEFERRED_READ_REASON) deferredReads.push(rc.address);
      else rejected.push(`${rc.address}: data source ${actions.join("+")} (${rc.action_reason ?? "no reason"})`);
      continue;
    }
    if (!(actions.length === 1 && actions[0] === "update")) {
      rejected.push(`${rc.address}: ${actions.join("+")} (only in-place updates of allow-listed attributes are accepted)`);
      continue;
    }
    const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {}), ...Object.keys(unknown)]);
    for (const attr of [...keys].sort()) {
      const isUnknown = unknown[attr] === true;
      if (!isUnknown && same(before?.[attr], after?.[attr])) continue;
      const detail = isUnknown ? `${short(before?.[attr])} -> (known after apply)` : `${short(before?.[attr])} -> ${short(after?.[attr])}`;
      const gap = gaps.find((g) => g.resourceType === rc.type && g.attribute === attr && (!g.unknownOnly || isUnknown));
      if (gap) accepted.push({ address: rc.address, resourceType: rc.type, attribute: attr, detail, reason: gap.reason });
      else rejected.push(`${rc.address}.${attr}: ${detail}`);
    }
  }
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    if (!(oc.actions.length === 1 && oc.actions[0] === "no-op")) rejected.push(`output.${name}: ${oc.actions.join("+")}`);
  }
  if (accepted.length === 0 && deferredReads.length > 0) {
    rejected.push(...deferredReads.map((a) => `${a}: deferred read without an accepted change to explain it`));
  }
  const drift = (plan.resource_drift ?? []).map((d) => `${d.address} (${d.change.actions.join("+")})`);
  return { accepted, deferredReads, rejected, drift };
}

/**
 * Features moto 5.2.1 cannot emulate at all (the API is missing, so `apply` would fail), switched off
 * in the e2e copy of every workspace file, and listed as fixtures in the log and report. Unit tests
 * (`__tests__/disaster-recovery.test.ts`) and `terraform validate` still cover what they synthesize.
 */
export interface EmulatorDisabledSetting {
  /** Config field (dotted path) set to `value` in the e2e copy. */
  readonly field: string;
  readonly value: boolean;
  /** Fields only allowed with the feature on, removed with it. */
  readonly dependentFields: readonly string[];
  /** The missing API (one line). */
  readonly reason: string;
}

/** The list (also documented in e2e/README.md). */
export const EMULATOR_DISABLED_SETTINGS: readonly EmulatorDisabledSetting[] = [
  {
    field: "database.backupReplication",
    value: false,
    dependentFields: ["database.backupReplicationRegion"],
    reason: "moto 5.2.1 has no RDS StartDBInstanceAutomatedBackupsReplication (moto/rds/responses.py only answers DescribeDBInstanceAutomatedBackups)",
  },
  {
    field: "database.restoreTesting",
    value: false,
    dependentFields: ["database.restoreTestingSchedule"],
    reason: "moto 5.2.1's AWS Backup has plans, vaults and report plans only: no CreateBackupSelection and no restore testing plans or selections (moto/backup/responses.py)",
  },
];

/**
 * Applies {@link EMULATOR_DISABLED_SETTINGS} to a raw workspace file where the file or its preset turns
 * the feature on; returns one line per switched-off setting for the log and report.
 */
export function disableUnemulatedFeatures(config: Record<string, any>): string[] {
  const lines: string[] = [];
  for (const s of EMULATOR_DISABLED_SETTINGS) {
    const [section, key] = s.field.split(".");
    const presetValue = (PRESETS as unknown as Record<string, Record<string, Record<string, unknown> | undefined>>)[config.preset]?.[section]?.[key];
    if ((config[section]?.[key] ?? presetValue) === s.value) continue;
    config[section] = { ...(config[section] ?? {}), [key]: s.value };
    for (const dependent of s.dependentFields) delete config[section][dependent.split(".")[1]];
    lines.push(`config: ${s.field}=${s.value} (not emulated: ${s.reason})`);
  }
  return lines;
}

/**
 * What `npm run verify` cannot prove against moto and an offline machine (the e2e verify step of
 * config/dev): skipped checks are run with `--skip` and reported as not checked, vacuous ones pass
 * without evidence; every entry is listed in the e2e report. Unit tests
 * (`__tests__/verify.test.ts`) cover each of these checks failing and passing with real AWS answers.
 */
export interface VerifyGap {
  /** The verify check id (scripts/verify/checks.ts CHECK_IDS). */
  readonly check: string;
  /** skipped: run with --skip; vacuous: passes on moto without anything to inspect; stand-in: served by the harness. */
  readonly handling: "skipped" | "vacuous" | "stand-in";
  readonly reason: string;
}

/** The list (also documented in e2e/README.md). */
export const VERIFY_GAPS: readonly VerifyGap[] = [
  { check: "targets", handling: "skipped", reason: "moto's ECS runs no tasks and registers nothing with the target group, so DescribeTargetHealth lists no targets (moto/ecs/models.py, moto/elbv2/models.py)" },
  { check: "dns", handling: "skipped", reason: "offline: the config's domain and moto's ALB DNS name resolve nowhere" },
  { check: "stopped-tasks", handling: "vacuous", reason: "moto's ECS starts no tasks for a service, so ListTasks(desiredStatus=STOPPED) is empty" },
  { check: "https", handling: "stand-in", reason: "no ALB and no Fargate task: --url points at HTTPS on 127.0.0.1 (a test CA passed with --ca) in front of the real zenml[server] of the stack's release, started from the synthesized task definition (e2e/zenml-server.ts; the control plane is a loopback stand-in, the database MariaDB)" },
  { check: "service", handling: "stand-in", reason: "moto fixes runningCount and the deployment's rolloutState when a service is created, from MOTO_ECS_SERVICE_RUNNING (moto/ecs/models.py Service.__init__): the step sets it through the launcher's hook and creates the ECS service again (DeleteService, CreateService with the same parameters)" },
];
