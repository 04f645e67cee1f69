/**
 * The result model of the commands that check a deployment (`npm run preflight`, `npm run verify`):
 * each check is ✓ (pass), ✗ (fail) or "not checked" (skip), with the evidence behind it and, for a
 * failure, what to change. Rendered as text (what the user must act on) or JSON; the exit code is
 * 0 when nothing failed, 1 when a check failed, 2 for bad input (thrown as {@link InputError}).
 */

/** pass ✓, fail ✗, skip: not checked (the evidence says why). */
export type CheckStatus = "pass" | "fail" | "skip";

/** One check's result. */
export interface CheckResult {
  /** Stable identifier, e.g. `image-port`. */
  readonly id: string;
  /** What is checked, as a statement that holds when it passes. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found (never a secret value). */
  readonly evidence: string[];
  /** What to change, for a failure. */
  readonly fix?: string;
}

/** Output formats of the check commands. */
export const CHECK_FORMATS = ["text", "json"] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

/** Bad input (arguments, files): exit code 2, nothing checked. */
export class InputError extends Error {}

/** Exit codes of the check commands. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

/** 0 when no check failed, else 1. */
export function exitCode(checks: readonly CheckResult[]): number {
  return checks.some((c) => c.status === "fail") ? EXIT.failed : EXIT.ok;
}

const MARK: Record<CheckStatus, string> = { pass: "✓", fail: "✗", skip: "-" };

/**
 * Text report: a summary line, then one line per check. Evidence and fixes are printed for failed and
 * unchecked checks (what the user must act on); for passed checks only with `verbose`.
 */
export function renderText(subject: string, checks: readonly CheckResult[], verbose = false): string {
  const failed = checks.filter((c) => c.status === "fail").length;
  const skipped = checks.filter((c) => c.status === "skip").length;
  const counts = [`${checks.length - failed - skipped} passed`, `${failed} failed`, ...(skipped ? [`${skipped} not checked`] : [])];
  const verdict = failed ? "FAILED" : skipped ? "no failures, incomplete" : "ok";
  const lines = [`${subject}: ${verdict} (${counts.join(", ")})`];
  for (const c of checks) {
    lines.push(`${MARK[c.status]} ${c.title}${c.status === "skip" ? " (not checked)" : ""}`);
    if (c.status !== "pass" || verbose) for (const e of c.evidence) lines.push(`    ${e}`);
    if (c.fix && c.status === "fail") lines.push(`    fix: ${c.fix}`);
  }
  return `${lines.join("\n")}\n`;
}

/** JSON report: `{subject, ok, checks}`. */
export function renderJson(subject: string, checks: readonly CheckResult[]): string {
  return `${JSON.stringify({ subject, ok: exitCode(checks) === EXIT.ok, checks }, null, 2)}\n`;
}

/** The report in `format`. */
export function render(format: CheckFormat, subject: string, checks: readonly CheckResult[], verbose = false): string {
  return format === "json" ? renderJson(subject, checks) : renderText(subject, checks, verbose);
}
