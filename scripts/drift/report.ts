/**
 * The drift review of one stack: the drift findings of a refresh-only plan (scripts/review/drift.ts)
 * as Markdown (what the nightly workflow puts in the stack's drift issue) or JSON, and the exit code:
 * 0 no drift, or only drift the stack expects (`lifecycle.ignore_changes`); 1 drift to act on.
 */
import { Finding, StackReview } from "../review/model";
import { DEFAULT_FULL_REPORT, findingLine } from "../review/render";
import { reviewPlan } from "../review/review";

type Json = Record<string, any>;

/** The rule of drift the stack expects (scripts/review/drift.ts). */
export const EXPECTED_RULE = "review/drift/expected";

/** The drift review: the review of a refresh-only plan, its drift findings only. */
export function driftReview(plan: Json, source: string, stack: string, stackJson: Json | undefined): StackReview {
  const r = reviewPlan({ plan, source, stack, refreshOnly: true, ...(stackJson ? { stackJson } : {}) });
  return { ...r, findings: r.findings.filter((f) => f.kind === "drift") };
}

/** Drift to act on: everything but the expected drift. */
export const actionable = (r: StackReview): Finding[] => r.findings.filter((f) => f.rule !== EXPECTED_RULE);

/**
 * Markdown of a drift review within `maxChars` (every finding by address at least); `planText` is the
 * refresh-only plan's text (already masked), collapsed at the end and cut first.
 */
export function driftMarkdown(r: StackReview, planText: string | undefined, maxChars: number, fullReport = DEFAULT_FULL_REPORT): string {
  const act = actionable(r);
  const expected = r.findings.length - act.length;
  const head = [
    `### Drift: \`${r.stack}\``,
    act.length === 0
      ? `No drift to act on${expected ? ` (${expected} expected: attributes in lifecycle.ignore_changes)` : ""}: AWS matches the state.`
      : `**${r.counts.drift} objects changed outside Terraform**: ${act.length} changes to act on${expected ? `, ${expected} expected (lifecycle.ignore_changes)` : ""}. Revert them in AWS, or make them in code and deploy; \`terraform apply -refresh-only\` records them in the state as they are.`,
    "",
  ];
  const lines = r.findings.map(findingLine);
  const limit = maxChars > 0 ? maxChars : Infinity;
  const size = (l: readonly string[]) => l.reduce((n, x) => n + x.length + 1, 0);
  const body: string[] = [];
  let cutFindings = 0;
  for (const [i, line] of lines.entries()) {
    const compact = `- \`${r.findings[i].address}\` \`${r.findings[i].attribute ?? ""}\``;
    const rest = r.findings.length - i - 1;
    if (size(head) + size(body) + line.length + rest * 80 + 600 > limit) {
      body.push(compact);
      cutFindings++;
    } else body.push(line);
  }
  const out = [...head, ...body, ""];
  let planCut = 0;
  if (planText !== undefined) {
    const plain = planText.replace(/```/g, "'''").trimEnd();
    const room = Math.max(0, limit - size(out) - 400 - fullReport.length);
    const shown = plain.length > room ? plain.slice(0, room) : plain;
    planCut = plain.length - shown.length;
    out.push("<details><summary>Refresh-only plan</summary>", "", "```", shown, "```", "", "</details>", "");
  }
  if (cutFindings || planCut) out.push(`**Cut to fit:** ${[cutFindings ? `${cutFindings} findings shown by address only` : "", planCut ? `${planCut} characters of the plan cut` : ""].filter(Boolean).join(", ")}. The full report: ${fullReport}.`, "");
  return out.join("\n");
}
