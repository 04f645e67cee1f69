/**
 * What the suppressions mean to external scanners. The suppressions made in code with
 * `suppress(construct, rule, reason)` stay the one source; from them and each rule's `scanners` IDs
 * this module derives, per stack:
 * - the justified list (`suppressions.json`): address, rule, reason and the scanner IDs it covers;
 * - a checkov baseline (`checkov-baseline.json`, for `--baseline … --output-baseline-as-skipped`):
 *   checkov's terraform_json runner ignores skip comments, but its baseline matches on resource and
 *   check ID (checkov/common/output/baseline.py `_is_check_in_baseline`);
 * - a trivy ignore policy (`trivy-ignore.rego`, for `--ignore-policy`): trivy evaluates
 *   `data.trivy.ignore` with each misconfiguration as `input` (pkg/result/filter.go), keyed here on
 *   `ID`/`AVDID` and `CauseMetadata.Resource`.
 * KICS has no per-resource exclusion that can be generated ahead of a scan (its `--exclude-results`
 * takes the similarity IDs KICS computes while scanning; `--exclude-queries` drops a query
 * everywhere), so KICS findings are matched per resource by `npm run policy -- --import`.
 */
import { referencedAddress } from "./attributes";
import { EvaluationInput, isActive, today } from "./engine";
import { RULES_BY_ID } from "./rules";
import { ScannerJustification } from "./scanner-justifications";
import { Rule, Scanner, SCANNERS } from "./types";

/** IDs under which `scanner` reports the rule's check (trivy: `AWS-0053` and its alias `AVD-AWS-0053`). */
export function scannerIds(rule: Rule, scanner: Scanner): string[] {
  const ids = [...(rule.scanners[scanner] ?? [])];
  return scanner === "trivy" ? ids.flatMap((id) => [id, `AVD-${id}`]) : ids;
}

/** Every related check of a rule, for reports: scanner IDs, then other references. */
export const relatedChecks = (rule: Rule): string[] => [...SCANNERS.flatMap((s) => rule.scanners[s] ?? []), ...(rule.references ?? [])];

/** One justified suppression of one resource. */
export interface SuppressionEntry {
  /** Stack name (or checked file). */
  readonly source: string;
  /** Terraform address (`aws_lb.x`, `data.aws_iam_policy_document.y`). */
  readonly address: string;
  readonly rule: string;
  readonly reason: string;
  readonly owner?: string;
  readonly expires?: string;
  /** Scanner check IDs the suppression covers, from the rule's mapping. */
  readonly scanners: { readonly [S in Scanner]: readonly string[] };
}

/** The justified list of one input: every suppression in force on `day` on every resource, with its scanner IDs. */
export function suppressionEntries(input: Pick<EvaluationInput, "source" | "suppressions">, day = today()): SuppressionEntry[] {
  const out: SuppressionEntry[] = [];
  for (const [address, list] of [...input.suppressions].sort(([a], [b]) => a.localeCompare(b))) {
    for (const s of list.filter((x) => isActive(x, day))) {
      const rule = RULES_BY_ID.get(s.ruleId);
      const ids = (scanner: Scanner) => (rule ? scannerIds(rule, scanner) : []);
      out.push({
        source: input.source,
        address,
        rule: s.ruleId,
        reason: s.reason,
        ...(s.owner ? { owner: s.owner } : {}),
        ...(s.expires ? { expires: s.expires } : {}),
        scanners: { checkov: ids("checkov"), trivy: ids("trivy"), kics: ids("kics") },
      });
    }
  }
  return out;
}

/** Resource IDs checkov gives a resource of a Terraform JSON file (see {@link checkovBaseline}). */
export function checkovResourceIds(address: string): string[] {
  const [head, ...rest] = address.split(".");
  const name = head === "data" ? rest.slice(1).join(".") : rest.join(".");
  // Graph checks (CKV2_*) report the Terraform address; the terraform_json runner's Python checks
  // report `<block type>.<name>` (checkov/terraform_json/runner.py `run_block`).
  return [address, `${head === "data" ? "data" : "resource"}.${name}`];
}

/** Standalone security group rule resources and the attribute that names their group. */
const GROUP_RULE_TYPES: Readonly<Record<string, string>> = {
  aws_security_group_rule: "security_group_id",
  aws_vpc_security_group_ingress_rule: "security_group_id",
  aws_vpc_security_group_egress_rule: "security_group_id",
};

/**
 * The security group of each standalone rule resource of `input` (rule address → group address). After
 * an apply, AWS reports a group's standalone rules in the group's own `ingress`/`egress`, so a plan
 * or state shows them on `aws_security_group` too, where checkov's port checks (CKV_AWS_260, …) find them.
 */
