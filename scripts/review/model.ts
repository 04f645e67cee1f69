/**
 * The review's data model: the stable JSON schema of `npm run review -- --format json`
 * (documented in docs/policy.md, "Plan review"). Fields are only ever added, never renamed.
 */

/** danger: data or identity lost; warn: security weakened or a policy violation; info: what the rollout does, cost. */
export type Severity = "danger" | "warn" | "info";
export const SEVERITIES: readonly Severity[] = ["danger", "warn", "info"];

/**
 * What a finding is about. `state`: what leaves or enters Terraform's care without a change in AWS
 * (forget, import, move) and what a partial plan defers; `drift`: a change made outside Terraform.
 */
export type Kind = "data-loss" | "security" | "drift" | "state" | "rollout" | "cost" | "policy";
export const KINDS: readonly Kind[] = ["data-loss", "security", "drift", "state", "rollout", "cost", "policy"];

/**
 * What Terraform will do to a resource (its `change.actions`, hashicorp/terraform
 * internal/command/jsonplan/plan.go `actionString`): `forget` is `["forget"]` (a `removed` block with
 * `lifecycle { destroy = false }`); `replace` is any of `["delete","create"]`, `["create","delete"]`
 * (create_before_destroy) and `["create","forget"]`.
 */
export type Action = "create" | "update" | "replace" | "delete" | "forget" | "no-op" | "read";

/** The order of a replacement: `["create","delete"]` / `["create","forget"]` or `["delete","create"]`. */
export type ReplaceOrder = "create-before-destroy" | "delete-before-create";

/** Whether the change under review introduces a finding or the base already had it (policy on the base synth; drift is never new). */
export type Novelty = "new" | "existing";

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
  /**
   * The rule that produced it: the policy rule ID, else `review/<kind>/<check>`. With address and
   * attribute it is the finding's identity (the SARIF fingerprint).
   */
  readonly rule?: string;
  /** New in this change, or already on the base (only set when a base was given, and always for drift). */
  readonly novelty?: Novelty;
}

/**
 * A finding builder for one severity and kind: `(change, message, attribute?, before?, after?)`, leaving
 * out the optional fields that are not given (the JSON schema has no nulls).
 */
export function findingOf(severity: Severity, kind: Kind, rule?: string) {
  return (rc: { readonly address: string; readonly action: Action }, message: string, attribute?: string, before?: string, after?: string): Finding => ({
    severity,
    kind,
    address: rc.address,
    action: rc.action,
    ...(attribute ? { attribute } : {}),
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    message,
    ...(rule ? { rule } : {}),
  });
}

/**
 * Counts of managed resource changes (data source reads are not counted). Each change counts once
 * under its action; `import` and `move` count the changes that also import (`change.importing`) or
 * were moved (`previous_address`), whatever their action; `deferred` the entries of `deferred_changes`
 * (not in the action counts: Terraform plans them in a later run); `drift` the objects changed outside
 * Terraform (`resource_drift`).
 */
export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  forget: number;
  "no-op": number;
  import: number;
  move: number;
  deferred: number;
  drift: number;
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
  /**
   * Every resource change but plain no-ops (a move or an import without a change is listed), for the
   * collapsed list: `order` for a replacement, `from` for a move, `importId` for an import.
   */
  readonly changes: Array<{
    readonly address: string;
    readonly action: Action;
    readonly order?: ReplaceOrder;
    readonly from?: string;
    readonly importId?: string;
    readonly deferred?: string;
  }>;
}

/** The JSON report. */
export interface ReviewReport {
  readonly version: 1;
  readonly stacks: StackReview[];
}
