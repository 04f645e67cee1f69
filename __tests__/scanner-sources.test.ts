/** The scanner IDs of the rule pack and the upstream files that define them (lib/policy/scanner-sources.ts). */
import * as fs from "fs";
import { ALL_RULES, Scanner, SCANNERS } from "../lib/policy";
import { KICS_EXCLUDED_QUERIES, kicsQueryFile } from "../lib/policy/kics-config";
import { SCANNER_CHECKS } from "../lib/policy/scanner-justifications";
import { SCANNER_SOURCES } from "../lib/policy/scanner-sources";
import { POLICY_DOC_FILE, policyDocWithMapping } from "../scripts/generate-schema";

/** Every (scanner, ID) pair used in a rule's `scanners` field, with the rules using it. */
function usedIds(): Map<string, { scanner: Scanner; rules: string[] }> {
  const used = new Map<string, { scanner: Scanner; rules: string[] }>();
  for (const rule of ALL_RULES) {
    for (const scanner of SCANNERS) {
      for (const id of rule.scanners[scanner] ?? []) {
        const entry = used.get(id) ?? { scanner, rules: [] };
        entry.rules.push(rule.id);
        used.set(id, entry);
      }
    }
  }
  return used;
}

/** Where each scanner's checks live upstream. */
const RULE_TREES: Record<Scanner, { repo: string; path: RegExp }> = {
  checkov: { repo: "bridgecrewio/checkov", path: /^checkov\/terraform\/checks\/((resource|data)\/aws\/\w+\.py|graph_checks\/aws\/\w+\.yaml)$/ },
  trivy: { repo: "aquasecurity/trivy-checks", path: /^checks\/cloud\/aws\/\w+\/\w+\.rego$/ },
  kics: { repo: "Checkmarx/kics", path: /^assets\/queries\/terraform\/aws\/\w+\/metadata\.json$/ },
};

test("every scanner ID in a rule's scanners field has its upstream source in lib/policy/scanner-sources.ts", () => {
  const missing = [...usedIds()].filter(([id]) => !SCANNER_SOURCES.has(id)).map(([id, { rules }]) => `${id} (${rules.join(", ")})`);
  expect(missing).toEqual([]);
});

test("every source in lib/policy/scanner-sources.ts is used by a rule, for the same scanner", () => {
  const used = usedIds();
  const unused = [...SCANNER_SOURCES.keys()].filter((id) => !used.has(id));
  expect(unused).toEqual([]);
  const wrongScanner = [...SCANNER_SOURCES].filter(([id, source]) => used.get(id)?.scanner !== source.scanner).map(([id]) => id);
  expect(wrongScanner).toEqual([]);
});

test("every source is a file of its scanner's rule tree", () => {
  const misplaced = [...SCANNER_SOURCES]
    .filter(([, s]) => s.repo !== RULE_TREES[s.scanner].repo || !RULE_TREES[s.scanner].path.test(s.path))
    .map(([id, s]) => `${id}: ${s.repo}:${s.path}`);
  expect(misplaced).toEqual([]);
});

test("the per-resource scanner justifications and the KICS exclusions name their defining upstream files", () => {
  const misplaced = SCANNER_CHECKS.filter((c) => c.source.scanner !== c.scanner || c.source.repo !== RULE_TREES[c.scanner].repo || !RULE_TREES[c.scanner].path.test(c.source.path)).map((c) => c.id);
  expect(misplaced).toEqual([]);
  // KICS exclusions: a query's metadata.json, AWS or provider-independent ("general") Terraform queries.
  const kicsPath = /^assets\/queries\/terraform\/(aws|general)\/\w+\/metadata\.json$/;
  expect(KICS_EXCLUDED_QUERIES.filter((e) => !kicsPath.test(kicsQueryFile(e))).map((e) => e.id)).toEqual([]);
  const excluded = new Set(KICS_EXCLUDED_QUERIES.map((e) => e.id));
  expect([...SCANNER_SOURCES.keys(), ...SCANNER_CHECKS.map((c) => c.id)].filter((id) => excluded.has(id))).toEqual([]);
});

test("the scanner mapping table in docs/policy.md is generated from the rules and their sources (run `npm run schema`)", () => {
  const doc = fs.readFileSync(POLICY_DOC_FILE, "utf8");
  expect(doc).toBe(policyDocWithMapping(doc));
  expect(doc).toContain(
    "| `ZNALB1` | ALB drops invalid HTTP header fields | [`CKV_AWS_131`](https://github.com/bridgecrewio/checkov/blob/HEAD/checkov/terraform/checks/resource/aws/ALBDropHttpHeaders.py",
  );
});
