/**
 * Helpers for reading Terraform attributes the same way whether they come from synthesized JSON
 * (single nested blocks are objects, references are `${...}` strings) or from plan JSON (nested
 * blocks are lists, unknown values are placeholders).
 */
import { Attributes, PolicyResource, RuleContext } from "./types";

/** True for a value only known at apply time: a `${...}` reference/expression or a plan placeholder. */
export function isUnknown(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** True when `value` is set: a non-empty literal or a reference (which resolves to something). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** The first object of a nested block, given as an object (synth JSON) or a list (plan JSON). */
export function block(attrs: Attributes | undefined, key: string): Attributes | undefined {
  const v = attrs?.[key];
  if (Array.isArray(v)) return (v.find((x) => x && typeof x === "object") as Attributes) ?? undefined;
  return v && typeof v === "object" ? (v as Attributes) : undefined;
}

/** Every object of a nested block (object or list). */
export function blocks(attrs: Attributes | undefined, key: string): Attributes[] {
  const v = attrs?.[key];
  if (Array.isArray(v)) return v.filter((x) => x && typeof x === "object") as Attributes[];
  return v && typeof v === "object" ? [v as Attributes] : [];
}

/** A list attribute as strings (a single string becomes a one-element list). */
export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((x) => typeof x === "string") as string[];
  return typeof value === "string" ? [value] : [];
}

/** Literal `true` (booleans, or the strings Terraform coerces). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Literal `false`. */
export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** A number attribute (numbers or numeric strings), or undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** `v` as a JSON document when it is a JSON string (or already an object), else undefined. */
export function parseJson(value: unknown): unknown {
  if (value && typeof value === "object") return value;
  if (typeof value !== "string") return undefined;
  const t = value.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** Shows a value in a message. */
export function show(value: unknown): string {
  return value === undefined ? "unset" : JSON.stringify(value);
}

/** The address a reference like `${aws_s3_bucket.logs.id}` or `${data.x.y.json}` names, if any. */
export function referencedAddress(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?(?:\.|\})/.exec(value);
  return m ? `${m[1] ?? ""}${m[2]}.${m[3]}` : undefined;
}

/** Builds the rule context over one stack's (or plan's) resources. */
export function createContext(resources: readonly PolicyResource[]): RuleContext {
  const byKey = new Map<string, PolicyResource[]>();
  const byAddress = new Map<string, PolicyResource>();
  for (const r of resources) {
    const key = r.mode === "data" ? `data.${r.type}` : r.type;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
    byAddress.set(r.mode === "data" ? `data.${r.type}.${r.name}` : `${r.type}.${r.name}`, r);
  }
  return {
    resources,
    ofType: (type) => byKey.get(type) ?? [],
    referenced(value, type) {
      const address = referencedAddress(value);
      if (address) {
        const r = byAddress.get(address);
        return r && (!type || (r.mode === "data" ? `data.${r.type}` : r.type) === type) ? r : undefined;
      }
      // Plan JSON: known values are literals; match them against identifying attributes of `type`.
      if (!type || typeof value !== "string" || value === "") return undefined;
      return (byKey.get(type) ?? []).find((r) =>
        ["id", "arn", "name", "bucket", "json"].some((k) => r.attributes[k] === value),
      );
    },
  };
}

/**
 * True when `value` (an attribute of another resource) points at `target`: a `${...}` reference to
 * it, or (plan JSON) a literal equal to one of its identifying attributes.
 */
export function refersTo(value: unknown, target: PolicyResource): boolean {
  const address = referencedAddress(value);
  if (address) return address === (target.mode === "data" ? `data.${target.type}.${target.name}` : `${target.type}.${target.name}`);
  if (typeof value !== "string" || value === "") return false;
  return ["id", "arn", "name", "bucket"].some((k) => target.attributes[k] === value);
}
