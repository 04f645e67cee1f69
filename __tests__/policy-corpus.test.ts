/**
 * The TypeScript pack (lib/policy) against the shared fixture corpus (policy-corpus/corpus.json),
 * loaded and evaluated the way `npm run policy` does: loadInput on a file, then evaluate.
 */
import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../lib/policy";
import { evaluate, failures } from "../lib/policy/engine";
import { loadInput } from "../lib/policy/load";
import { checkedByRego, disagreements, loadCorpus } from "./corpus";
import { tempDir } from "./helpers";
import { regoRuleIds } from "./rule-table";

const corpus = loadCorpus();
let work: string;
beforeAll(() => {
  work = tempDir("zenml-policy-corpus-");
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Rule IDs the TypeScript pack fails on `document` (written to a file and loaded like `npm run policy` does). */
function tsFailures(name: string, document: unknown): string[] {
  const file = path.join(work, name, name.startsWith("plan-") ? "plan.json" : "cdk.tf.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(document));
  const evaluation = evaluate([loadInput(file)]);
  expect(evaluation.unknownSuppressions).toEqual([]);
  return [...new Set(failures(evaluation).map((f) => f.rule.id))].sort();
}

test("the corpus is well formed: unique names, known rule IDs, no ID both expected and excluded", () => {
  const known = new Set(ALL_RULES.map((r) => r.id));
  const names = corpus.cases.map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  for (const c of corpus.cases) {
    expect(c.name).toMatch(/^[a-z0-9-]+$/);
    expect(c.description.length).toBeGreaterThan(10);
    expect(c.deny.length + c.no_deny.length).toBeGreaterThan(0);
    for (const id of [...c.deny, ...c.no_deny]) expect(known.has(id)).toBe(true);
    expect(c.deny.filter((id) => c.no_deny.includes(id))).toEqual([]);
  }
});

test("every TypeScript rule (lib/policy/rules/**) has a denying and a passing case", () => {
  const missing = ALL_RULES.flatMap((r) => [
    ...(corpus.cases.some((c) => c.deny.includes(r.id)) ? [] : [`${r.id}: no case in deny`]),
    ...(corpus.cases.some((c) => c.no_deny.includes(r.id)) ? [] : [`${r.id}: no case in no_deny`]),
  ]);
  expect(missing).toEqual([]);
});

test("every rule with a Rego counterpart has a denying and a passing case the Rego pack answers for", () => {
  const rego = corpus.cases.filter(checkedByRego);
  for (const id of regoRuleIds()) {
    expect([id, rego.some((c) => c.deny.includes(id))]).toEqual([id, true]);
    expect([id, rego.some((c) => c.no_deny.includes(id))]).toEqual([id, true]);
  }
});

test("every Rego rule (policy/*.rego) has a TypeScript twin in lib/policy/rules", () => {
  const registered = new Set(ALL_RULES.map((r) => r.id));
  expect(regoRuleIds().filter((id) => !registered.has(id))).toEqual([]);
});

test("a case marked for the TypeScript pack only names no rule the Rego pack implements (so none is hidden from it)", () => {
  const rego = new Set(regoRuleIds());
  for (const c of corpus.cases.filter((x) => !checkedByRego(x))) {
    expect(c.packs).toEqual(["typescript"]);
    expect([c.name, [...c.deny, ...c.no_deny].filter((id) => rego.has(id))]).toEqual([c.name, []]);
  }
});

test("the corpus covers documents without cdktf metadata and documents that omit security attributes", () => {
  const withoutMeta = corpus.cases.filter((c) => !JSON.stringify(c.document).includes('"metadata"'));
  expect(withoutMeta.length).toBeGreaterThan(10);
  expect(corpus.cases.filter((c) => /omit|left out|leaves out/.test(c.description)).length).toBeGreaterThan(8);
});

test.each(corpus.cases.map((c) => [c.name, c] as const))("TypeScript pack: %s", (name, c) => {
  expect(disagreements(c, tsFailures(name, c.document))).toEqual([]);
});
