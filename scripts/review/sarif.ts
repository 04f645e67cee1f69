/**
 * The review's findings as SARIF 2.1.0 (GitHub code scanning, `upload-sarif` in the PR workflow). Each
 * result carries a fingerprint of what identifies the finding across runs and commits: its address,
 * rule and attribute (never its message or values, which change with IDs and versions), so code
 * scanning tracks one alert per finding and closes it when the finding goes.
 */
import * as crypto from "crypto";
import { Finding, StackReview } from "./model";

/** The fingerprint key (a version suffix, so a future change of the recipe starts new alerts). */
export const FINGERPRINT_KEY = "zenmlReview/v1";

const LEVEL: Readonly<Record<Finding["severity"], "error" | "warning" | "note">> = { danger: "error", warn: "warning", info: "note" };
const SECURITY_SEVERITY: Readonly<Record<Finding["severity"], string>> = { danger: "9.0", warn: "6.0", info: "2.0" };

/** The rule of a finding: its own, else `review/<kind>`. */
export const ruleOf = (f: Finding): string => f.rule ?? `review/${f.kind}`;

/** The stable fingerprint: sha256 of address, rule and attribute. */
export function fingerprint(f: Finding): string {
  return crypto.createHash("sha256").update(`${f.address}\u0000${ruleOf(f)}\u0000${f.attribute ?? ""}`).digest("hex");
}

/**
 * The SARIF log of the reviews. `location(r)` is the file a stack's results point at (default
 * `cdktf.out/stacks/<stack>/cdk.tf.json`); the address is the logical location.
 */
export function renderSarif(reviews: readonly StackReview[], location: (r: StackReview) => string = (r) => `cdktf.out/stacks/${r.stack}/cdk.tf.json`): string {
  const findings = reviews.flatMap((r) => r.findings.map((f) => ({ r, f })));
  const rules = [...new Map(findings.map(({ f }) => [ruleOf(f), f])).entries()].sort(([a], [b]) => a.localeCompare(b));
  const index = new Map(rules.map(([id], i) => [id, i]));
  const results = findings.map(({ r, f }) => ({
    ruleId: ruleOf(f),
    ruleIndex: index.get(ruleOf(f)),
    level: LEVEL[f.severity],
    message: {
      text: `${f.action} ${f.address}${f.attribute ? ` ${f.attribute}` : ""}${f.before !== undefined || f.after !== undefined ? ` (${f.before ?? ""} → ${f.after ?? ""})` : ""}: ${f.message}`,
    },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: location(r) }, region: { startLine: 1 } },
        logicalLocations: [{ name: f.address, fullyQualifiedName: `${r.stack}/${f.address}`, kind: "resource" }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
    properties: { stack: r.stack, kind: f.kind, severity: f.severity, ...(f.novelty ? { novelty: f.novelty } : {}) },
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "zenml-plan-review",
            rules: rules.map(([id, f]) => ({
              id,
              shortDescription: { text: `${f.kind} (${f.severity})` },
              defaultConfiguration: { level: LEVEL[f.severity] },
              properties: { tags: ["terraform", "plan-review", f.kind], ...(f.kind === "security" || f.kind === "policy" ? { "security-severity": SECURITY_SEVERITY[f.severity] } : {}) },
            })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
