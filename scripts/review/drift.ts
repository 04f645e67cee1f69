/**
 * Drift: the objects changed outside Terraform (`resource_drift`: `before` is what Terraform recorded,
 * `after` what the refresh read). Each changed attribute is one finding labelled "changed outside
 * Terraform" with before → after (sensitive values never shown).
 *
 * Terraform lists an object as drifted when any attribute it read back differs from the state, and
 * most such differences are not changes anyone made: computed attributes that move on their own
 * (`latest_restorable_time`), a null read back as `{}` or `false`, the legacy S3 bucket attributes or a
 * security group's `ingress` filled in by the separate rule resources after the group was created. So
 * an attribute is drift only when the stack configures it (its `cdk.tf.json` body sets it; without the
 * stack JSON, every attribute), or Terraform names it in `relevant_attributes`, or it is a security
 * group's rules (with the rules the stack's own rule resources hold taken out); and only when the values
 * differ once empty values (null, "", [], {}, false) are taken as equal and JSON strings compared
 * parsed. In a normal plan, a configured attribute the plan leaves alone is the provider seeing no
 * difference (a representation change), not drift. In a refresh-only plan (nothing to tell), an
 * attribute whose recorded non-empty values are all still there (a refresh only filled in defaults) is
 * not drift either.
 *
 * Severity: an attribute the stack lists in `lifecycle.ignore_changes` is expected (info). Drift on a
 * resource that guards access (security groups, IAM, KMS, bucket policies, listeners) is a warn,
 * reverted or not (access was changed by hand); on a resource that holds data, a warn when the plan
 * sets it back (a normal plan: its own change moves the attribute away from what AWS has; a
 * refresh-only plan: the stack configures it, so the next apply does); anything else is info.
 */
import { DATA_HOLDING } from "./data-loss";
import { Finding, findingOf } from "./model";
import { ResourceChange, SENSITIVE, at, display, formatValue, readableObject } from "./plan";

type Json = Record<string, any>;

const revertedWarn = findingOf("warn", "drift", "review/drift/reverted");
const securityWarn = findingOf("warn", "drift", "review/drift/security");
const driftInfo = findingOf("info", "drift", "review/drift/changed");
const expectedInfo = findingOf("info", "drift", "review/drift/expected");

/** Resource types that guard access (a change outside Terraform is a security question). */
const SECURITY_TYPE =
  /^aws_(security_group|security_group_rule|default_security_group|vpc_security_group_(ingress|egress)_rule|network_acl|iam_.*|kms_.*|s3_bucket_(policy|public_access_block|server_side_encryption_configuration|acl)|lb_listener|wafv2_.*|secretsmanager_secret_policy|cloudwatch_log_resource_policy)$/;

/** Security groups, whose `ingress`/`egress` are drift even when the stack writes its rules as separate resources. */
const GROUP_TYPES = new Set(["aws_security_group", "aws_default_security_group"]);
const RULE_ATTRIBUTES = new Set(["ingress", "egress"]);

/** Keys of a resource body that are not attributes. */
const META = new Set(["//", "lifecycle", "depends_on", "provider", "count", "for_each", "provisioner", "connection"]);

