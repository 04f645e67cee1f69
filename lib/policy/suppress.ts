/**
 * Explicit, per-construct suppressions: `suppress(construct, "ZNALB4", "reason")`. Stored as node
 * metadata; the policy aspect writes them into the synthesized JSON (`"//": { "policy_suppressions" }`)
 * so the standalone checker honours the same decisions, and lists them in the synth output.
 */
import { IConstruct } from "constructs";
import { PolicySuppression } from "./types";

/** Node metadata type of a suppression. */
export const SUPPRESSION_METADATA = "zenml:policy:suppression";

/** Shortest accepted justification. */
const MIN_REASON_LENGTH = 15;

/** Optional accountability of a suppression. */
export interface SuppressOptions {
  /** Who answers for the exception (a team or person). */
  readonly owner?: string;
  /** Last day (`YYYY-MM-DD`, UTC) the exception applies; after it the finding fails the synth again. */
  readonly expires?: string;
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * Accepts violations of `ruleId` on `construct` and every resource below it, for `reason`.
 * Prefer the resource construct itself, so the exception is no wider than needed.
 */
export function suppress(construct: IConstruct, ruleId: string, reason: string, options: SuppressOptions = {}): void {
  if (!/^ZN[A-Z0-9]*[A-Z][0-9]+$/.test(ruleId)) throw new Error(`suppress(${construct.node.path}): "${ruleId}" is not a policy rule ID (e.g. ZNALB4)`);
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`suppress(${construct.node.path}, ${ruleId}): give a reason of at least ${MIN_REASON_LENGTH} characters`);
  }
  if (options.expires !== undefined && !isDate(options.expires)) {
    throw new Error(`suppress(${construct.node.path}, ${ruleId}): expires must be a date YYYY-MM-DD, got "${options.expires}"`);
  }
  const owner = options.owner?.trim();
  construct.node.addMetadata(SUPPRESSION_METADATA, {
    ruleId,
    reason: reason.trim(),
    ...(owner ? { owner } : {}),
    ...(options.expires ? { expires: options.expires } : {}),
  } satisfies PolicySuppression);
}

/** Suppressions of `construct`, including those set on its ancestors (nearest first). */
export function suppressionsOf(construct: IConstruct): PolicySuppression[] {
  const out: PolicySuppression[] = [];
  for (const c of [construct, ...construct.node.scopes.slice(0, -1).reverse()]) {
    for (const m of c.node.metadata) {
      if (m.type !== SUPPRESSION_METADATA) continue;
      const s = m.data as PolicySuppression;
      if (!out.some((o) => o.ruleId === s.ruleId)) out.push(s);
    }
  }
  return out;
}
