/**
 * Which ZN rules the Rego (policy/*.rego) and Sentinel (policy/sentinel/*.sentinel) packs implement,
 * read from their sources, and the table of docs/policy-rego.md that documents it.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
export const RULE_TABLE_DOC = path.join(ROOT, "docs", "policy-rego.md");

/** Rule IDs the Rego pack reports (its tests excluded), and the Sentinel policies check: read from their sources. */
export { regoRuleIds, sentinelRuleIds } from "../scripts/generate-schema";

/** Rows of the documented table: rule ID → [Rego, Sentinel] as written (✓ or —). */
export function documentedTable(): Map<string, [boolean, boolean]> {
  const rows = new Map<string, [boolean, boolean]>();
  for (const line of fs.readFileSync(RULE_TABLE_DOC, "utf8").split("\n")) {
    const m = /^\| (ZN[A-Z]+[0-9]+) \|[^|]*\| (✓|—) \| (✓|—) \|$/.exec(line);
    if (m) rows.set(m[1], [m[2] === "✓", m[3] === "✓"]);
  }
  return rows;
}
