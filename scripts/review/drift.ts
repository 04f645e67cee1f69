/**
 * Drift: the objects changed outside Terraform (`resource_drift`: `before` is what Terraform recorded,
 * `after` what the refresh read). Each changed attribute is one finding labelled "changed outside
 * Terraform" with before → after (sensitive values never shown). An attribute the stack lists in
 * `lifecycle.ignore_changes` is expected (info). Otherwise, when the plan reverts the change (a normal
 * plan: its resource change sets the attribute back; a refresh-only plan: the stack configures the
 * attribute, so the next apply sets it back) on a resource that holds data, it is a warn; on a
 * resource that guards access (security groups, IAM, KMS, bucket policies, listeners) it is always a
 * warn, reverted or not (access was changed by hand); anything else is info.
 */
import { DATA_HOLDING } from "./data-loss";
import { Finding, findingOf } from "./model";
import { ResourceChange, SENSITIVE, at, display, formatValue, readableObject } from "./plan";
import { ingressOf } from "./security";

type Json = Record<string, any>;

const revertedWarn = findingOf("warn", "drift", "review/drift/reverted");
const securityWarn = findingOf("warn", "drift", "review/drift/security");
const driftInfo = findingOf("info", "drift", "review/drift/changed");
const expectedInfo = findingOf("info", "drift", "review/drift/expected");

/** Resource types that guard access (a change outside Terraform is a security question). */
const SECURITY_TYPE =
  /^aws_(security_group|security_group_rule|default_security_group|vpc_security_group_(ingress|egress)_rule|network_acl|iam_.*|kms_.*|s3_bucket_(policy|public_access_block|server_side_encryption_configuration|acl)|lb_listener|wafv2_.*|secretsmanager_secret_policy|cloudwatch_log_resource_policy)$/;

/** Attributes that only echo others (`tags_all` repeats `tags` plus the provider's default tags). */
const ECHOES: Readonly<Record<string, string>> = { tags_all: "tags" };

/** Whether the stack's configuration of the resource lists `attr` in ignore_changes (or ignores all). */
function ignored(stackJson: Json | undefined, rc: ResourceChange, attr: string): boolean {
  const list = stackJson?.resource?.[rc.type]?.[rc.name]?.lifecycle?.ignore_changes;
  if (list === "all") return true;
  return Array.isArray(list) && list.some((x: unknown) => x === attr || x === "all");
}

/** Whether the plan sets `attr` back: its own change moves the attribute away from what the refresh read. */
function reverted(rc: ResourceChange, attr: string, planned: ResourceChange | undefined, refreshOnly: boolean, stackJson: Json | undefined): boolean {
  if (rc.action === "delete") return true; // the object is gone: the next apply creates it again
  if (refreshOnly) {
    const body = stackJson?.resource?.[rc.type]?.[rc.name];
    return body ? body[attr] !== undefined : true;
  }
  if (!planned || !["update", "replace", "create"].includes(planned.action)) return false;
  return JSON.stringify(at(planned.change.after, [attr])) !== JSON.stringify(at(rc.change.after, [attr])) || !!planned.change.after_unknown?.[attr];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** before → after of a security group's inline rules, as the rules added and removed. */
function rulesChange(rc: ResourceChange): string | undefined {
  if (rc.type !== "aws_security_group" && rc.type !== "aws_default_security_group") return undefined;
  const show = (r: { ports: string; cidrs: string[]; peers: string[] }) => `${r.ports} ← ${[...r.cidrs, ...r.peers].join(", ")}`;
  const before = ingressOf(rc.type, readableObject(rc, "before")).map(show);
  const after = ingressOf(rc.type, readableObject(rc, "after")).map(show);
  const added = after.filter((r) => !before.includes(r));
  const removed = before.filter((r) => !after.includes(r));
  return [added.length ? `rule added ${added.join("; ")}` : "", removed.length ? `rule removed ${removed.join("; ")}` : ""].filter(Boolean).join("; ") || undefined;
}

/**
 * Drift findings of a plan: `drift` its `resource_drift`, `planned` its resource changes (to tell
 * whether the plan reverts the drift), `refreshOnly` for a `terraform plan -refresh-only` plan.
 */
export function driftFindings(drift: readonly ResourceChange[], planned: readonly ResourceChange[], stackJson: Json | undefined, refreshOnly: boolean): Finding[] {
  const byAddress = new Map(planned.map((c) => [c.address, c]));
  const out: Finding[] = [];
  for (const rc of drift) {
    if (rc.mode !== "managed") continue;
    const security = SECURITY_TYPE.test(rc.type);
    const guarded = !!DATA_HOLDING[rc.type] || security;
    const plan = byAddress.get(rc.address);
    if (rc.action === "delete") {
      const msg = `changed outside Terraform: deleted in AWS; ${refreshOnly ? "the next apply creates it again" : plan?.action === "create" ? "this plan creates it again" : "Terraform forgets it"}${DATA_HOLDING[rc.type] ? ` (${DATA_HOLDING[rc.type]})` : ""}`;
      out.push((security ? securityWarn : guarded ? revertedWarn : driftInfo)(rc, msg, undefined, "(exists)", "(deleted)"));
      continue;
    }
    const before = (rc.change.before ?? {}) as Json;
    const after = (rc.change.after ?? {}) as Json;
    const attrs = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const changed = attrs.filter((a) => !same(before[a], after[a]) || display(rc, "before", [a]) !== display(rc, "after", [a]));
    for (const attr of changed) {
      const echo = ECHOES[attr];
      if (echo && changed.includes(echo)) continue;
      const b = display(rc, "before", [attr]);
      const a = display(rc, "after", [attr]);
      const rules = (attr === "ingress" || attr === "egress") && b !== SENSITIVE && a !== SENSITIVE ? rulesChange(rc) : undefined;
      const what = `changed outside Terraform: ${attr} ${rules ?? `${formatValue(b, 60)} → ${formatValue(a, 60)}`}`;
      if (ignored(stackJson, rc, attr)) {
        out.push(expectedInfo(rc, `${what}; expected: lifecycle.ignore_changes lists ${attr}, so Terraform keeps the value AWS has`, attr, b, a));
        continue;
      }
      const reverts = reverted(rc, attr, plan, refreshOnly, stackJson);
      const consequence = reverts
        ? `${refreshOnly ? "the next apply sets it back" : "this plan sets it back"} to ${formatValue(b, 60)}`
        : "the configuration does not set it, so Terraform keeps the value AWS has (record it with terraform apply -refresh-only)";
      out.push((security ? securityWarn : reverts && guarded ? revertedWarn : driftInfo)(rc, `${what}; ${consequence}`, attr, b, a));
    }
  }
  return out;
}
