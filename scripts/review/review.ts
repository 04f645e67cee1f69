/**
 * The review of one plan: counts, then findings of every detector (data loss, security, drift, state,
 * rollout),
 * the policy pack on the plan's resolved values (lib/policy, the same rules as synth), and the
 * monthly cost delta of head vs base from the project's cost model (scripts/cost).
 */
import { evaluate, failures, suppressed } from "../../lib/policy/engine";
import { configResources, configSuppressions, planResources } from "../../lib/policy/load";
import { ALL_RULES } from "../../lib/policy/rules";
import { estimateStack } from "../cost/estimate";
import { dataLossFindings } from "./data-loss";
import { driftFindings } from "./drift";
import { Counts, CostSummary, Finding, KINDS, PolicySummary, SEVERITIES, StackReview } from "./model";
import { deferredChanges, resourceChanges, resourceDrift } from "./plan";
import { rolloutFindings } from "./rollout";
import { securityFindings } from "./security";
import { stateFindings } from "./state";

type Json = Record<string, any>;

/** What one review needs. */
export interface ReviewInput {
  /** The parsed plan (`terraform show -json plan.out`). */
  readonly plan: Json;
  /** Where it came from (shown in reports). */
  readonly source: string;
  /** The synthesized stack the plan was made from (prevent_destroy, policy suppressions, head cost). */
  readonly stackJson?: Json;
  /** The same stack synthesized from the base branch (cost delta); undefined: no base given. */
  readonly baseStackJson?: Json | null;
  /** Stack name; default: the stack JSON's metadata, else "stack". */
  readonly stack?: string;
  /** A `terraform plan -refresh-only` plan (`npm run drift`): drift is reverted by the next apply, not by this plan. */
  readonly refreshOnly?: boolean;
}

const usd = (n: number) => `${n < 0 ? "-" : "+"}$${Math.abs(n).toFixed(2)}`;

function costFinding(stack: string, head: Json, base: Json): { summary: CostSummary; finding?: Finding } {
  const h = estimateStack({ name: stack, file: "(head)", json: head });
  const b = estimateStack({ name: stack, file: "(base)", json: base });
  const delta = h.total - b.total;
  const summary: CostSummary = { base: b.total, head: h.total, delta };
  if (Math.abs(delta) < 0.005) return { summary };
  const key = (l: { group: string; item: string }) => `${l.group}\u0000${l.item}`;
  const items = new Map<string, { item: string; delta: number }>();
  for (const l of h.lines) items.set(key(l), { item: l.item, delta: Number.isFinite(l.monthly) ? l.monthly : 0 });
  for (const l of b.lines) {
    const e = items.get(key(l)) ?? { item: l.item, delta: 0 };
    items.set(key(l), { item: e.item, delta: e.delta - (Number.isFinite(l.monthly) ? l.monthly : 0) });
  }
  const lines = [...items.values()].filter((i) => Math.abs(i.delta) >= 0.005).sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return {
    summary,
    finding: {
      severity: "info",
      kind: "cost",
      address: stack,
      action: "update",
      before: `$${b.total.toFixed(2)}/month`,
      after: `$${h.total.toFixed(2)}/month`,
      message: `${usd(delta)}/month: ${lines.map((l) => `${l.item} ${usd(l.delta)}`).join(", ")} (scripts/cost price table ${h.pricesAsOf})`,
      rule: "review/cost/delta",
    },
  };
}

/**
 * The policy pack on the plan's resolved values; with the base branch's synthesized stack, each
 * failure is "existing" when the same rule fails on the same address of the base, else "new".
 */
function policyFindings(plan: Json, source: string, stackJson: Json | undefined, baseStackJson: Json | null | undefined): { summary: PolicySummary; findings: Finding[] } {
  const evaluation = evaluate([{ source, resources: planResources(plan), suppressions: stackJson ? configSuppressions(stackJson) : new Map() }]);
  const failed = failures(evaluation);
  const actions = new Map<string, Finding["action"]>(resourceChanges(plan).map((c) => [c.address, c.action]));
  const onBase =
    baseStackJson === undefined
      ? undefined
      : new Set(
          baseStackJson === null
            ? []
            : failures(evaluate([{ source: "(base)", resources: configResources(baseStackJson), suppressions: configSuppressions(baseStackJson) }])).map((f) => `${f.rule.id}|${f.resource.address}`),
        );
  return {
    summary: { rules: ALL_RULES.length, checks: evaluation.findings.length, failed: failed.length, suppressed: suppressed(evaluation).length },
    findings: failed.map((f) => ({
      severity: "warn",
      kind: "policy",
      address: f.resource.address,
      action: actions.get(f.resource.address) ?? "no-op",
      message: `${f.rule.id} (${f.rule.severity}) ${f.rule.title}: ${f.message}. Fix: ${f.rule.fix}`,
      rule: f.rule.id,
      ...(onBase ? { novelty: onBase.has(`${f.rule.id}|${f.resource.address}`) ? ("existing" as const) : ("new" as const) } : {}),
    })),
  };
}

