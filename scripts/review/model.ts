/**
 * The review's data model: the stable JSON schema of `npm run review -- --format json`
 * (documented in docs/policy.md, "Plan review"). Fields are only ever added, never renamed.
 */

/** danger: data or identity lost; warn: security weakened or a policy violation; info: what the rollout does, cost. */
export type Severity = "danger" | "warn" | "info";
export const SEVERITIES: readonly Severity[] = ["danger", "warn", "info"];

/** What a finding is about. */
export type Kind = "data-loss" | "security" | "rollout" | "cost" | "policy";
export const KINDS: readonly Kind[] = ["data-loss", "security", "rollout", "cost", "policy"];

/** What Terraform will do to a resource. */
export type Action = "create" | "update" | "replace" | "delete" | "no-op" | "read";

/** One finding. `before`/`after` are display strings; a sensitive value is shown as "(sensitive)", never itself. */
export interface Finding {
  readonly severity: Severity;
  readonly kind: Kind;
  /** Terraform address, or the stack name for stack-wide findings (cost). */
  readonly address: string;
  readonly action: Action;
  /** The attribute the finding is about (for a replacement: the one forcing it), dotted path. */
  readonly attribute?: string;
  readonly before?: string;
  readonly after?: string;
  readonly message: string;
}

/**
 * A finding builder for one severity and kind: `(change, message, attribute?, before?, after?)`, leaving
 * out the optional fields that are not given (the JSON schema has no nulls).
 */
export function findingOf(severity: Severity, kind: Kind) {
  return (rc: { readonly address: string; readonly action: Action }, message: string, attribute?: string, before?: string, after?: string): Finding => ({
    severity,
    kind,
    address: rc.address,
    action: rc.action,
    ...(attribute ? { attribute } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    message,
  });
}

/** Counts of resource changes (data source reads are not counted). */
export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  "no-op": number;
}

/** The policy pack's result on the plan's resolved values. */
export interface PolicySummary {
  readonly rules: number;
  readonly checks: number;
  readonly failed: number;
  readonly suppressed: number;
}

/** The monthly cost of base and head (USD, from scripts/cost). */
export interface CostSummary {
  readonly base: number;
  readonly head: number;
  readonly delta: number;
  /** Why there is no comparison, or how the base was found. */
  readonly note?: string;
}

/** The review of one plan (one stack). */
export interface StackReview {
  readonly stack: string;
  /** The plan file. */
  readonly source: string;
  readonly counts: Counts;
  /** Danger first, then warn, then info. */
  readonly findings: Finding[];
  readonly policy?: PolicySummary;
  readonly cost?: CostSummary;
  /** Every resource change but no-ops, for the collapsed list. */
  readonly changes: Array<{ readonly address: string; readonly action: Action }>;
}

/** The JSON report. */
export interface ReviewReport {
  readonly version: 1;
  readonly stacks: StackReview[];
}
