/**
 * Markdown (the PR comment: danger first, under 40 lines before the collapsed full plan, and always
 * within GitHub's comment size) and JSON (the stable schema of scripts/review/model.ts) renderings of
 * reviews.
 */
import { Finding, ReviewReport, StackReview } from "./model";

/** Lines of a stack's summary before the collapsed plan are kept under this many (danger findings are never cut). */
export const MAX_SUMMARY_LINES = 39;
/** GitHub refuses an issue or PR comment longer than this (characters). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/**
 * The review's Markdown is kept to this many characters by default: the PR workflow adds a marker
 * and a run line (under 200 characters) around it.
 */
export const MAX_COMMENT_CHARS = GITHUB_COMMENT_LIMIT - 1_536;
/** Where the uncut report is, when the caller does not say (the PR workflow names its job summary and artifact). */
export const DEFAULT_FULL_REPORT = "`npm run review -- <plan.json> --max-chars 0` (or `--format json`)";

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const money = (n: number) => `$${n.toFixed(2)}`;

const TITLES: ReadonlyArray<[Finding["severity"], string]> = [
  ["danger", "🛑 **Danger: data loss**"],
  ["warn", "⚠️ **Warnings: security, drift, state and policy**"],
  ["info", "ℹ️ **Rollout, state, drift and cost**"],
];

const existing = (f: Finding) => (f.novelty === "existing" ? " _(existing)_" : "");

export function findingLine(f: Finding): string {
  const change = f.attribute ? ` ${code(f.attribute)}${f.before !== undefined || f.after !== undefined ? ` ${code(f.before ?? "")} → ${code(f.after ?? "")}` : ""}` : "";
  const what = f.kind === "cost" ? `**cost**` : `**${f.action}** ${code(f.address)}`;
  return `- ${what} (${f.kind})${existing(f)}${f.kind === "cost" ? "" : change}: ${f.message.replace(/\n/g, " ")}`;
}

/** A finding by its address (and attribute) only: what a danger finding shrinks to when the comment is full. */
const compactLine = (f: Finding) => `- **${f.action}** ${code(f.address)}${f.attribute ? ` ${code(f.attribute)}` : ""} (${f.kind})${existing(f)}`;

function countsLine(r: StackReview): string {
  const c = r.counts;
  const extra = (
    [
      ["forget", "to forget"],
      ["import", "to import"],
      ["move", "moved"],
      ["deferred", "deferred"],
      ["drift", "changed outside Terraform"],
    ] as const
  )
    .filter(([k]) => (c[k] ?? 0) > 0)
    .map(([k, label]) => ` · ${c[k]} ${label}`)
    .join("");
  const policyNew = r.findings.filter((f) => f.kind === "policy" && f.novelty === "new").length;
  const policyOld = r.findings.filter((f) => f.kind === "policy" && f.novelty === "existing").length;
  const split = policyNew + policyOld > 0 ? ` (${policyNew} new, ${policyOld} existing)` : "";
  return (
    `**${c.create} to create · ${c.update} to update · ${c.replace} to replace · ${c.delete} to delete**${extra} (${c["no-op"]} unchanged)` +
    (r.policy ? ` · policy: ${r.policy.failed} failed${split}, ${r.policy.suppressed} suppressed (${r.policy.rules} rules)` : "") +
    (r.cost ? ` · cost: ${r.cost.delta >= 0 ? "+" : "-"}${money(Math.abs(r.cost.delta))}/month (${money(r.cost.head)})` : " · cost: no base given")
  );
}

/** What the size limit cut from one stack's rendering. */
interface Cut {
  /** Danger findings shown by address only. */
  compacted: number;
  /** Warn/info findings left out (by the line budget or the size limit). */
  omitted: number;
  /** Characters of the full plan left out. */
  planChars: number;
}

/**
 * The summary of one stack: at most {@link MAX_SUMMARY_LINES} lines, danger findings always all shown,
 * within `maxChars` (danger findings beyond it are shown by address only). Without a size limit (the
 * full report) every finding is listed.
 */
