/**
 * Rollout (info): what a change does to the running workspace. A new task definition revision (image
 * tag before → after, environment variables added/removed/changed, non-secret values shown, secrets by
 * name only); the ECS service's rolling deployment (min/max percent, circuit breaker) and whether the
 * migration container migrates the schema (the ZenML image changed); DB changes that reboot or fail
 * over (instance class, engine version, ...) and when (apply_immediately or the maintenance window).
 */
import { Container, containersOf, imageTag } from "./containers";
import { Finding, findingOf } from "./model";
import { ResourceChange, UNKNOWN, display, formatValue, readable } from "./plan";
import { HIDDEN, SECRET_NAME } from "./secrets";

const info = findingOf("info", "rollout", "review/rollout/task-definition");
const serviceInfo = findingOf("info", "rollout", "review/rollout/service");
const dbInfo = findingOf("info", "rollout", "review/rollout/database");

/** Environment variable values under secret-like names are never shown, even from the plain `environment`. */
const envValue = (name: string, value: string) => (SECRET_NAME.test(name) ? HIDDEN : formatValue(value, 60));

/** The container that runs the schema migration (`zenml migrate-database`), if any. */
const isMigration = (c: Container) => c.name.includes("migrat") || c.command.some((x) => x.includes("migrate-database"));

function containerChanges(before: Container[], after: Container[]): string[] {
  const out: string[] = [];
  for (const c of after) {
    const old = before.find((b) => b.name === c.name);
    if (!old) {
      out.push(`container ${c.name} added (${c.image ?? "no image"})`);
      continue;
    }
    if (old.image !== c.image) out.push(`${c.name}: image ${imageTag(old.image)} → ${imageTag(c.image)}`);
    const added = [...c.environment.keys()].filter((k) => !old.environment.has(k));
    const removed = [...old.environment.keys()].filter((k) => !c.environment.has(k));
    const changed = [...c.environment.keys()].filter((k) => old.environment.has(k) && old.environment.get(k) !== c.environment.get(k));
    if (added.length) out.push(`${c.name}: env added ${added.map((k) => `${k}=${envValue(k, c.environment.get(k)!)}`).join(", ")}`);
    if (removed.length) out.push(`${c.name}: env removed ${removed.join(", ")}`);
    if (changed.length) out.push(`${c.name}: env changed ${changed.map((k) => `${k} ${envValue(k, old.environment.get(k)!)} → ${envValue(k, c.environment.get(k)!)}`).join(", ")}`);
    const sAdded = [...c.secrets.keys()].filter((k) => !old.secrets.has(k));
    const sRemoved = [...old.secrets.keys()].filter((k) => !c.secrets.has(k));
    if (sAdded.length) out.push(`${c.name}: secrets added ${sAdded.join(", ")}`);
    if (sRemoved.length) out.push(`${c.name}: secrets removed ${sRemoved.join(", ")}`);
    if (JSON.stringify(old.command) !== JSON.stringify(c.command)) out.push(`${c.name}: command changed`);
  }
  for (const old of before) if (!after.some((c) => c.name === old.name)) out.push(`container ${old.name} removed`);
  return out;
}

/** The server image tag before and after (the container that is not the migration one and has an image). */
function serverImages(before: Container[], after: Container[]): [string | undefined, string | undefined] {
  const pick = (list: Container[]) => list.find((c) => c.image && !isMigration(c) && !c.name.includes("volume"))?.image;
  return [imageTag(pick(before)), imageTag(pick(after))];
}

function taskDefinitionFindings(rc: ResourceChange): Finding[] {
  if (rc.action !== "replace" && rc.action !== "update") return [];
  const before = containersOf(rc, "before");
  const after = containersOf(rc, "after");
  if (after === "sensitive" || before === "sensitive") return [info(rc, "new task definition revision: container definitions are sensitive, not shown", "container_definitions", "(sensitive)", "(sensitive)")];
  if (after === "unknown" || !Array.isArray(before) || !Array.isArray(after)) {
    const oldTag = Array.isArray(before) ? serverImages(before, [])[0] : undefined;
    return [info(rc, "new task definition revision: the container definitions are known only after apply (they reference values that change in this plan)", "container_definitions", oldTag ?? "(none)", UNKNOWN)];
  }
  const changes = containerChanges(before, after);
  const [oldTag, newTag] = serverImages(before, after);
  return [
    info(
      rc,
      `new task definition revision${changes.length ? `: ${changes.join("; ")}` : " (container definitions unchanged; other task settings changed)"}`,
      "container_definitions",
      oldTag,
      newTag,
    ),
  ];
}

