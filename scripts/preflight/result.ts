/** Builds preflight's check results in the shared model (scripts/common/checks.ts). */
import { CheckResult, CheckStatus } from "../common/checks";

/** What to change for a failed check, and where the knowledge comes from. */
export interface Fix {
  readonly fix: string;
  /** What goes wrong at deploy or run time because of it. */
  readonly cause: string;
  readonly source?: string;
}

/** A check result; a failure with `fix` carries it as one diagnosis. */
export function result(id: string, title: string, status: CheckStatus, summary: string, evidence: readonly string[] = [], fix?: Fix): CheckResult {
  return {
    id,
    title,
    status,
    summary,
    evidence,
    ...(fix && status === "fail" ? { diagnoses: [{ id, cause: fix.cause, fix: fix.fix, ...(fix.source ? { source: fix.source } : {}) }] } : {}),
  };
}
