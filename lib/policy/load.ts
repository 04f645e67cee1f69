/**
 * Reads resources and suppressions from Terraform JSON: cdktf's synthesized `cdk.tf.json`, and plan
 * JSON (`terraform show -json plan.out`), into the shape the rules take.
 */
import * as fs from "fs";
import * as path from "path";
import { EvaluationInput } from "./engine";
import { PolicyResource, PolicySuppression, UNKNOWN } from "./types";

/** Input that cannot be checked (missing, malformed, not Terraform JSON): exit code 2. */
export class PolicyInputError extends Error {}

/** Where suppressions are written in synthesized JSON: `"//": { "policy_suppressions": ... }`. */
export const SUPPRESSIONS_KEY = "policy_suppressions";

type Json = Record<string, any>;

/** Kind of a Terraform JSON document. */
export function kindOf(doc: unknown): "config" | "plan" | undefined {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const d = doc as Json;
  if (typeof d.format_version === "string" && (d.planned_values || d.resource_changes)) return "plan";
  if (d.resource || d.data || d.terraform || d.provider) return "config";
  return undefined;
}

/** Reads and parses a JSON file; clear errors for missing or malformed files. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new PolicyInputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PolicyInputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

const withoutComments = (body: Json): Json => {
  const { "//": _comment, ...rest } = body;
  return rest;
};

/** A suppression as written into synthesized JSON (`{ rule, reason, owner?, expires? }`). */
export const suppressionJson = (s: PolicySuppression) => ({
  rule: s.ruleId,
  reason: s.reason,
  ...(s.owner ? { owner: s.owner } : {}),
  ...(s.expires ? { expires: s.expires } : {}),
});

const parseSuppressions = (list: unknown): PolicySuppression[] =>
  (Array.isArray(list) ? list : [])
    .filter((s) => s && typeof s.rule === "string")
    .map((s) => ({
      ruleId: s.rule,
      reason: String(s.reason ?? ""),
      ...(typeof s.owner === "string" ? { owner: s.owner } : {}),
      ...(typeof s.expires === "string" ? { expires: s.expires } : {}),
    }));

/** Suppressions recorded in a synthesized config: the root map plus per-resource `//` entries. */
export function configSuppressions(doc: Json): Map<string, PolicySuppression[]> {
  const out = new Map<string, PolicySuppression[]>();
  const add = (address: string, list: PolicySuppression[]) => {
    const existing = out.get(address) ?? [];
    for (const s of list) if (!existing.some((e) => e.ruleId === s.ruleId)) existing.push(s);
    if (existing.length > 0) out.set(address, existing);
  };
  for (const [address, list] of Object.entries((doc["//"]?.[SUPPRESSIONS_KEY] ?? {}) as Json)) add(address, parseSuppressions(list));
  for (const [type, byName] of Object.entries((doc.resource ?? {}) as Json)) {
    for (const [name, body] of Object.entries(byName as Json)) add(`${type}.${name}`, parseSuppressions(body?.["//"]?.[SUPPRESSIONS_KEY]));
  }
  return out;
}

/** Resources of a synthesized config (`{ resource: { type: { name: body } }, data: ... }`). */
export function configResources(doc: Json): PolicyResource[] {
  const out: PolicyResource[] = [];
  for (const [mode, section] of [["managed", doc.resource], ["data", doc.data]] as const) {
    for (const [type, byName] of Object.entries((section ?? {}) as Json)) {
      for (const [name, body] of Object.entries(byName as Json)) {
        if (!body || typeof body !== "object") continue;
        out.push({
          type,
          mode,
          name,
          address: mode === "data" ? `data.${type}.${name}` : `${type}.${name}`,
          attributes: withoutComments(body),
          constructPath: body["//"]?.metadata?.path,
        });
      }
    }
  }
  return out;
}

/** Placeholder for an unknown value: the reference it was configured from, when the plan records one. */
function placeholder(expression: Json | undefined): string {
  const ref = expression?.references?.[0];
  return typeof ref === "string" ? `\${${ref}}` : UNKNOWN;
}

/** Overlays `after_unknown` markers on planned values, using configuration expressions for references. */
function markUnknown(values: unknown, unknown: unknown, expressions: unknown): unknown {
  if (unknown === true) return placeholder(expressions as Json);
  if (Array.isArray(unknown)) {
    const list = Array.isArray(values) ? [...values] : [];
    unknown.forEach((u, i) => {
      if (u) list[i] = markUnknown(list[i], u, Array.isArray(expressions) ? expressions[i] ?? expressions[0] : expressions);
    });
    return list;
  }
  if (unknown && typeof unknown === "object") {
    const obj: Json = values && typeof values === "object" && !Array.isArray(values) ? { ...(values as Json) } : {};
    for (const [k, u] of Object.entries(unknown as Json)) {
      if (u) obj[k] = markUnknown(obj[k], u, (expressions as Json | undefined)?.[k]);
    }
    return obj;
  }
  return values;
}

