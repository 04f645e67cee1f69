/**
 * Markdown (the PR comment: danger first, under 40 lines before the collapsed full plan) and JSON
 * (the stable schema of scripts/review/model.ts) renderings of reviews.
 */
import { Finding, ReviewReport, StackReview } from "./model";

/** Lines of a stack's summary before the collapsed plan are kept under this many. */
export const MAX_SUMMARY_LINES = 39;
/** The full plan text in the comment is cut at this many characters (GitHub comments hold 65,536). */
export const MAX_PLAN_CHARS = 45_000;

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const money = (n: number) => `$${n.toFixed(2)}`;

const TITLES: ReadonlyArray<[Finding["severity"], string]> = [
  ["danger", "🛑 **Danger: data loss**"],
  ["warn", "⚠️ **Warnings: security and policy**"],
  ["info", "ℹ️ **Rollout and cost**"],
];

function findingLine(f: Finding): string {
  const change = f.attribute ? ` ${code(f.attribute)}${f.before !== undefined || f.after !== undefined ? ` ${code(f.before ?? "")} → ${code(f.after ?? "")}` : ""}` : "";
  const what = f.kind === "cost" ? `**cost**` : `**${f.action}** ${code(f.address)}`;
  return `- ${what} (${f.kind})${f.kind === "cost" ? "" : change}: ${f.message.replace(/\n/g, " ")}`;
}

/** The summary of one stack: at most {@link MAX_SUMMARY_LINES} lines, danger findings always all shown. */
export function summaryLines(r: StackReview): string[] {
  const c = r.counts;
  const head = [
    `### Plan review: ${code(r.stack)}`,
    `**${c.create} to create · ${c.update} to update · ${c.replace} to replace · ${c.delete} to delete** (${c["no-op"]} unchanged)` +
      (r.policy ? ` · policy: ${r.policy.failed} failed, ${r.policy.suppressed} suppressed (${r.policy.rules} rules)` : "") +
      (r.cost ? ` · cost: ${r.cost.delta >= 0 ? "+" : "-"}${money(Math.abs(r.cost.delta))}/month (${money(r.cost.head)})` : " · cost: no base given"),
  ];
  if (r.findings.length === 0) return [...head, "", "No data-loss, security, policy or rollout findings."];
  const out = [...head];
  const budget = MAX_SUMMARY_LINES;
  let shown = 0;
  for (const [severity, title] of TITLES) {
    const list = r.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    if (severity !== "danger" && out.length + 3 > budget) break;
    out.push("", title);
    for (const f of list) {
      if (severity !== "danger" && out.length + 2 > budget) break;
      out.push(findingLine(f));
      shown++;
    }
  }
  if (shown < r.findings.length) out.push(`- … ${r.findings.length - shown} more findings: \`npm run review -- --format json\` lists all`);
  return out;
}

/** Markdown of the reviews; `planText` gives the full plan text of a review (its source), collapsed under each summary. */
export function renderMarkdown(reviews: readonly StackReview[], planText: (r: StackReview) => string | undefined = () => undefined): string {
  const out: string[] = [];
  for (const r of reviews) {
    out.push(...summaryLines(r), "");
    const text = planText(r);
    out.push(`<details><summary>Full plan (${r.changes.length} changes)</summary>`, "");
    if (text !== undefined) {
      const body = text.length > MAX_PLAN_CHARS ? `${text.slice(0, MAX_PLAN_CHARS)}\n... (cut at ${MAX_PLAN_CHARS} characters; see the job log)` : text;
      out.push("```", body.replace(/```/g, "'''").trimEnd(), "```");
    } else {
      for (const ch of r.changes) out.push(`- ${ch.action} ${code(ch.address)}`);
      if (r.changes.length === 0) out.push("No changes.");
    }
    out.push("", "</details>", "");
  }
  return out.join("\n");
}

/** The JSON report (schema version 1). */
export function renderJson(reviews: readonly StackReview[]): string {
  const report: ReviewReport = { version: 1, stacks: [...reviews] };
  return `${JSON.stringify(report, null, 2)}\n`;
}
