/**
 * The Rego pack (policy/*.rego) executed on a real OPA (v0.47.0 as WebAssembly, see ./rego.ts):
 * its own `test_*` rules, the shared corpus, the shipped stacks with and without their suppressions,
 * a stack with the issue's four omissions, and the plan fixture with and without its cdk.tf.json as
 * data. Results are compared with the TypeScript pack where both implement a rule.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { evaluate, failures } from "../lib/policy/engine";
import { loadInput } from "../lib/policy/load";
import { checkedByRego, disagreements, loadCorpus } from "./corpus";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";
import { denyAll, regoTestNames, ruleIds, runRegoTests, stopOpa } from "./rego";
import { regoRuleIds } from "./rule-table";

const corpus = loadCorpus();
const PLAN_DIR = path.join(ROOT, "__tests__", "fixtures", "plan");
const STACKS = ["dev", "prod", "state-bootstrap"];
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

let work: string;
const stackFile = (stack: string) => path.join(work, "cdktf.out", "stacks", stack, "cdk.tf.json");
beforeAll(() => {
  work = tempDir("zenml-rego-");
  const main = path.join(ROOT, "dist", "main.js");
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm test does)`);
  const synth = spawnSync(process.execPath, [main], { env: { ...process.env, ZENML_CONFIG_DIR: CONFIG_DIR, CDKTF_OUTDIR: path.join(work, "cdktf.out") }, encoding: "utf8" });
  if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
});
afterAll(() => {
  stopOpa();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A stack without any recorded suppression (root map and per-resource entries). */
function withoutSuppressions(doc: any): any {
  const copy = JSON.parse(JSON.stringify(doc));
  delete copy["//"].policy_suppressions;
  for (const byName of Object.values(copy.resource ?? {}) as any[]) for (const body of Object.values(byName) as any[]) delete body["//"]?.policy_suppressions;
  return copy;
}

/** "<rule ID> <address>" of a Rego message. */
const finding = (msg: string) => /^(ZN[A-Z]+[0-9]+ [^ :]+)/.exec(msg)?.[1];

/** The distinct (rule ID, address) pairs of Rego messages, for comparing with the TypeScript pack. */
const findings = (msgs: string[]) => [...new Set(msgs.map(finding))].sort();

test("the pack's own tests (policy/*_test.rego) pass with the corpus as data.zn_corpus", async () => {
  const results = await runRegoTests(corpus);
  expect(Object.keys(results).sort()).toEqual(regoTestNames().sort());
  expect(Object.keys(results).length).toBeGreaterThanOrEqual(8);
  expect(Object.entries(results).filter(([, ok]) => !ok)).toEqual([]);
});

test("the corpus test fails when a case's expectation is wrong", async () => {
  const wrong = { cases: [{ name: "wrong", document: { resource: { aws_kms_key: { k: {} } } }, deny: [], no_deny: ["ZNKMS1"] }] };
  const results = await runRegoTests(wrong);
  expect(results.test_corpus_cases_agree_with_the_pack).toBe(false);
});

test("every corpus case of a rule with a Rego twin: the Rego pack agrees with the expectations the TypeScript pack meets", async () => {
  const cases = corpus.cases.filter(checkedByRego);
  expect(cases.length).toBeGreaterThan(40);
  const denied = await denyAll(cases.map((c) => ({ document: c.document })));
  const problems = cases.flatMap((c, i) => disagreements(c, ruleIds(denied[i])));
  expect(problems).toEqual([]);
});

describe("shipped stacks", () => {
  let plain: string[][];
  let unsuppressed: string[][];
  beforeAll(async () => {
    const docs = STACKS.map((s) => readJson(stackFile(s)));
    const all = await denyAll([...docs.map((document) => ({ document })), ...docs.map((d) => ({ document: withoutSuppressions(d) }))]);
    plain = all.slice(0, STACKS.length);
    unsuppressed = all.slice(STACKS.length);
  });

  test.each(STACKS.map((s, i) => [s, i]))("%s: the pack denies nothing", (_, i) => {
    expect(plain[i]).toEqual([]);
  });

  test("the suppressions are what keeps dev and prod clean: ZNALB4, ZNALB7, ZNVPC5 x2, ZNVPC6 each", () => {
    expect(unsuppressed.map((msgs) => msgs.map((m) => m.split(" ")[0]).sort())).toEqual([
      ["ZNALB4", "ZNALB7", "ZNVPC5", "ZNVPC5", "ZNVPC6"],
      ["ZNALB4", "ZNALB7", "ZNVPC5", "ZNVPC5", "ZNVPC6"],
      [],
    ]);
  });

  test("the findings the suppressions hide are the ones the TypeScript pack reports as suppressed", () => {
    const rego = new Set(regoRuleIds());
    STACKS.forEach((stack, i) => {
      const file = stackFile(stack);
      const ts = evaluate([loadInput(file)])
        .findings.filter((f) => f.status === "suppressed" && rego.has(f.rule.id))
        .map((f) => `${f.rule.id} ${f.resource.address}`);
      expect(findings(unsuppressed[i])).toEqual([...new Set(ts)].sort());
    });
  });
});

test("the issue's omissions: no storage_encrypted, no drop_invalid_header_fields, no enable_key_rotation, a hand-added SSH rule", async () => {
  const doc = readJson(stackFile("dev"));
  for (const [type, key] of [["aws_db_instance", "storage_encrypted"], ["aws_lb", "drop_invalid_header_fields"], ["aws_kms_key", "enable_key_rotation"]]) {
    for (const body of Object.values(doc.resource[type]) as any[]) delete body[key];
  }
  doc.resource.aws_security_group_rule = { ssh: { type: "ingress", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"], security_group_id: "${aws_security_group.x.id}" } };
  const [msgs] = await denyAll([{ document: doc }]);
  expect(ruleIds(msgs)).toEqual(["ZNALB1", "ZNKMS1", "ZNRDS1", "ZNVPC5", "ZNVPC7"]);
  expect(msgs).toContain("ZNVPC7 aws_security_group_rule.ssh: SSH/RDP is open to the internet. Fix: open only the ports the service uses");

  const file = path.join(work, "omissions", "cdk.tf.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(doc));
  const rego = new Set(regoRuleIds());
  const ts = failures(evaluate([loadInput(file)])).map((f) => f.rule.id).filter((id) => rego.has(id));
  expect([...new Set(ts)].sort()).toEqual(["ZNALB1", "ZNKMS1", "ZNRDS1", "ZNVPC5", "ZNVPC7"]);
});

test("plan fixture: ZNALB4 and ZNRDS1 alone; only ZNRDS1 with the synthesized JSON as data", async () => {
  const plan = readJson(path.join(PLAN_DIR, "plan.json"));
  const [bare, withData] = await denyAll([{ document: plan }, { document: plan, data: readJson(path.join(PLAN_DIR, "cdk.tf.json")) }]);
  expect(ruleIds(bare)).toEqual(["ZNALB4", "ZNRDS1"]);
  expect(withData.map(finding)).toEqual(["ZNRDS1 module.db.aws_db_instance.main"]);
});
