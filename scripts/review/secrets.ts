/**
 * The one masking of every text the review writes (the summary, the collapsed `plan.txt`, the JSON,
 * SARIF, the job summary): the secret values a plan carries are collected once and replaced by
 * "(hidden)" wherever they appear. A value is secret when Terraform marks it sensitive (resource
 * changes, drift, deferred changes, outputs, planned and prior values, sensitive variables), when it
 * is a container environment value, tag value or environment-variable map value under a secret-like
 * name, or when it is `user_data` (scripts carry credentials); a base64 `user_data` is also masked
 * decoded.
 */
type Json = Record<string, any>;

/** Names whose values are never shown, even from plain (non-sensitive) attributes. */
export const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ENCRYPTION_KEY/i;

export const HIDDEN = "(hidden)";

/**
 * Shorter values are not masked: they cannot carry a secret of any strength, and masking e.g. `true`
 * or a port would garble the text.
 */
export const MIN_SECRET_LENGTH = 6;

/** Attributes whose whole value is treated as secret. */
const SECRET_ATTRIBUTES = new Set(["user_data", "user_data_base64"]);

function leaves(value: unknown, out: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === "string" || typeof value === "number") out.add(String(value));
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === "object") Object.values(value as Json).forEach((v) => leaves(v, out));
}

/** The leaves of `value` that `marks` (a sensitivity tree: true, or nested objects/arrays of marks) marks. */
function marked(value: unknown, marks: unknown, out: Set<string>): void {
  if (marks === true) return leaves(value, out);
  if (!marks || typeof marks !== "object" || value === null || typeof value !== "object") return;
  for (const [k, m] of Object.entries(marks as Json)) marked((value as Json)[k as any], m, out);
}

/** Values under secret-like names in tags, container environments and environment maps; user_data. */
function named(value: unknown, out: Set<string>, key = ""): void {
  if (value === null || value === undefined) return;
  if (SECRET_ATTRIBUTES.has(key) && typeof value === "string") {
    out.add(value);
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) leaves(Buffer.from(value, "base64").toString("utf8"), out);
    return;
  }
  if (key === "container_definitions" && typeof value === "string") {
    try {
      for (const c of JSON.parse(value) as Json[]) {
        for (const e of (c?.environment ?? []) as Json[]) if (SECRET_NAME.test(String(e?.name)) && e?.value !== undefined) out.add(String(e.value));
      }
    } catch {
      // not JSON (unknown or sensitive placeholder): nothing to read
    }
    return;
  }
  if (Array.isArray(value)) return value.forEach((v) => named(v, out, key));
  if (typeof value !== "object") return;
  const isMap = key === "tags" || key === "tags_all" || key === "variables" || key === "environment";
  for (const [k, v] of Object.entries(value as Json)) {
    if (isMap && SECRET_NAME.test(k) && (typeof v === "string" || typeof v === "number")) out.add(String(v));
    else named(v, out, k);
  }
}

function moduleResources(module: Json | undefined, out: Json[] = []): Json[] {
  out.push(...((module?.resources ?? []) as Json[]));
  for (const child of (module?.child_modules ?? []) as Json[]) moduleResources(child, out);
  return out;
}

/** Every secret value of a plan (see the file comment). */
export function secretValues(plan: Json): Set<string> {
  const out = new Set<string>();
  const changes = [
    ...((plan.resource_changes ?? []) as Json[]),
    ...((plan.resource_drift ?? []) as Json[]),
    ...((plan.deferred_changes ?? []) as Json[]).map((d) => d?.resource_change ?? {}),
  ];
  for (const c of changes) {
    const ch = c?.change ?? {};
    marked(ch.before, ch.before_sensitive, out);
    marked(ch.after, ch.after_sensitive, out);
    named(ch.before, out);
    named(ch.after, out);
  }
  for (const oc of Object.values((plan.output_changes ?? {}) as Json)) {
    if (oc?.before_sensitive === true || oc?.after_sensitive === true) {
      leaves(oc.before, out);
      leaves(oc.after, out);
    } else {
      marked(oc?.before, oc?.before_sensitive, out);
      marked(oc?.after, oc?.after_sensitive, out);
    }
  }
  for (const values of [plan.planned_values, plan.prior_state?.values]) {
    for (const o of Object.values((values?.outputs ?? {}) as Json)) if (o?.sensitive) leaves(o.value, out);
    for (const r of moduleResources(values?.root_module)) {
      marked(r.values, r.sensitive_values, out);
      named(r.values, out);
    }
  }
  const declared = (plan.configuration?.root_module?.variables ?? {}) as Json;
  for (const [name, v] of Object.entries((plan.variables ?? {}) as Json)) if (declared[name]?.sensitive) leaves(v?.value, out);
  for (const v of [...out]) if (v.length < MIN_SECRET_LENGTH || v === "(sensitive value)") out.delete(v);
  return out;
}

/** A function replacing each of `secrets` (also JSON-escaped) by "(hidden)" in a text; the longest first. */
export function masker(secrets: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
  }
  const sorted = [...forms].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const pattern = new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, HIDDEN);
}
