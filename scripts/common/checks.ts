/**
 * The result model, renderers and exit codes of the post-deploy commands (`npm run verify`, and
 * `npm run preflight`, which reports the same way): each check is ✓ pass, ✗ fail or – not checked,
 * with one line of summary and the evidence behind it.
 */

/** Exit codes shared by the commands: 0 every check passed, 1 a check failed, 2 bad input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** Bad input (arguments, files, outputs): the command prints the message and exits with {@link EXIT.badInput}. */
export class InputError extends Error {}

/** pass ✓, fail ✗, skip – (not checked: switched off with --skip, or its inputs are missing). */
export type CheckStatus = "pass" | "fail" | "skip";

/** A known cause found in the evidence, with the change that fixes it. */
export interface Diagnosis {
  /** Stable id (e.g. a failure signature's id). */
  readonly id: string;
  readonly cause: string;
  readonly fix: string;
  /** Where the knowledge comes from (a ZenML source file, the guide's section). */
  readonly source?: string;
  /** The evidence that matched (a log line, a reason code), shortened. */
  readonly example?: string;
  /** How often it was seen. */
  readonly count?: number;
}

/** One check's outcome. */
export interface CheckResult {
  /** Stable id, e.g. `service`, `tls-dns`. */
  readonly id: string;
  /** Human title, e.g. "ECS service". */
  readonly title: string;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** Details: one line per item (task, target, log signature). */
  readonly evidence: readonly string[];
  /** Known causes, when the check failed for a recognised reason. */
  readonly diagnoses?: readonly Diagnosis[];
}

/** A whole run. */
export interface CheckReport {
  /** Command name, e.g. "verify". */
  readonly command: string;
  /** What was checked, e.g. the stack name. */
  readonly subject: string;
  /** ISO time the checks finished. */
  readonly at: string;
  readonly checks: readonly CheckResult[];
  /** Why the run is incomplete (e.g. no AWS credentials): printed first, and the run does not pass. */
  readonly notice?: string;
  /** Where to look next, e.g. the stack's CloudWatch dashboard; text prints one `label: url` line each. */
  readonly links?: readonly { readonly label: string; readonly url: string }[];
}

/** Output formats of the commands. */
export const FORMATS = ["text", "json"] as const;
export type Format = (typeof FORMATS)[number];

const MARK: Record<CheckStatus, string> = { pass: "✓", fail: "✗", skip: "–" };

/** Whether every check passed (skipped checks do not count as failures) and the run is complete (no notice). */
export function passed(report: CheckReport): boolean {
  return !report.notice && report.checks.every((c) => c.status !== "fail");
}

/** The exit code of a report. */
export function exitCode(report: CheckReport): number {
  return passed(report) ? EXIT.ok : EXIT.failed;
}

/** Replaces every occurrence of the given values (secrets) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
  return out;
}

/**
 * Text report: one line per check (✓/✗/– title: summary), then its evidence and diagnoses indented.
 * Passing checks show their evidence only with `verbose`.
 */
export function renderText(report: CheckReport, verbose = false): string {
  const lines: string[] = report.notice ? [report.notice] : [];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]} ${c.title}: ${c.summary}`);
    if (c.status !== "pass" || verbose) for (const e of c.evidence) lines.push(`    ${e}`);
    for (const d of c.diagnoses ?? []) {
      lines.push(`    → ${d.cause}${d.count && d.count > 1 ? ` (${d.count}×)` : ""}`);
      if (d.example) lines.push(`      seen: ${d.example}`);
      lines.push(`      fix: ${d.fix}`);
      if (d.source) lines.push(`      source: ${d.source}`);
    }
  }
  for (const l of report.links ?? []) lines.push(`${l.label}: ${l.url}`);
  const failed = report.checks.filter((c) => c.status === "fail").length;
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  lines.push(
    `${report.command} ${report.subject}: ${failed === 0 ? (report.notice ? "no check failed, but the run is incomplete" : "all checks passed") : `${failed} of ${report.checks.length} checks failed`}` +
      (skipped > 0 ? ` (${skipped} not checked)` : ""),
  );
  return lines.join("\n") + "\n";
}

/** JSON report (the {@link CheckReport} plus `passed`). */
export function renderJson(report: CheckReport): string {
  return JSON.stringify({ ...report, passed: passed(report) }, null, 2) + "\n";
}

/** Renders in the given format. */
export function render(report: CheckReport, format: Format, verbose = false): string {
  return format === "json" ? renderJson(report) : renderText(report, verbose);
}