/** Danger first, then warn, info; within a severity the new before the existing, then by kind, then address. */
export function sortFindings(findings: Finding[]): Finding[] {
  const rank = (f: Finding) => (f.novelty === "existing" ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      rank(a) - rank(b) ||
      KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
      a.address.localeCompare(b.address) ||
      (a.attribute ?? "").localeCompare(b.attribute ?? ""),
  );
}

/** Reviews one plan. */
export function reviewPlan(input: ReviewInput): StackReview {
  const { plan, stackJson } = input;
  const stack = input.stack ?? stackJson?.["//"]?.metadata?.stackName ?? "stack";
  const changes = resourceChanges(plan);
  const deferred = deferredChanges(plan).filter((c) => c.mode === "managed");
  const drift = resourceDrift(plan).filter((c) => c.mode === "managed");
  const counts: Counts = { create: 0, update: 0, replace: 0, delete: 0, forget: 0, "no-op": 0, import: 0, move: 0, deferred: deferred.length, drift: drift.length };
  for (const c of changes) {
    if (c.mode !== "managed" || c.action === "read") continue;
    counts[c.action]++;
    if (c.importing !== undefined) counts.import++;
    if (c.previousAddress) counts.move++;
  }
  const stateBucket = stackJson?.terraform?.backend?.s3?.bucket;
  const withBase = input.baseStackJson !== undefined;
  const findings: Finding[] = [];
  for (const c of changes) {
    findings.push(...dataLossFindings(c, stackJson, stateBucket), ...securityFindings(c), ...stateFindings(c), ...rolloutFindings(c, changes));
  }
  for (const c of deferred) findings.push(...stateFindings(c));
  if (withBase) for (let i = 0; i < findings.length; i++) findings[i] = { ...findings[i], novelty: "new" };
  // Drift was made outside this change: never new.
  findings.push(...driftFindings(drift, changes, { stackJson, plan, refreshOnly: input.refreshOnly === true }).map((f) => ({ ...f, novelty: "existing" as const })));
  const policy = policyFindings(plan, input.source, stackJson, input.baseStackJson);
  findings.push(...policy.findings);
  let cost: CostSummary | undefined;
  if (input.baseStackJson !== undefined && stackJson) {
    if (input.baseStackJson === null) {
      const head = estimateStack({ name: stack, file: "(head)", json: stackJson }).total;
      cost = { base: 0, head, delta: head, note: "new stack: not in the base" };
      findings.push({ severity: "info", kind: "cost", address: stack, action: "create", before: "$0.00/month", after: `$${head.toFixed(2)}/month`, message: `${usd(head)}/month: a new stack`, rule: "review/cost/new-stack", novelty: "new" });
    } else {
      const c = costFinding(stack, stackJson, input.baseStackJson);
      cost = c.summary;
      if (c.finding) findings.push({ ...c.finding, novelty: "new" });
    }
  }
  return {
    stack,
    source: input.source,
    counts,
    findings: sortFindings(findings),
    policy: policy.summary,
    ...(cost ? { cost } : {}),
    changes: [...changes, ...deferred]
      .filter((c) => c.mode === "managed" && c.action !== "read" && (c.action !== "no-op" || c.previousAddress || c.importing !== undefined || c.deferredReason))
      .map((c) => ({
        address: c.address,
        action: c.action,
        ...(c.order ? { order: c.order } : {}),
        ...(c.previousAddress ? { from: c.previousAddress } : {}),
        ...(c.importing !== undefined ? { importId: c.importing } : {}),
        ...(c.deferredReason ? { deferred: c.deferredReason } : {}),
      })),
  };
}
