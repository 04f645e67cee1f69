/**
 * docs/policy-rego.md's table of ZN rules and their Rego and Sentinel counterparts agrees with the
 * rule registry (lib/policy/rules/index.ts) and with the rule IDs in policy/*.rego and
 * policy/sentinel/*.sentinel.
 */
import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../lib/policy";
import { ROOT } from "./helpers";
import { documentedTable, regoRuleIds, sentinelRuleIds } from "./rule-table";

const registered = ALL_RULES.map((r) => r.id);
const table = documentedTable();

test("the registry in lib/policy/rules/index.ts lists every rule the pack exports", () => {
  const index = fs.readFileSync(path.join(ROOT, "lib", "policy", "rules", "index.ts"), "utf8");
  const imported = [...index.matchAll(/^import \{ rule as (\w+) \} from "\.\/[\w/-]+";$/gm)].map((m) => m[1]);
  expect(imported.length).toBe(registered.length);
});

test("one table row per registered rule, in registry order", () => {
  expect([...table.keys()]).toEqual(registered);
});

test("the Rego column is the set of rule IDs in policy/*.rego", () => {
  const rego = regoRuleIds();
  expect(rego.length).toBeGreaterThan(30);
  expect(registered.filter((id) => table.get(id)?.[0]).sort()).toEqual(rego);
});

test("the Sentinel column is the set of rule IDs in policy/sentinel/*.sentinel", () => {
  const sentinel = sentinelRuleIds();
  expect(sentinel.length).toBeGreaterThan(10);
  expect(registered.filter((id) => table.get(id)?.[1]).sort()).toEqual(sentinel);
});

test("the Rego and Sentinel packs name no rule the registry lacks", () => {
  for (const id of [...regoRuleIds(), ...sentinelRuleIds()]) expect(registered).toContain(id);
});