/** Configuration expressions by resource address (root module and module calls). */
function configurationExpressions(module: Json | undefined, prefix = "", out = new Map<string, Json>()): Map<string, Json> {
  for (const r of (module?.resources ?? []) as Json[]) out.set(`${prefix}${r.address}`, r.expressions ?? {});
  for (const [name, call] of Object.entries((module?.module_calls ?? {}) as Json)) {
    configurationExpressions(call?.module, `${prefix}module.${name}.`, out);
  }
  return out;
}

/** Resource objects of a values representation, recursively through child modules. */
function moduleResources(module: Json | undefined, out: Json[] = []): Json[] {
  out.push(...((module?.resources ?? []) as Json[]));
  for (const child of (module?.child_modules ?? []) as Json[]) moduleResources(child, out);
  return out;
}

/** Security group types whose inline rules may be read back from separate rule resources. */
const GROUP_TYPES = new Set(["aws_security_group", "aws_default_security_group"]);

/** Resources of a plan: planned values, with unknowns from resource_changes and data sources from prior state. */
export function planResources(doc: Json): PolicyResource[] {
  const expressions = configurationExpressions(doc.configuration?.root_module);
  const changes = new Map<string, Json>();
  // The current object's change per address (a deposed object's change, left by create_before_destroy, is not it).
  for (const c of (doc.resource_changes ?? []) as Json[]) if (c?.address && !c.deposed) changes.set(c.address, c);
  const seen = new Map<string, PolicyResource>();
  const add = (r: Json, values: unknown, unknown: unknown) => {
    if (!r?.address || seen.has(r.address) || !r.type || !r.name) return;
    const exprKey = String(r.address).replace(/\[[^\]]*\]/g, "");
    const attributes = markUnknown(values ?? {}, unknown, expressions.get(exprKey)) as Json;
    // A security group's ingress/egress its configuration does not set are its separate rule resources
    // as a refresh read them back: those rules are judged as themselves (with their suppressions).
    if (GROUP_TYPES.has(r.type) && expressions.has(exprKey)) {
      for (const k of ["ingress", "egress"]) if (!(k in (expressions.get(exprKey) ?? {}))) delete attributes[k];
    }
    seen.set(r.address, {
      type: r.type,
      mode: r.mode === "data" ? "data" : "managed",
      name: String(r.name),
      address: r.address,
      attributes,
    });
  };
  // Deleted and forgotten objects (["forget"], a removed block: hashicorp/terraform
  // internal/command/jsonplan/plan.go) leave the configuration. Terraform 1.11 still lists a forgotten
  // one in planned_values (without its values), so both are skipped there too.
  const gone = (address: string) => {
    const actions: string[] = changes.get(address)?.change?.actions ?? [];
    return actions.length === 1 && (actions[0] === "delete" || actions[0] === "forget");
  };
  for (const r of moduleResources(doc.planned_values?.root_module)) if (!gone(r.address)) add(r, r.values, changes.get(r.address)?.change?.after_unknown);
  for (const c of changes.values()) if (!gone(c.address)) add(c, c.change?.after, c.change?.after_unknown);
  for (const r of moduleResources(doc.prior_state?.values?.root_module)) if (r.mode === "data") add(r, r.values, undefined);
  return [...seen.values()];
}

/** Loads one file (synthesized config or plan JSON) as an evaluation input. */
export function loadInput(file: string, options: { suppressionsFrom?: string } = {}): EvaluationInput & { kind: "config" | "plan" } {
  const doc = readJson(file);
  const kind = kindOf(doc);
  if (!kind) {
    throw new PolicyInputError(
      `${file}: not a Terraform JSON configuration (cdk.tf.json) or plan JSON (terraform show -json plan.out)`,
    );
  }
  if (kind === "config") {
    return { kind, source: file, resources: configResources(doc as Json), suppressions: configSuppressions(doc as Json) };
  }
  // Plans carry no comments: take suppressions from the synthesized config next to the plan (or the one given).
  const sibling = options.suppressionsFrom ?? path.join(path.dirname(file), "cdk.tf.json");
  let suppressions = new Map<string, PolicySuppression[]>();
  if (options.suppressionsFrom || fs.existsSync(sibling)) {
    const config = readJson(sibling);
    if (kindOf(config) !== "config") throw new PolicyInputError(`${sibling}: not a synthesized Terraform JSON configuration`);
    suppressions = configSuppressions(config as Json);
  }
  return { kind, source: file, resources: planResources(doc as Json), suppressions };
}