function serviceFindings(rc: ResourceChange, all: readonly ResourceChange[]): Finding[] {
  if (rc.action !== "update" || display(rc, "before", ["task_definition"]) === display(rc, "after", ["task_definition"])) return [];
  const min = readable(rc, "after", ["deployment_minimum_healthy_percent"]);
  const max = readable(rc, "after", ["deployment_maximum_percent"]);
  const breaker = readable(rc, "after", ["deployment_circuit_breaker", 0]) ?? readable(rc, "after", ["deployment_circuit_breaker"]);
  const desired = readable(rc, "after", ["desired_count"]);
  const parts = [
    `rolling deployment of every task: ECS starts new tasks up to ${max ?? 200} % of the desired count${desired !== undefined ? ` (${desired})` : ""} and keeps at least ${min ?? 100} % healthy until the old ones drain`,
    breaker?.enable ? `the circuit breaker ${breaker.rollback ? "rolls back" : "stops"} a deployment that does not become healthy` : "no deployment circuit breaker",
  ];
  // The migration: the task definitions the service points at, before and after.
  const td = all.find((c) => c.type === "aws_ecs_task_definition" && (c.action === "replace" || c.action === "update"));
  if (td) {
    const before = containersOf(td, "before");
    const after = containersOf(td, "after");
    if (Array.isArray(before) && Array.isArray(after)) {
      const migration = after.find(isMigration);
      const [oldTag, newTag] = serverImages(before, after);
      if (migration && oldTag !== newTag) {
        parts.push(`the ${migration.name} container runs the schema migration ${oldTag} → ${newTag} once (under its lock) before the new servers start; the old tasks keep serving on the old schema until they drain`);
      } else if (migration) parts.push(`the image is unchanged (${newTag}): ${migration.name} finds no migration to run`);
    }
  }
  return [serviceInfo(rc, parts.join("; "), "task_definition", display(rc, "before", ["task_definition"]), display(rc, "after", ["task_definition"]))];
}

/** DB attributes whose change restarts or fails over the instance, and what happens. */
const DB_DISRUPTIVE: Readonly<Record<string, (multiAz: boolean) => string>> = {
  instance_class: (m) => (m ? "a Multi-AZ failover to the resized standby (about 1-2 minutes of connection errors)" : "a reboot into the new class: downtime of several minutes (Single-AZ)"),
  engine_version: () => "an engine upgrade: downtime while both primary and standby upgrade (minutes); take a snapshot first",
  multi_az: (m) => (m ? "a standby is created (no downtime, I/O may slow)" : "the standby is removed"),
  storage_type: () => "a storage migration (no downtime, performance may drop for hours)",
  allocated_storage: () => "storage grows online (no downtime; the next change must wait 6 hours)",
  iops: () => "IOPS change online",
  parameter_group_name: () => "a new parameter group: static parameters apply only after a reboot",
  ca_cert_identifier: () => "a new CA: the instance restarts",
};

function databaseFindings(rc: ResourceChange): Finding[] {
  if (rc.type !== "aws_db_instance" || rc.action !== "update") return [];
  const immediately = readable(rc, "after", ["apply_immediately"]) === true;
  const window = readable(rc, "after", ["maintenance_window"]);
  const multiAz = readable(rc, "after", ["multi_az"]) === true;
  const when = immediately ? "during this apply (apply_immediately = true)" : `in the next maintenance window${window ? ` (${window} UTC)` : ""} (apply_immediately = false)`;
  const out: Finding[] = [];
  for (const [attr, effect] of Object.entries(DB_DISRUPTIVE)) {
    const b = display(rc, "before", [attr]);
    const a = display(rc, "after", [attr]);
    if (b === a) continue;
    out.push(dbInfo(rc, `${attr} ${b} → ${a}: ${effect(multiAz)}, ${when}`, attr, b, a));
  }
  return out;
}

/** Rollout findings of one change (`all`: every change of the plan, for the service's task definition). */
export function rolloutFindings(rc: ResourceChange, all: readonly ResourceChange[]): Finding[] {
  if (rc.mode !== "managed") return [];
  switch (rc.type) {
    case "aws_ecs_task_definition":
      return taskDefinitionFindings(rc);
    case "aws_ecs_service":
      return serviceFindings(rc, all);
    case "aws_db_instance":
      return databaseFindings(rc);
    default:
      return [];
  }
}