export function securityGroupOfRules(input: Pick<EvaluationInput, "resources">): Map<string, string> {
  // In a configuration the rule references its group; in a plan of applied resources it holds the group's ID.
  const byId = new Map(input.resources.filter((r) => r.type === "aws_security_group" && typeof r.attributes.id === "string").map((r) => [r.attributes.id as string, r.address]));
  const out = new Map<string, string>();
  for (const r of input.resources) {
    const attr = GROUP_RULE_TYPES[r.type];
    if (!attr) continue;
    const value = r.attributes[attr];
    const group = referencedAddress(value) ?? (typeof value === "string" ? byId.get(value) : undefined);
    if (group?.startsWith("aws_security_group.")) out.set(r.address, group);
  }
  return out;
}

/**
 * A checkov baseline (the `--create-baseline` format of checkov/common/output/baseline.py) that
 * lists each suppressed resource with the check IDs of its suppressed rules, and each resource with a
 * checkov justification of ./scanner-justifications with that check's ID. A suppression on a
 * standalone security group rule covers its group too (`groupOfRule`, see {@link securityGroupOfRules}),
 * where checkov sees the rule when it scans a plan. Checkov matches a baseline on resource and check ID
 * only, not on the file: use one baseline per stack file.
 */
export function checkovBaseline(
  entries: readonly SuppressionEntry[],
  justifications: readonly Omit<ScannerJustification, "source">[] = [],
  groupOfRule: ReadonlyMap<string, string> = new Map(),
  file = "/cdk.tf.json",
): string {
  const byResource = new Map<string, Set<string>>();
  const add = (address: string, checkIds: readonly string[]) => {
    if (checkIds.length === 0) return;
    for (const resource of checkovResourceIds(address)) {
      const ids = byResource.get(resource) ?? new Set<string>();
      checkIds.forEach((id) => ids.add(id));
      byResource.set(resource, ids);
    }
  };
  for (const e of entries) {
    add(e.address, e.scanners.checkov);
    const group = groupOfRule.get(e.address);
    if (group) add(group, e.scanners.checkov);
  }
  for (const j of justifications.filter((x) => x.scanner === "checkov")) add(j.address, j.ids);
  const findings = [...byResource].map(([resource, ids]) => ({ resource, check_ids: [...ids].sort() }));
  return JSON.stringify({ failed_checks: findings.length > 0 ? [{ file, findings }] : [] }, null, 2) + "\n";
}

const regoString = (s: string) => JSON.stringify(s);

/**
 * A trivy `--ignore-policy` module: ignores a misconfiguration when its check ID (`ID` or the
 * deprecated `AVDID`) and its `CauseMetadata.Resource` (the Terraform address, or a block inside it:
 * `<address>.<block>`) match a suppression, or a justification of ./scanner-justifications (those
 * with `messages` also need the finding's `Message` to be one of them, e.g. one env var name). trivy
 * evaluates `data.trivy.ignore` with each finding as `input` (pkg/result/filter.go), so every entry
 * is per resource and check, never rule-wide.
 */
export function trivyIgnorePolicy(entries: readonly SuppressionEntry[], justifications: readonly Omit<ScannerJustification, "source">[] = []): string {
  const rows = [
    ...entries
      .filter((e) => e.scanners.trivy.length > 0)
      .map((e) => `\t{"resource": ${regoString(e.address)}, "ids": {${e.scanners.trivy.map(regoString).join(", ")}}, "rule": ${regoString(e.rule)}, "reason": ${regoString(e.reason)}},`),
    ...justifications
      .filter((j) => j.scanner === "trivy")
      .map(
        (j) =>
          `\t{"resource": ${regoString(j.address)}, "ids": {${j.ids.map(regoString).join(", ")}}, "reason": ${regoString(j.reason)}` +
          `${j.messages ? `, "messages": {${j.messages.map(regoString).join(", ")}}` : ""}},`,
      ),
  ];
  return [
    "# Generated at synth from the suppressions in code (suppress(construct, rule, reason)) and the",
    "# per-resource scanner justifications (lib/policy/scanner-justifications.ts); do not edit.",
    "# Use: trivy config --ignore-policy <this file> <stack folder>",
    "package trivy",
    "",
    "import rego.v1",
    "",
    "default ignore := false",
    "",
    "suppressions := [",
    ...rows,
    "]",
    "",
    "# The finding's resource is the suppressed resource or a block inside it.",
    "on_resource(s) if s.resource == input.CauseMetadata.Resource",
    "",
    "on_resource(s) if startswith(input.CauseMetadata.Resource, concat(\"\", [s.resource, \".\"]))",
    "",
    "check_id(s) if input.ID in s.ids",
    "",
    "check_id(s) if input.AVDID in s.ids",
    "",
    "# Entries with messages cover only those findings (AWS-0036 names one env var per finding).",
    "message_matches(s) if not s.messages",
    "",
    "message_matches(s) if input.Message in s.messages",
    "",
    "ignore if {",
    "\tsome s in suppressions",
    "\ton_resource(s)",
    "\tcheck_id(s)",
    "\tmessage_matches(s)",
    "}",
    "",
  ].join("\n");
}
