/**
 * The scanner-native files the synth writes per stack (`trivy-ignore.rego`, `kics.config`) and the
 * per-resource justifications behind them (lib/policy/scanner-justifications.ts), checked against the
 * scanners' own rule logic:
 * - trivy AWS-0036 (trivy-checks checks/cloud/aws/ecs/no_plaintext_secrets.rego) flags env var NAMES
 *   by token; every such name in the shipped stacks is covered by the generated ignore policy, per
 *   resource and name, evaluated on OPA (the WebAssembly OPA of ./rego);
 * - a KICS results file for prod as KICS reports it with the generated config (every finding the
 *   issue names that is not excluded by the config or fixed) ends with zero unjustified findings
 *   through `npm run policy -- --import`; the real KICS run happens in the PR workflow only.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { loadInput } from "../lib/policy/load";
import { applySuppressions, readScannerReport } from "../lib/policy/external";
import { KICS_EXCLUDED_QUERIES, kicsQueryFile } from "../lib/policy/kics-config";
import {
  SCANNER_CHECKS,
  scannerJustifications,
  trivyEnvNameMessage,
  trivySensitiveEnvName,
  TRIVY_ENV_WHITELIST_PREFIXES,
  TRIVY_SENSITIVE_ENV_TOKENS,
} from "../lib/policy/scanner-justifications";
import { checkovBaseline, securityGroupOfRules } from "../lib/policy/scanners";
import { PolicyResource } from "../lib/policy/types";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";
import { evalRego, stopOpa, term } from "./rego";

const MAIN = path.join(ROOT, "dist", "main.js");
const STACKS = ["dev", "prod", "state-bootstrap"];
const FIXTURE = path.join(ROOT, "__tests__", "fixtures", "scanners", "kics-prod-shipped.json");
/** KICS's CIS CloudTrail-alarm queries (ids and names from their metadata.json upstream, sources in the file). */
const CIS_FAMILY = path.join(ROOT, "__tests__", "fixtures", "scanners", "kics-cis-cloudtrail-alarms.json");

