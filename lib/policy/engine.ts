/**
 * Runs rules over resources: the single evaluation path shared by the synth-time aspect and the
 * `npm run policy` checker.
 */
import { createContext } from "./attributes";
import { ALL_RULES, RULES_BY_ID } from "./rules";
import { Finding, PolicyResource, PolicySuppression, Rule } from "./types";

/** One stack (or plan, or file) to evaluate. */
export interface EvaluationInput {
  /** Stack name or file path, shown in reports. */
  readonly source: string;
  /** Resources and data sources. */
  readonly resources: readonly PolicyResource[];
  /** Suppressions by resource address. */
  readonly suppressions: ReadonlyMap<string, readonly PolicySuppression[]>;
}

/** A suppression that did not match anything, names an unknown rule, or has expired. */
export interface SuppressionIssue {
  readonly source: string;
  readonly address: string;
  readonly ruleId: string;
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
}

/** Today as `YYYY-MM-DD` (UTC), the form of {@link PolicySuppression.expires}. */
export const today = () => new Date().toISOString().slice(0, 10);

/** Whether a suppression still applies on `day` (no expiry, or expiry on or after that day). */
export const isActive = (s: PolicySuppression, day = today()) => s.expires === undefined || s.expires >= day;

/** Result of {@link evaluate}. */
export interface Evaluation {
  /** Every (rule, resource) pair the rule applies to. */
  readonly findings: Finding[];
  /** Suppressions naming a rule ID that does not exist (typos): an error. */
  readonly unknownSuppressions: SuppressionIssue[];
  /** Suppressions whose rule passed or does not apply to the resource: a warning. */
  readonly unusedSuppressions: SuppressionIssue[];
  /** Suppressions past their expiry date: no longer applied (their findings fail again). */
  readonly expiredSuppressions: SuppressionIssue[];
}

const key = (r: PolicyResource) => (r.mode === "data" ? `data.${r.type}` : r.type);

/** Evaluates `rules` over every input; suppressions expired before `day` are not applied. */
export function evaluate(inputs: readonly EvaluationInput[], rules: readonly Rule[] = ALL_RULES, day = today()): Evaluation {
  const findings: Finding[] = [];
  const unknownSuppressions: SuppressionIssue[] = [];
  const unusedSuppressions: SuppressionIssue[] = [];
  const expiredSuppressions: SuppressionIssue[] = [];
  for (const input of inputs) {
    const context = createContext(input.resources);
    const used = new Set<string>();
    for (const resource of input.resources) {
      const suppressions = input.suppressions.get(resource.address) ?? [];
      for (const rule of rules) {
        if (!rule.resourceTypes.includes(key(resource))) continue;
        let result: ReturnType<Rule["check"]>;
        try {
          result = rule.check(resource, context);
        } catch (e) {
          throw new Error(`policy rule ${rule.id} failed on ${resource.address} (${input.source}): ${(e as Error).message}`);
        }
        const problems = (typeof result === "string" ? [result] : (result ?? [])).filter(Boolean);
        const base = { rule, resource, source: input.source };
        if (problems.length === 0) {
          findings.push({ ...base, status: "pass" });
          continue;
        }
        const suppression = suppressions.find((s) => s.ruleId === rule.id && isActive(s, day));
        if (suppression) used.add(`${resource.address}\u0000${rule.id}`);
        for (const message of problems) {
          findings.push(
            suppression
              ? { ...base, status: "suppressed", message, reason: suppression.reason }
              : { ...base, status: "fail", message },
          );
        }
      }
    }
    for (const [address, list] of input.suppressions) {
      for (const s of list) {
        const issue: SuppressionIssue = { source: input.source, address, ruleId: s.ruleId, reason: s.reason, ...(s.owner ? { owner: s.owner } : {}), ...(s.expires ? { expires: s.expires } : {}) };
        if (!RULES_BY_ID.has(s.ruleId)) unknownSuppressions.push(issue);
        else if (!isActive(s, day)) expiredSuppressions.push(issue);
        else if (!used.has(`${address}\u0000${s.ruleId}`) && rules.some((r) => r.id === s.ruleId)) unusedSuppressions.push(issue);
      }
    }
  }
  return { findings, unknownSuppressions, unusedSuppressions, expiredSuppressions };
}

/** Violations only. */
export const failures = (e: Evaluation) => e.findings.filter((f) => f.status === "fail");
/** Accepted violations only. */
export const suppressed = (e: Evaluation) => e.findings.filter((f) => f.status === "suppressed");