export function summaryLines(r: StackReview, maxChars = MAX_COMMENT_CHARS, cut: Cut = { compacted: 0, omitted: 0, planChars: 0 }): string[] {
  // Two lines stay free for the cut note under the summary.
  const maxLines = maxChars === Infinity ? Infinity : MAX_SUMMARY_LINES - 2;
  const head = [`### Plan review: ${code(r.stack)}`, countsLine(r)];
  if (r.findings.length === 0) return [...head, "", "No data-loss, security, drift, state, policy or rollout findings."];
  const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
  const dangers = r.findings.filter((f) => f.severity === "danger");
  const out = [...head];
  let shown = 0;
  if (dangers.length) {
    out.push("", TITLES[0][1]);
    // Full lines while the rest still fits as compact lines, then compact lines.
    const compact = dangers.map(compactLine);
    let used = size(out) + size(compact);
    let full = 0;
    for (; full < dangers.length; full++) {
      const grow = findingLine(dangers[full]).length - compact[full].length;
      if (used + grow > maxChars) break;
      used += grow;
    }
    out.push(...dangers.slice(0, full).map(findingLine), ...compact.slice(full));
    cut.compacted += dangers.length - full;
    shown += dangers.length;
  }
  for (const [severity, title] of TITLES.slice(1)) {
    const list = r.findings.filter((f) => f.severity === severity);
    if (list.length === 0) continue;
    if (out.length + 3 > maxLines || size(out) + title.length + 2 > maxChars) break;
    out.push("", title);
    for (const f of list) {
      const line = findingLine(f);
      if (out.length + 2 > maxLines || size(out) + line.length + 1 > maxChars) break;
      out.push(line);
      shown++;
    }
  }
  cut.omitted += r.findings.length - shown;
  if (shown < r.findings.length) out.push(`- … ${r.findings.length - shown} more findings (in the full report)`);
  return out;
}

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** The Markdown is kept within this many characters (0 or Infinity: no limit). Default {@link MAX_COMMENT_CHARS}. */
  readonly maxChars?: number;
  /** Where the uncut report is (named when something was cut). Default {@link DEFAULT_FULL_REPORT}. */
  readonly fullReport?: string;
}

const changeLine = (ch: StackReview["changes"][number]) =>
  `- ${ch.action}${ch.order ? ` (${ch.order})` : ""} ${code(ch.address)}${ch.from ? ` (moved from ${code(ch.from)})` : ""}${ch.importId !== undefined ? ` (import ${code(ch.importId)})` : ""}${ch.deferred ? ` (deferred: ${ch.deferred})` : ""}`;

/**
 * Markdown of the reviews; `planText` gives the full plan text of a review (its source, already
 * masked), collapsed under each summary. Within `maxChars`: every danger finding stays (by address
 * at least), then warn/info findings and the full plan are cut, with a count of what was cut and where
 * the full report is.
 */
export function renderMarkdown(reviews: readonly StackReview[], planText: (r: StackReview) => string | undefined = () => undefined, options: MarkdownOptions = {}): string {
  const limit = options.maxChars === undefined ? MAX_COMMENT_CHARS : options.maxChars > 0 ? options.maxChars : Infinity;
  const fullReport = options.fullReport ?? DEFAULT_FULL_REPORT;
  const out: string[] = [];
  for (const [i, r] of reviews.entries()) {
    const budget = limit === Infinity ? Infinity : Math.floor((limit - out.join("\n").length) / (reviews.length - i)) - 1;
    const cut: Cut = { compacted: 0, omitted: 0, planChars: 0 };
    // Room kept for the collapsed plan's frame and the cut note.
    const reserve = 400 + fullReport.length;
    const summary = summaryLines(r, budget - reserve, cut);
    const text = planText(r);
    const frameHead = [`<details><summary>Full plan (${r.changes.length} changes)</summary>`, ""];
    let body: string[];
    if (text !== undefined) {
      const plain = text.replace(/```/g, "'''").trimEnd();
      body = ["```", plain, "```"];
      const room = budget - reserve - summary.join("\n").length - 40;
      if (plain.length > room) {
        const keep = Math.max(0, room);
        cut.planChars += plain.length - keep;
        body = ["```", plain.slice(0, keep), "```"];
      }
    } else {
      body = r.changes.map(changeLine);
      if (r.changes.length === 0) body.push("No changes.");
      const room = budget - reserve - summary.join("\n").length - 40;
      let used = 0;
      let kept = 0;
      for (const line of body) {
        if (used + line.length + 1 > room) break;
        used += line.length + 1;
        kept++;
      }
      if (kept < body.length) {
        cut.planChars += body.slice(kept).reduce((n, l) => n + l.length + 1, 0);
        body = [...body.slice(0, kept), `- … ${r.changes.length - kept} more changes`];
      }
    }
    const notes: string[] = [];
    if (cut.compacted || cut.omitted || cut.planChars) {
      const parts = [
        cut.compacted ? `${cut.compacted} danger findings shown by address only` : "",
        cut.omitted ? `${cut.omitted} findings left out` : "",
        cut.planChars ? `${cut.planChars} characters of the full plan cut` : "",
      ].filter(Boolean);
      notes.push(`**Cut to fit:** ${parts.join(", ")}. The full report: ${fullReport}.`, "");
    }
    out.push(...summary, "", ...notes, ...frameHead, ...body, "", "</details>", "");
  }
  return out.join("\n");
}

/** The JSON report (schema version 1). */
export function renderJson(reviews: readonly StackReview[]): string {
  const report: ReviewReport = { version: 1, stacks: [...reviews] };
  return `${JSON.stringify(report, null, 2)}\n`;
}
