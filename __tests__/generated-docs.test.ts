/**
 * What `npm run schema` generates is current, and the rule counts in the README, `help` and docs are
 * all generated: a stale count fails, and so does a new hand-written "<n> rules".
 */
import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../lib/policy";
import { RULE_COUNT_SITES, generatedFiles, withRuleCounts } from "../scripts/generate-schema";
import { ROOT } from "./helpers";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

test.each(generatedFiles().map((g) => [g.file, g] as const))("%s is current (npm run schema rewrites it)", (file, g) => {
  const text = read(file);
  expect(g.generate(text) === text).toBe(true);
});

test("a wrong rule count is rewritten", () => {
  const readme = read("README.md");
  const stale = readme.replace(`policy pack of ${ALL_RULES.length} rules`, `policy pack of ${ALL_RULES.length + 1} rules`);
  expect(stale).not.toBe(readme);
  expect(withRuleCounts("README.md", stale)).toBe(readme);
});

test("every '<n> rules' in the README, help and docs is a generated count", () => {
  const files = ["README.md", "help", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const handWritten: string[] = [];
  for (const file of files) {
    const text = read(file);
    const generated = new Set(
      RULE_COUNT_SITES.filter((s) => s.file === file).map((s) => {
        const m = s.pattern.exec(text)!;
        return m.index + m[1].length;
      }),
    );
    // (Not "443 and 80 rules": port numbers of security-group rules.)
    for (const m of text.matchAll(/(?<!and\s+)\b\d+ (?:ZN )?rules\b/g)) if (!generated.has(m.index!)) handWritten.push(`${file}: "${m[0]}"`);
  }
  expect(handWritten).toEqual([]);
});

test("the README stays a short front door (at most 120 lines), with the two setup commands and the init step", () => {
  const readme = read("README.md");
  expect(readme.trimEnd().split("\n").length).toBeLessThanOrEqual(120);
  expect(readme).toContain("npm ci && npm run synth");
  expect(readme).toMatch(/^npm test\b/m);
  expect(readme).toContain("npm run init -- <env>");
  expect(readme).toContain("(docs/configuration.md#make-it-yours)");
});