/** A value with empty parts (null, "", [], {}, false) dropped, JSON strings parsed, lists sorted: for "did it change". */
function norm(v: unknown): unknown {
  if (v === null || v === undefined || v === "" || v === false) return undefined;
  if (typeof v === "string" && /^\s*[[{]/.test(v)) {
    try {
      return norm(JSON.parse(v));
    } catch {
      return v;
    }
  }
  if (Array.isArray(v)) {
    const items = v.map(norm).filter((x) => x !== undefined);
    return items.length ? items.map((x) => JSON.stringify(x)).sort() : undefined;
  }
  if (typeof v === "object") {
    const entries = Object.entries(v as Json)
      .map(([k, x]) => [k, norm(x)] as const)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v;
}
const same = (a: unknown, b: unknown) => JSON.stringify(norm(a)) === JSON.stringify(norm(b));

const parsed = (v: unknown): unknown => {
  if (typeof v === "string" && /^\s*[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
};

/**
 * Whether `actual` still holds everything `recorded` has (its non-empty leaves, lists as sets): what a
 * refresh only added (a computed default, `null` read back as `0`) is not a change anyone made.
 */
function covers(recorded: unknown, actual: unknown): boolean {
  const r = parsed(recorded);
  const a = parsed(actual);
  if (norm(r) === undefined) return true;
  if (Array.isArray(r)) return Array.isArray(a) && r.every((x) => norm(x) === undefined || a.some((y) => covers(x, y)));
  if (r && typeof r === "object") return !!a && typeof a === "object" && !Array.isArray(a) && Object.entries(r as Json).every(([k, x]) => covers(x, (a as Json)[k]));
  return String(r) === String(a);
}

/** Whether the stack's configuration of the resource lists `attr` in ignore_changes (or ignores all). */
function ignored(body: Json | undefined, attr: string): boolean {
  const list = body?.lifecycle?.ignore_changes;
  if (list === "all") return true;
  return Array.isArray(list) && list.some((x: unknown) => x === attr || x === "all");
}

/** One security group rule, one port range and one source: `ingress 22/tcp ← 0.0.0.0/0`. */
type Atom = string;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === "" ? [] : [String(v)]);
const portsOf = (from: unknown, to: unknown, protocol: unknown) =>
  String(protocol) === "-1" || String(protocol) === "all" ? "all ports" : from === to ? `${from}/${protocol}` : `${from}-${to}/${protocol}`;

/** The rule atoms of a group's inline `ingress`/`egress` blocks. */
function groupAtoms(values: Json | undefined, direction: string): Atom[] {
  const blocks: Json[] = Array.isArray(values?.[direction]) ? values![direction] : [];
  return blocks.flatMap((r) => {
    const ports = portsOf(r.from_port, r.to_port, r.protocol);
    const sources = [...list(r.cidr_blocks), ...list(r.ipv6_cidr_blocks), ...list(r.security_groups).map((g) => g.replace(/^\d+\//, "")), ...list(r.prefix_list_ids), ...(r.self ? ["self"] : [])];
    return sources.map((s) => `${direction} ${ports} ← ${s}`);
  });
}

/**
 * The rule atoms the stack's own rule resources hold, by security group ID: read from the plan's
 * planned and prior values (`aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`/`egress_rule`).
 */
function managedAtoms(plan: Json | undefined): Map<string, Set<Atom>> {
  const out = new Map<string, Set<Atom>>();
  const add = (group: unknown, atom: Atom) => {
    if (typeof group !== "string") return;
    if (!out.has(group)) out.set(group, new Set());
    out.get(group)!.add(atom);
  };
  const walk = (module: Json | undefined) => {
    for (const r of (module?.resources ?? []) as Json[]) {
      const v = r.values ?? {};
      if (r.type === "aws_security_group_rule") {
        const ports = portsOf(v.from_port, v.to_port, v.protocol);
        const sources = [...list(v.cidr_blocks), ...list(v.ipv6_cidr_blocks), ...list(v.source_security_group_id), ...list(v.prefix_list_ids), ...(v.self ? ["self"] : [])];
        for (const s of sources) add(v.security_group_id, `${v.type} ${ports} ← ${s}`);
      } else if (r.type === "aws_vpc_security_group_ingress_rule" || r.type === "aws_vpc_security_group_egress_rule") {
        const direction = r.type.endsWith("ingress_rule") ? "ingress" : "egress";
        const ports = portsOf(v.from_port, v.to_port, v.ip_protocol);
        for (const s of [...list(v.cidr_ipv4), ...list(v.cidr_ipv6), ...list(v.referenced_security_group_id), ...list(v.prefix_list_id)]) add(v.security_group_id, `${direction} ${ports} ← ${s}`);
      }
    }
    for (const child of (module?.child_modules ?? []) as Json[]) walk(child);
  };
  walk(plan?.planned_values?.root_module);
  walk(plan?.prior_state?.values?.root_module);
  return out;
}

/** The rules of a group added and removed outside Terraform (the stack's own rule resources taken out). */
function rulesChange(rc: ResourceChange, direction: string, managed: Map<string, Set<Atom>>): string | undefined {
  const before = new Set(groupAtoms(readableObject(rc, "before"), direction));
  const after = new Set(groupAtoms(readableObject(rc, "after"), direction));
  const group = readableObject(rc, "after")?.id ?? readableObject(rc, "before")?.id;
  const own = managed.get(group) ?? new Set<Atom>();
  const mine = (a: Atom) => own.has(a);
  const strip = (a: Atom) => a.slice(direction.length + 1);
  const added = [...after].filter((a) => !before.has(a) && !mine(a)).map(strip);
  const removed = [...before].filter((a) => !after.has(a) && !mine(a)).map(strip);
  return [added.length ? `rule added ${added.join("; ")}` : "", removed.length ? `rule removed ${removed.join("; ")}` : ""].filter(Boolean).join("; ") || undefined;
}

/** Whether the plan sets `attr` back: its own change moves the attribute away from what the refresh read. */
function revertedByPlan(rc: ResourceChange, attr: string, planned: ResourceChange | undefined): boolean {
  if (!planned || !["update", "replace", "create"].includes(planned.action)) return false;
  return !same(at(planned.change.after, [attr]), at(rc.change.after, [attr])) || !!planned.change.after_unknown?.[attr];
}

/** Drift findings options. */
export interface DriftContext {
  /** The synthesized stack (its resource bodies: configured attributes, ignore_changes). */
  readonly stackJson?: Json;
  /** The plan (relevant_attributes, the stack's own security group rules). */
  readonly plan?: Json;
  /** A `terraform plan -refresh-only` plan: nothing in it reverts drift; the next apply does. */
  readonly refreshOnly: boolean;
}

/**
 * Drift findings of a plan: `drift` its `resource_drift`, `planned` its resource changes (to tell
 * whether the plan reverts the drift).
 */
export function driftFindings(drift: readonly ResourceChange[], planned: readonly ResourceChange[], ctx: DriftContext): Finding[] {
  const byAddress = new Map(planned.filter((c) => !c.deposed).map((c) => [c.address, c]));
  const relevant = new Set(((ctx.plan?.relevant_attributes ?? []) as Json[]).map((r) => `${r.resource}|${Array.isArray(r.attribute) ? r.attribute[0] : ""}`));
  const managed = managedAtoms(ctx.plan);
  const out: Finding[] = [];
  for (const rc of drift) {
    if (rc.mode !== "managed" || rc.deposed) continue;
    const security = SECURITY_TYPE.test(rc.type);
    const guarded = !!DATA_HOLDING[rc.type] || security;
    const plan = byAddress.get(rc.address);
    const body: Json | undefined = ctx.stackJson?.resource?.[rc.type]?.[rc.name];
    if (rc.action === "delete") {
      const again = ctx.refreshOnly ? "the next apply creates it again" : plan?.action === "create" ? "this plan creates it again" : "Terraform forgets it";
      const msg = `changed outside Terraform: deleted in AWS; ${again}${DATA_HOLDING[rc.type] ? ` (${DATA_HOLDING[rc.type]})` : ""}`;
      out.push((security ? securityWarn : guarded ? revertedWarn : driftInfo)(rc, msg, undefined, "(exists)", "(deleted)"));
      continue;
    }
    const before = (rc.change.before ?? {}) as Json;
    const after = (rc.change.after ?? {}) as Json;
    const attrs = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const attr of attrs) {
      if (META.has(attr)) continue;
      const sensitiveChange = display(rc, "before", [attr]) !== display(rc, "after", [attr]);
      if (same(before[attr], after[attr]) && !sensitiveChange) continue;
      const rules = GROUP_TYPES.has(rc.type) && RULE_ATTRIBUTES.has(attr);
      const configured = ctx.stackJson ? body !== undefined && body[attr] !== undefined : true;
      if (!configured && !rules && !relevant.has(`${rc.address}|${attr}`)) continue;
      const b = display(rc, "before", [attr]);
      const a = display(rc, "after", [attr]);
      let change: string;
      if (rules) {
        if (b === SENSITIVE || a === SENSITIVE) continue;
        const described = rulesChange(rc, attr, managed);
        if (!described) continue; // only the stack's own rule resources, read into the group
        change = `${attr} ${described}`;
      } else change = `${attr} ${formatValue(b, 60)} → ${formatValue(a, 60)}`;
      const what = `changed outside Terraform: ${change}`;
      if (ignored(body, attr)) {
        out.push(expectedInfo(rc, `${what}; expected: lifecycle.ignore_changes lists ${attr}, so Terraform keeps the value AWS has`, attr, b, a));
        continue;
      }
      let reverts: boolean;
      if (ctx.refreshOnly) {
        // Nothing Terraform recorded changed, a refresh only filled details in.
        if (!rules && covers(before[attr], after[attr])) continue;
        reverts = configured && !rules;
      } else {
        reverts = revertedByPlan(rc, attr, plan);
        if (configured && !rules && !reverts && ctx.stackJson) continue; // the provider sees no difference
      }
      const consequence = reverts
        ? `${ctx.refreshOnly ? "the next apply sets it back" : "this plan sets it back"} to ${formatValue(b, 60)}`
        : "the configuration does not set it, so Terraform keeps the value AWS has (record it with terraform apply -refresh-only)";
      out.push((security ? securityWarn : reverts && guarded ? revertedWarn : driftInfo)(rc, `${what}; ${consequence}`, attr, b, a));
    }
  }
  return out;
}
