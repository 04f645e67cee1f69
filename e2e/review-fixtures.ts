/**
 * Shared by the e2e review scenario (which writes the fixtures) and the unit tests (which read them):
 * where the fixtures live, the hash that tells when they are stale, and how a real plan is made
 * deterministic (masked) and smaller (trimmed) before it is stored.
 */
import { createHash } from "crypto";
import * as path from "path";

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
  readonly cases: Record<string, { readonly description: string; readonly how: string }>;
}

/** The command that regenerates the fixtures (also in the manifest and the docs). */
export const REGENERATE_COMMAND = "REVIEW_FIXTURES_UPDATE=1 E2E_ONLY=review npm run test:e2e";

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
    .replace(/\b(vpc|subnet|sgr|sg|igw|nat|eipalloc|eipassoc|eni|rtbassoc|rtb|acl|aclassoc|fl|vpce|pl|dopt)-([0-9a-f]{8,17})\b/g, (m, kind: string, id: string) =>
      token(kind, m, (n) => `${kind}-${hex(n, id.length)}`),
    )
    .replace(/(:secret:[A-Za-z0-9/_+=.@-]+?-)([A-Za-z0-9]{6})\b/g, (_m, head: string, suffix: string) => head + token("secret", suffix, (n) => `Sfx${String(n).padStart(3, "0")}`))
    .replace(/\/([0-9a-f]{16})\b/g, (_m, id: string) => `/${token("hex16", id, (n) => hex(n, 16))}`)
    .replace(/-(\d{6,12})(\.[a-z0-9-]+\.elb\.amazonaws\.com)/g, (_m, digits: string, rest: string) => `-${token("elb", digits, (n) => String(n).padStart(digits.length, "1"))}${rest}`)
    .replace(/\bdb-[A-Z0-9]{26}\b/g, (m) => token("dbi", m, (n) => `db-${String(n).padStart(26, "A")}`));
}

/**
 * Keeps what the review and the policy pack read (format and terraform versions, planned values,
 * resource changes, output changes, configuration, data sources of the prior state); drops the
 * managed resources of the prior state, drift and relevant attributes, which are large and unused.
 */
export function trimPlan(plan: Record<string, any>): Record<string, any> {
  const { resource_drift: _drift, relevant_attributes: _relevant, prior_state: prior, ...rest } = plan;
  const dataOnly = (module: any): any =>
    module && {
      ...module,
      resources: (module.resources ?? []).filter((r: any) => r.mode === "data"),
      ...(module.child_modules ? { child_modules: module.child_modules.map(dataOnly) } : {}),
    };
  return prior ? { ...rest, prior_state: { ...prior, values: prior.values && { ...prior.values, root_module: dataOnly(prior.values.root_module) } } } : rest;
}