let work: string;
let outdir: string;
beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  work = tempDir("zenml-scanner-native-");
  outdir = path.join(work, "cdktf.out");
  const synth = spawnSync(process.execPath, [MAIN], { cwd: ROOT, env: { ...process.env, ZENML_CONFIG_DIR: CONFIG_DIR, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
});
afterAll(() => {
  stopOpa();
  fs.rmSync(work, { recursive: true, force: true });
});

const stackFile = (stack: string) => path.join(outdir, "stacks", stack, "cdk.tf.json");
const policyFile = (stack: string, name: string) => path.join(outdir, "stacks", stack, "policy", name);
const stackJson = (stack: string) => JSON.parse(fs.readFileSync(stackFile(stack), "utf8"));

/** Every (task definition address, container, env name) of a stack file. */
function envNames(stack: string): { address: string; container: string; name: string }[] {
  const tds = stackJson(stack).resource?.aws_ecs_task_definition ?? {};
  return Object.entries(tds).flatMap(([id, td]: [string, any]) =>
    (JSON.parse(td.container_definitions) as any[]).flatMap((c) => (c.environment ?? []).map((e: any) => ({ address: `aws_ecs_task_definition.${id}`, container: c.name, name: e.name }))),
  );
}

describe("trivy AWS-0036: env var names", () => {
  test("the name test restates no_plaintext_secrets.rego: tokens anywhere, case-insensitive, names starting token_type/version exempt", () => {
    expect([...TRIVY_SENSITIVE_ENV_TOKENS].sort()).toEqual(["api_key", "aws_access_key_id", "aws_secret_access_key", "password", "private_key", "secret", "token"]);
    expect([...TRIVY_ENV_WHITELIST_PREFIXES].sort()).toEqual(["token_type", "version"]);
    for (const name of ["ZENML_SECRETS_STORE_TYPE", "password", "DB_PASSWORD", "Github_Token", "MY_API_KEY", "SSH_PRIVATE_KEY", "TOKEN"]) expect([name, trivySensitiveEnvName(name)]).toEqual([name, true]);
    // whitelisted prefixes only exempt names that contain a token but are not one: `token_type…`, `version…`.
    for (const name of ["TOKEN_TYPE", "token_type_hint", "VERSION_TOKEN", "HOME", "ZENML_SERVER_URL", "APIKEY", "DISABLE_DATABASE_MIGRATION"]) expect([name, trivySensitiveEnvName(name)]).toEqual([name, false]);
  });

  test("ZENML_SECRETS_STORE_TYPE is flagged on the server and the migration container of every workspace", () => {
    for (const stack of ["dev", "prod"]) {
      const hits = envNames(stack).filter((e) => e.name === "ZENML_SECRETS_STORE_TYPE" && trivySensitiveEnvName(e.name));
      expect(hits.map((h) => h.container).sort()).toEqual(expect.arrayContaining(["zenml-server"]));
      expect(hits.length).toBeGreaterThanOrEqual(2);
    }
  });

  test("the generated ignore policy (evaluated on OPA) ignores every flagged name of the shipped stacks, on its resource only, and nothing else", async () => {
    let flaggedCount = 0;
    for (const stack of STACKS) {
      const flagged = envNames(stack).filter((e) => trivySensitiveEnvName(e.name));
      flaggedCount += flagged.length;
      const rego = fs.readFileSync(policyFile(stack, "trivy-ignore.rego"), "utf8");
      expect(rego).toMatch(/^package trivy$/m);
      const module = rego.split("\n").filter((l) => l !== "package trivy" && l !== "import rego.v1").join("\n");
      const finding = (resource: string, name: string, id = "AWS-0036") => ({
        ID: id,
        AVDID: `AVD-${id}`,
        Message: trivyEnvNameMessage(name),
        CauseMetadata: { Resource: resource, Provider: "AWS", Service: "ecs" },
      });
      const cases = [
        ...flagged.map((f) => ({ input: finding(f.address, f.name), expected: true })),
        // Not rule-wide: another name, another resource, another check are not ignored.
        ...flagged.slice(0, 1).flatMap((f) => [
          { input: finding(f.address, "ZENML_STORE_PASSWORD"), expected: false },
          { input: finding("aws_ecs_task_definition.other", f.name), expected: false },
          { input: { ...finding(f.address, f.name, "AWS-0034") }, expected: false },
        ]),
      ];
      const driver = `zz_out := [${cases.map((_, i) => `i${i}`).join(", ")}] if {\n${cases.map((c, i) => `\ti${i} := ignore with input as ${term(c.input)}`).join("\n")}\n}`;
      if (cases.length === 0) continue;
      expect(await evalRego(module, driver)).toEqual(cases.map((c) => c.expected));
    }
    expect(flaggedCount).toBeGreaterThan(0);
  });

  test("a name whose value is a secret is not justified (ZNECS8 reads the values)", () => {
    const td = (env: { name: string; value: string }[]): PolicyResource => ({
      type: "aws_ecs_task_definition",
      mode: "managed",
      name: "t",
      address: "aws_ecs_task_definition.t",
      attributes: { container_definitions: JSON.stringify([{ name: "c", environment: env }]) },
    });
    const names = (r: PolicyResource) => scannerJustifications({ source: "x", resources: [r] }).filter((j) => j.ids.includes("AWS-0036")).flatMap((j) => j.messages ?? []);
    expect(names(td([{ name: "ZENML_SECRETS_STORE_TYPE", value: "aws" }, { name: "API_TOKEN", value: "s3cr3t-v4lue" }]))).toEqual([trivyEnvNameMessage("ZENML_SECRETS_STORE_TYPE")]);
    expect(names(td([{ name: "HOME", value: "/home/zenml" }]))).toEqual([]);
  });
});

describe("trivy AWS-0170 and the imported trivy report", () => {
  test("a trivy report of every AWS-0036 name and AWS-0170 bucket of the shipped stacks has no unsuppressed finding; an unknown name fails", () => {
    const inputs = STACKS.map((s) => loadInput(stackFile(s)));
    const versionings = STACKS.flatMap((s) => Object.keys(stackJson(s).resource?.aws_s3_bucket_versioning ?? {}).map((id) => ({ stack: s, address: `aws_s3_bucket_versioning.${id}` })));
    expect(versionings.map((v) => v.stack)).toEqual(expect.arrayContaining(["prod", "state-bootstrap"]));
    const report = (stack: string, extra: object[] = []) => ({
      SchemaVersion: 2,
      ArtifactName: path.join(outdir, "stacks", stack),
      Results: [
        {
          Target: "cdk.tf.json",
          Misconfigurations: [
            ...envNames(stack).filter((e) => trivySensitiveEnvName(e.name)).map((e) => ({ ID: "AWS-0036", AVDID: "AVD-AWS-0036", Status: "FAIL", Message: trivyEnvNameMessage(e.name), CauseMetadata: { Resource: e.address } })),
            // trivy reports MFA delete on the versioning block (metadata.obj_by_path(bucket, ["versioning", "mfadelete"])).
            ...versionings.filter((v) => v.stack === stack).map((v) => ({ ID: "AWS-0170", AVDID: "AVD-AWS-0170", Status: "FAIL", Message: "Bucket does not have MFA deletion protection enabled", CauseMetadata: { Resource: `${v.address}.versioning_configuration` } })),
            ...extra,
          ],
        },
      ],
    });
    const files = STACKS.map((s) => {
      const file = path.join(work, `trivy-${s}.json`);
      fs.writeFileSync(file, JSON.stringify(report(s)));
      return file;
    });
    const result = applySuppressions(files.map((f) => ({ file: f, ...readScannerReport(f) })), inputs);
    expect(result.unsuppressed).toEqual([]);
    expect(result.suppressed.length).toBeGreaterThanOrEqual(versionings.length + 2);
    expect(result.suppressed.filter((f) => f.checkId === "AWS-0170").map((f) => f.address).sort()).toEqual(versionings.map((v) => v.address).sort());
    expect(result.suppressed.every((f) => f.suppressedBy!.reason.length > 40)).toBe(true);

    const td = envNames("prod")[0].address;
    const bad = path.join(work, "trivy-bad.json");
    fs.writeFileSync(bad, JSON.stringify(report("prod", [{ ID: "AWS-0036", AVDID: "AVD-AWS-0036", Status: "FAIL", Message: trivyEnvNameMessage("ZENML_FAKE_TOKEN"), CauseMetadata: { Resource: td } }])));
    const failed = applySuppressions([{ file: bad, ...readScannerReport(bad) }], inputs);
    expect(failed.unsuppressed.map((f) => f.message)).toEqual([trivyEnvNameMessage("ZENML_FAKE_TOKEN")]);
  });
});

/** Every KICS finding the issue names, with what answers it. */
const ISSUE_KICS: { id: string; name: string; answer: "fixed" | "config" | "import" }[] = [
  { id: "4728cd65-a20c-49da-8b31-9c08b423e4db", name: "Unrestricted Security Group Ingress", answer: "import" },
  { id: "4d46ff3b-7160-41d1-a310-71d6d370b08f", name: "ECS Task Definition Volume Not Encrypted", answer: "import" },
  { id: "de7f5e83-da88-4046-871f-ea18504b1d43", name: "ALB Listening on HTTP", answer: "import" },
  { id: "97cb0688-369a-4d26-b1f7-86c4c91231bc", name: "ECS Cluster with Container Insights Disabled", answer: "import" },
  { id: "bca7cc4d-b3a4-4345-9461-eb69c68fcd26", name: "RDS Using Default Port", answer: "import" },
  { id: "e38a8e0a-b88b-4902-b3fe-b0fcb17d5c10", name: "Resource Not Using Tags", answer: "fixed" },
  { id: "fd632aaf-b8a1-424d-a4d1-0de22fd3247a", name: "VPC Without Network Firewall", answer: "config" },
  { id: "084c6686-2a70-4710-91b1-000393e54c12", name: "Shield Advanced Not In Use", answer: "config" },
  { id: "e592a0c5-5bdb-414c-9066-5dba7cdea370", name: "IAM Access Analyzer Not Enabled", answer: "config" },
  { id: "1e434b25-8763-4b00-a5ca-ca03b7abbb66", name: "Name Is Not Snake Case", answer: "config" },
  // Issue 21: the CIS family member the list missed.
  { id: "44ceb4fa-0897-4fd2-b676-30e7a58f2933", name: "CloudWatch Console Sign-in Without MFA Alarm Missing", answer: "config" },
];

describe("KICS", () => {
  test("kics.config excludes every member of KICS's CIS CloudTrail-alarm family (its metadata.json ids), each with the account-baseline reason", () => {
    const family = JSON.parse(fs.readFileSync(CIS_FAMILY, "utf8")).queries as { cis: string; id: string; queryName: string; path: string }[];
    // CIS AWS Foundations 4.1-4.15: one query each.
    expect(family.map((q) => q.cis)).toEqual(Array.from({ length: 15 }, (_, i) => `4.${i + 1}`));
    const text = fs.readFileSync(policyFile("prod", "kics.config"), "utf8");
    const excludedIds = text.split("\n").filter((l) => /^  - "/.test(l)).map((l) => JSON.parse(l.slice(4)));
    expect(family.filter((q) => !excludedIds.includes(q.id)).map((q) => `${q.id} ${q.queryName}`)).toEqual([]);
    for (const q of family) {
      const e = KICS_EXCLUDED_QUERIES.find((x) => x.id === q.id)!;
      expect([q.id, kicsQueryFile(e)]).toEqual([q.id, q.path]);
      // KICS reports the name without punctuation differences that matter here (its docs drop the comma of 4.2's metadata).
      expect(e.name.replace(/,/g, "").toLowerCase()).toBe(q.queryName.replace(/,/g, "").toLowerCase());
      expect(e.reason).toMatch(/^A CIS CloudTrail metric-filter alarm: .*account security baseline/);
    }
    // And no other exclusion claims that reason.
    expect(KICS_EXCLUDED_QUERIES.filter((e) => e.reason.startsWith("A CIS CloudTrail")).map((e) => e.id).sort()).toEqual(family.map((q) => q.id).sort());
  });

  test("kics.config excludes the account-level queries (15 CIS CloudTrail alarms among them), each after a comment with its reason", () => {
    const text = fs.readFileSync(policyFile("prod", "kics.config"), "utf8");
    const lines = text.split("\n");
    expect(lines).toContain("exclude-queries:");
    const ids = lines.filter((l) => /^  - "/.test(l)).map((l) => JSON.parse(l.slice(4)));
    expect(ids).toEqual(KICS_EXCLUDED_QUERIES.map((e) => e.id));
    expect(KICS_EXCLUDED_QUERIES.filter((e) => e.query.includes("/cloudwatch_")).length).toBe(15);
    for (const e of KICS_EXCLUDED_QUERIES) {
      expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(kicsQueryFile(e)).toMatch(/^assets\/queries\/terraform\/(aws|general)\/\w+\/metadata\.json$/);
      const at = lines.indexOf(`  - ${JSON.stringify(e.id)}`);
      expect(lines[at - 1]).toMatch(/^  #   \S/);
      expect(lines.slice(0, at).reverse().find((l) => l.startsWith("  # ") && !l.startsWith("  #  "))).toBe(`  # ${e.name} (${kicsQueryFile(e)}):`);
    }
    // Identical for every stack (query-wide decisions).
    for (const s of STACKS) expect(fs.readFileSync(policyFile(s, "kics.config"), "utf8")).toBe(text);
  });

  test("every finding the issue names is fixed, excluded in kics.config, or in the prod results and justified", () => {
    const fixture = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
    const reported = new Set((fixture.queries as any[]).map((q) => q.query_id));
    const excluded = new Set(KICS_EXCLUDED_QUERIES.map((e) => e.id));
    for (const f of ISSUE_KICS) {
      expect([f.name, f.answer, reported.has(f.id), excluded.has(f.id)]).toEqual([f.name, f.answer, f.answer === "import", f.answer === "config"]);
      if (f.answer === "import") expect((fixture.queries as any[]).find((q) => q.query_id === f.id).query_name).toBe(f.name);
    }
    for (const q of fixture.queries) expect(excluded.has(q.query_id)).toBe(false);
  });

  test("fixed: every AWS provider block writes default_tags as one object with tags (KICS resource_not_using_tags check_default_tags)", () => {
    for (const s of STACKS) {
      for (const p of stackJson(s).provider.aws) {
        expect(Array.isArray(p.default_tags)).toBe(false);
        expect(Object.keys(p.default_tags.tags).filter((k) => k !== "Name").length).toBeGreaterThan(0);
      }
    }
  });

  test("fixed: each metric filter's alarm names the filter in metric_name (the pairing of KICS's cloudwatch_*_alarm_missing queries)", () => {
    for (const s of ["dev", "prod"]) {
      const j = stackJson(s);
      const filters = Object.keys(j.resource.aws_cloudwatch_log_metric_filter ?? {});
      expect(filters.length).toBeGreaterThan(0);
      const alarms = Object.values(j.resource.aws_cloudwatch_metric_alarm ?? {}) as any[];
      for (const f of filters) expect([f, alarms.some((a) => typeof a.metric_name === "string" && a.metric_name.includes(f))]).toEqual([f, true]);
    }
  });

  test("the prod results (what KICS reports with kics.config) end with zero unjustified findings through --import, each with its reason", () => {
    const inputs = STACKS.map((s) => loadInput(stackFile(s)));
    // The fixture names the stack file relative to the repository root; point it at this synth.
    const doc = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
    for (const q of doc.queries) for (const f of q.files) f.file_name = stackFile("prod");
    const file = path.join(work, "kics.json");
    fs.writeFileSync(file, JSON.stringify(doc));
    const result = applySuppressions([{ file, ...readScannerReport(file) }], inputs);
    expect(result.unsuppressed).toEqual([]);
    const by = Object.fromEntries(result.suppressed.map((f) => [`${f.checkId} ${f.address}`, f.suppressedBy!.rule]));
    const total = doc.queries.reduce((n: number, q: any) => n + q.files.length, 0);
    expect(result.suppressed).toHaveLength(total);
    expect(Object.values(by).sort()).toEqual(["ZNALB10", "ZNBKT8", "ZNVPC5", "ZNVPC5", "scanner-justification", "scanner-justification", "scanner-justification", "scanner-justification"]);
    expect(result.stale.filter((s) => s.source === stackFile("prod"))).toEqual([]);
  });

  test("the prod restore-test security group (used only inside the restore testing selection's jsonencode) is justified against KICS's Security Group Not Used", () => {
    const prod = loadInput(stackFile("prod"));
    const justified = scannerJustifications(prod).filter((j) => j.ids.includes("4849211b-ac39-479e-ae78-5694d506cb24"));
    expect(justified.map((j) => j.address)).toEqual([expect.stringMatching(/^aws_security_group\.restore-testing_restore-test-sg_/)]);
    expect(justified[0].reason).toContain("aws_backup_restore_testing_selection.");
    // No other group: they are attached where KICS looks (vpc_security_group_ids, security_groups).
    const dev = loadInput(stackFile("dev"));
    expect(scannerJustifications(dev).filter((j) => j.ids.includes("4849211b-ac39-479e-ae78-5694d506cb24"))).toEqual([]);
    // A group the selection does not name is not justified.
    const group: PolicyResource = { type: "aws_security_group", mode: "managed", name: "other", address: "aws_security_group.other", attributes: {} };
    const selection: PolicyResource = {
      type: "aws_backup_restore_testing_selection", mode: "managed", name: "s", address: "aws_backup_restore_testing_selection.s",
      attributes: { restore_metadata_overrides: { vpcSecurityGroupIds: "${jsonencode([aws_security_group.restore.id])}" } },
    };
    expect(scannerJustifications({ source: "s", resources: [group, selection] }).filter((j) => j.ids.includes("4849211b-ac39-479e-ae78-5694d506cb24"))).toEqual([]);
  });

  test("a justification holds only while its condition does (forwarding HTTP listener, insights off, EFS volume, public DB)", () => {
    const r = (type: string, attributes: Record<string, unknown>): PolicyResource => ({ type, mode: "managed", name: "x", address: `${type}.x`, attributes });
    const ids = (res: PolicyResource) => scannerJustifications({ source: "s", resources: [res] }).map((j) => j.ids[0]);
    expect(ids(r("aws_lb_listener", { protocol: "HTTP", default_action: [{ type: "redirect", redirect: [{ protocol: "HTTPS", status_code: "HTTP_301" }] }] }))).toEqual(["de7f5e83-da88-4046-871f-ea18504b1d43"]);
    expect(ids(r("aws_lb_listener", { protocol: "HTTP", default_action: [{ type: "forward", target_group_arn: "x" }] }))).toEqual([]);
    expect(ids(r("aws_ecs_cluster", { setting: [{ name: "containerInsights", value: "enabled" }] }))).toEqual(["97cb0688-369a-4d26-b1f7-86c4c91231bc"]);
    expect(ids(r("aws_ecs_cluster", { setting: [{ name: "containerInsights", value: "disabled" }] }))).toEqual([]);
    expect(ids(r("aws_ecs_task_definition", { container_definitions: "[]", volume: [{ name: "tmp" }] }))).toEqual(["4d46ff3b-7160-41d1-a310-71d6d370b08f"]);
    expect(ids(r("aws_ecs_task_definition", { container_definitions: "[]", volume: [{ name: "d", efs_volume_configuration: [{ file_system_id: "fs-1" }] }] }))).toEqual([]);
    expect(ids(r("aws_db_instance", { publicly_accessible: false, port: 3306 }))).toEqual(["bca7cc4d-b3a4-4345-9461-eb69c68fcd26"]);
    expect(ids(r("aws_db_instance", { publicly_accessible: true, port: 3306 }))).toEqual([]);
    expect(ids(r("aws_s3_bucket_versioning", { versioning_configuration: [{ status: "Enabled", mfa_delete: "Enabled" }] }))).toEqual([]);
    expect(SCANNER_CHECKS.every((c) => c.source.path.endsWith({ kics: "/metadata.json", trivy: ".rego", checkov: c.source.path.includes("/graph_checks/") ? ".yaml" : ".py" }[c.scanner]))).toBe(true);
  });
});

describe("checkov justifications: real checkov 3.3.30 findings no rule covers (scripts/checkov-scan.sh runs it; docs/policy.md)", () => {
  const r = (type: string, name: string, attributes: Record<string, unknown>, mode: "managed" | "data" = "managed"): PolicyResource => ({
    type, mode, name, address: `${mode === "data" ? "data." : ""}${type}.${name}`, attributes,
  });
  const ids = (resources: PolicyResource[], address: string) =>
    scannerJustifications({ source: "s", resources }).filter((j) => j.scanner === "checkov" && j.address === address).flatMap((j) => j.ids).sort();
  const keyDoc = (principals: unknown[]) =>
    r("aws_iam_policy_document", "doc", { statement: [{ actions: ["kms:Decrypt", "kms:PutKeyPolicy"], resources: ["*"], principals }] }, "data");
  const root = [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }];

  test("cloudsplaining checks (CKV_AWS_109/111/356) on a document used only as a KMS key policy whose statements name principals", () => {
    const key = r("aws_kms_key", "k", { policy: "${data.aws_iam_policy_document.doc.json}" });
    expect(ids([keyDoc(root), key], "data.aws_iam_policy_document.doc")).toEqual(["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"]);
    // No principal on a Resource "*" statement, or also used as an identity policy: checkov's finding is real.
    expect(ids([keyDoc([]), key], "data.aws_iam_policy_document.doc")).toEqual([]);
    const identity = r("aws_iam_role_policy", "p", { policy: "${data.aws_iam_policy_document.doc.json}" });
    expect(ids([keyDoc(root), identity], "data.aws_iam_policy_document.doc")).toEqual([]);
    expect(ids([keyDoc(root), key, r("aws_s3_bucket_policy", "b", { policy: "${data.aws_iam_policy_document.doc.json}" })], "data.aws_iam_policy_document.doc")).toEqual([]);
  });

  test("CKV_AWS_394 only for a lookup of available zones that does not ask for all zones", () => {
    const azs = (attributes: Record<string, unknown>) => ids([r("aws_availability_zones", "azs", attributes, "data")], "data.aws_availability_zones.azs");
    expect(azs({ state: "available" })).toEqual(["CKV_AWS_394"]);
    expect(azs({})).toEqual([]);
    expect(azs({ state: "available", all_availability_zones: true })).toEqual([]);
  });

  test("CKV_AWS_284/285 only for a Standard state machine whose tasks all call ECS UpdateService", () => {
    const machine = (states: Record<string, unknown>, type?: string) =>
      ids([r("aws_sfn_state_machine", "m", { definition: JSON.stringify({ StartAt: "A", States: states }), ...(type ? { type } : {}) })], "aws_sfn_state_machine.m");
    const update = { Type: "Task", Resource: "arn:aws:states:::aws-sdk:ecs:updateService", End: true };
    expect(machine({ A: update })).toEqual(["CKV_AWS_284", "CKV_AWS_285"]);
    expect(machine({ A: update }, "EXPRESS")).toEqual([]);
    expect(machine({ A: { ...update, End: undefined, Next: "B" }, B: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true } })).toEqual([]);
    expect(machine({ A: { Type: "Pass", End: true } })).toEqual([]);
  });

  test("CKV2_AWS_5 only for a group that a restore testing selection puts on restored instances", () => {
    const sg = r("aws_security_group", "sg", { name: "restore" });
    const selection = r("aws_backup_restore_testing_selection", "sel", { restore_metadata_overrides: { vpcSecurityGroupIds: "${jsonencode([aws_security_group.sg.id])}" } });
    expect(ids([sg, selection], "aws_security_group.sg")).toEqual(["CKV2_AWS_5"]);
    expect(ids([sg], "aws_security_group.sg")).toEqual([]);
  });

  test("the baseline lists justified resources under both of checkov's names, and a suppressed group rule's group too", () => {
    const rule = r("aws_security_group_rule", "open_80", { security_group_id: "${aws_security_group.alb.id}", type: "ingress", cidr_blocks: ["0.0.0.0/0"] });
    const entry = { source: "s", address: rule.address, rule: "ZNVPC5", reason: "redirect", scanners: { checkov: ["CKV_AWS_260"], trivy: [], kics: [] } };
    const justified = [{ address: "data.aws_availability_zones.azs", scanner: "checkov" as const, ids: ["CKV_AWS_394"], title: "t", reason: "r" }];
    const findings = JSON.parse(checkovBaseline([entry], justified, securityGroupOfRules({ resources: [rule] }))).failed_checks[0].findings;
    expect(Object.fromEntries(findings.map((f: any) => [f.resource, f.check_ids]))).toEqual({
      "aws_security_group_rule.open_80": ["CKV_AWS_260"],
      "resource.open_80": ["CKV_AWS_260"],
      "aws_security_group.alb": ["CKV_AWS_260"],
      "resource.alb": ["CKV_AWS_260"],
      "data.aws_availability_zones.azs": ["CKV_AWS_394"],
      "data.azs": ["CKV_AWS_394"],
    });
  });
});

describe("a checkov plan finding on a security group is covered by the suppression on its standalone rule", () => {
  test("CKV_AWS_260 on the ALB group (its port-80 rule carries ZNVPC5) is suppressed, the same check on the ECS group is not", () => {
    const sgs = Object.keys(stackJson("dev").resource.aws_security_group);
    const alb = `aws_security_group.${sgs.find((n) => n.startsWith("security-groups_alb_"))}`;
    const ecs = `aws_security_group.${sgs.find((n) => n.startsWith("security-groups_ecs_"))}`;
    const record = (resource: string) => ({ check_id: "CKV_AWS_260", check_name: "port 80", resource, file_path: "/cdk.tf.json", file_abs_path: stackFile("dev"), check_result: { result: "FAILED" } });
    const file = path.join(work, "checkov-plan.json");
    fs.writeFileSync(file, JSON.stringify({ check_type: "terraform_plan", results: { failed_checks: [record(alb), record(ecs)], passed_checks: [], skipped_checks: [] }, summary: { checkov_version: "3.3.30" } }));
    const result = applySuppressions([{ file, ...readScannerReport(file) }], [loadInput(stackFile("dev"))]);
    expect(result.suppressed.map((f) => [f.address, f.suppressedBy?.rule])).toEqual([[alb, "ZNVPC5"]]);
    expect(result.unsuppressed.map((f) => f.address)).toEqual([ecs]);
  });
});
