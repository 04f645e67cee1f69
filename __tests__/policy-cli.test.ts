/**
 * `npm run policy` (dist/scripts/policy.js) on synthesized stacks and plan JSON: exit codes, rule IDs
 * in the output, the SARIF 2.1.0 / JSON / JUnit formats, clear input errors; and `cdktf synth`
 * (dist/main.js) refusing a configuration that violates a rule.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ALL_RULES } from "../lib/policy";
import { CONFIG_DIR, ROOT, shippedFile, tempDir } from "./helpers";

const MAIN = path.join(ROOT, "dist", "main.js");
const POLICY = path.join(ROOT, "dist", "scripts", "policy.js");
const PLAN = path.join(ROOT, "__tests__", "fixtures", "plan", "plan.json");

function run(script: string, args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [script, ...args], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
}
const policy = (args: string[], env: Record<string, string> = {}) => run(POLICY, args, env);

let work: string;
let outdir: string;
beforeAll(() => {
  work = tempDir("zenml-policy-cli-");
  outdir = path.join(work, "cdktf.out");
  const synth = run(MAIN, [], { ZENML_CONFIG_DIR: CONFIG_DIR, CDKTF_OUTDIR: outdir });
  if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const stackFile = (stack: string) => path.join(outdir, "stacks", stack, "cdk.tf.json");

/** A copy of the dev stack with deliberate violations. */
function badStack(): string {
  const json = JSON.parse(fs.readFileSync(stackFile("dev"), "utf8"));
  const db = Object.values(json.resource.aws_db_instance)[0] as any;
  db.storage_encrypted = false;
  // Withdraw the public-ALB exception (ZNALB4), keep the others.
  const [albName, alb] = Object.entries(json.resource.aws_lb)[0] as [string, any];
  const withoutPublic = (list: any[]) => list.filter((x) => x.rule !== "ZNALB4");
  alb["//"].policy_suppressions = withoutPublic(alb["//"].policy_suppressions);
  json["//"].policy_suppressions[`aws_lb.${albName}`] = withoutPublic(json["//"].policy_suppressions[`aws_lb.${albName}`]);
  json.resource.aws_security_group_rule.ssh = {
    type: "ingress", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"], description: "ssh",
    security_group_id: "${aws_security_group.x.id}",
  };
  const file = path.join(work, "bad", "cdk.tf.json");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

describe("shipped environments", () => {
  test("default input (CDKTF_OUTDIR/stacks/*/cdk.tf.json): every stack passes, exit 0", () => {
    const r = policy([], { CDKTF_OUTDIR: outdir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^policy: 3 file\\(s\\), ${ALL_RULES.length} rules, \\d+ checks: 0 violation\\(s\\), \\d+ suppressed`));
    expect(r.stdout).toContain("ZNALB4 ");
    expect(r.stdout.trim().endsWith("RESULT: PASS")).toBe(true);
  });

  test.each(["dev", "prod", "state-bootstrap"])("%s passes on its own (file path and folder path)", (stack) => {
    expect(policy([stackFile(stack)]).status).toBe(0);
    expect(policy([path.dirname(stackFile(stack))]).status).toBe(0);
  });
});

describe("a deliberately bad stack", () => {
  test("exit 1, naming each rule ID, the address and the fix", () => {
    const r = policy([badStack()]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL ZNRDS1 \[high\] .*\n\s+aws_db_instance\.database_instance_[0-9A-F]+ \(dev\/database\/instance\)\n\s+RDS storage encrypted .*: storage_encrypted is false\n\s+fix: /);
    expect(r.stdout).toContain("FAIL ZNALB4 [high]");
    expect(r.stdout).toContain("FAIL ZNVPC7 [critical]");
    expect(r.stdout).toContain("FAIL ZNVPC5 [high]");
    expect(r.stdout.trim().endsWith("RESULT: FAIL")).toBe(true);
  });

  test("--format json", () => {
    const r = policy([badStack(), "--format", "json"]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toMatchObject({ rules: ALL_RULES.length, passed: false });
    const failed = report.results.filter((x: any) => x.status === "fail").map((x: any) => x.ruleId).sort();
    expect(failed).toEqual(["ZNALB4", "ZNRDS1", "ZNVPC5", "ZNVPC7"]);
    expect(report.results.find((x: any) => x.ruleId === "ZNRDS1")).toMatchObject({ constructPath: "dev/database/instance", severity: "high" });
  });

  test("--format sarif is a valid SARIF 2.1.0 log", () => {
    const file = path.join(work, "policy.sarif");
    const r = policy([badStack(), "--format=sarif", "--output", file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/4 violation\(s\)/);
    const log = JSON.parse(fs.readFileSync(file, "utf8"));
    expectSarif(log);
    const results = log.runs[0].results;
    const open = results.filter((x: any) => !x.suppressions).map((x: any) => x.ruleId).sort();
    expect(open).toEqual(["ZNALB4", "ZNRDS1", "ZNVPC5", "ZNVPC7"]);
    const rds = results.find((x: any) => x.ruleId === "ZNRDS1");
    expect(rds.level).toBe("error");
    expect(rds.locations[0].logicalLocations[0]).toMatchObject({ name: "dev/database/instance", fullyQualifiedName: expect.stringMatching(/^aws_db_instance\./), kind: "resource" });
    expect(rds.locations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
    // Suppressed findings are reported as suppressed, with their justification.
    expect(results.find((x: any) => x.ruleId === "ZNALB7").suppressions).toEqual([{ kind: "inSource", status: "accepted", justification: expect.stringMatching(/TLS terminates at the ALB/) }]);
  });

  test("--format junit", () => {
    const r = policy([badStack(), "--format", "junit"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="zenml-policy" tests="\d+" failures="4" skipped="\d+">/);
    expect(r.stdout).toMatch(/<testcase classname="ZNRDS1" name="ZNRDS1 aws_db_instance\.[^"]+"><failure message="RDS storage encrypted[^"]*" type="high">/);
    expect(r.stdout).toMatch(/<skipped message="suppressed: [^"]+"\/>/);
    expect((r.stdout.match(/<testsuite /g) ?? []).length).toBe(1);
    expect(r.stdout.trim().endsWith("</testsuites>")).toBe(true);
  });
});

/** Checks the parts of the SARIF 2.1.0 schema that GitHub code scanning relies on. */
function expectSarif(log: any) {
  expect(log.version).toBe("2.1.0");
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(Array.isArray(log.runs)).toBe(true);
  for (const run of log.runs) {
    const driver = run.tool.driver;
    expect(driver.name).toBe("zenml-policy");
    expect(driver.rules.map((r: any) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    for (const rule of driver.rules) {
      expect(rule.shortDescription.text).toEqual(expect.any(String));
      expect(rule.fullDescription.text).toEqual(expect.any(String));
      expect(["note", "warning", "error"]).toContain(rule.defaultConfiguration.level);
      expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    }
    expect(run.results.length).toBeGreaterThan(0);
    for (const result of run.results) {
      expect(typeof result.ruleId).toBe("string");
      expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(["none", "note", "warning", "error"]).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      expect(result.locations.length).toBeGreaterThan(0);
      for (const loc of result.locations) {
        expect(typeof loc.physicalLocation.artifactLocation.uri).toBe("string");
        expect(Number.isInteger(loc.physicalLocation.region.startLine)).toBe(true);
        expect(loc.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
        expect(loc.logicalLocations[0].fullyQualifiedName).toMatch(/^(data\.)?aws_[a-z0-9_]+\.[^.]+$/);
      }
      for (const s of result.suppressions ?? []) {
        expect(["inSource", "external"]).toContain(s.kind);
        expect(s.justification.length).toBeGreaterThan(0);
      }
    }
  }
}

describe("plan JSON (terraform show -json)", () => {
  test("planned values of root and child modules, unknowns resolved from configuration references", () => {
    // The fixture's only problem is the unencrypted DB in module.db; the ALB exceptions come from the
    // cdk.tf.json next to the plan. The flow log, default SG and parameter group link up although
    // their IDs are only known after apply.
    const r = policy([PLAN]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL ZNRDS1 \[high\] .*plan\.json\n\s+module\.db\.aws_db_instance\.main\n/);
    expect(r.stdout.match(/^FAIL /gm)).toHaveLength(1);
    expect(r.stdout).toContain("ZNALB4 ");
  });

  test("suppressions: from --suppressions, or none without a cdk.tf.json next to the plan", () => {
    const dir = path.join(work, "plan-only");
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(PLAN, path.join(dir, "plan.json"));
    const bare = policy([path.join(dir, "plan.json"), "--format", "json"]);
    expect(bare.status).toBe(1);
    expect(JSON.parse(bare.stdout).results.filter((x: any) => x.status === "fail").map((x: any) => x.ruleId).sort()).toEqual(["ZNALB10", "ZNALB4", "ZNRDS1"]);
    const given = policy([path.join(dir, "plan.json"), "--suppressions", path.join(path.dirname(PLAN), "cdk.tf.json"), "--format", "json"]);
    expect(JSON.parse(given.stdout).results.filter((x: any) => x.status === "fail").map((x: any) => x.ruleId)).toEqual(["ZNRDS1"]);
  });

  test("a clean plan passes", () => {
    const plan = JSON.parse(fs.readFileSync(PLAN, "utf8"));
    for (const r of plan.planned_values.root_module.child_modules[0].resources) if (r.type === "aws_db_instance") r.values.storage_encrypted = true;
    for (const c of plan.resource_changes) if (c.type === "aws_db_instance") c.change.after.storage_encrypted = true;
    const dir = path.join(work, "clean-plan");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(plan));
    fs.copyFileSync(path.join(path.dirname(PLAN), "cdk.tf.json"), path.join(dir, "cdk.tf.json"));
    const r = policy([path.join(dir, "plan.json")]);
    expect(r.stdout).toContain("RESULT: PASS");
    expect(r.status).toBe(0);
  });
});

describe("scanner reports (--import): the same suppressions applied to checkov, trivy and KICS findings", () => {
  const FIXTURES = path.join(ROOT, "__tests__", "fixtures", "scanners");
  const fixture = (name: string) => path.join(FIXTURES, name);
  const stacks = () => ["dev", "prod", "state-bootstrap"].map(stackFile);
  const imported = (reports: string[]) => {
    const r = policy([...stacks(), "--format", "json", "--import", ...reports]);
    return { ...r, report: JSON.parse(r.stdout) };
  };
  const key = (f: any) => `${f.scanner} ${f.checkId} ${f.address}`;

  test("checkov JSON: suppressed per resource (graph and Python check resource names), baseline-skipped ones count, the rest fail", () => {
    const { status, report } = imported([fixture("checkov.json")]);
    expect(status).toBe(1);
    const x = report.external;
    expect(x.suppressed.map(key).sort()).toEqual([
      "checkov CKV2_AWS_28 aws_lb.load-balancer_alb_15AADC07",
      "checkov CKV_AWS_150 aws_lb.load-balancer_alb_15AADC07",
    ]);
    expect(x.suppressed.find((f: any) => f.checkId === "CKV_AWS_150").suppressedBy).toEqual({ rule: "ZNALB3", reason: expect.stringContaining("Deletion protection is off") });
    expect(x.unsuppressed.map(key)).toEqual(["checkov CKV2_AWS_5 aws_security_group.security-groups_rds_EA986935"]);
    expect(x.unsuppressed[0].source).toBe(stackFile("dev"));
    // The baseline-skipped CKV_AWS_157 matched ZNRDS6: not stale. Unmatched checkov-mapped suppressions of dev are.
    const stale = x.stale.map((s: any) => `${s.rule} ${s.address}`);
    expect(stale).not.toContain("ZNRDS6 aws_db_instance.database_instance_D7FC2283");
    expect(stale).toContain("ZNBKT8 aws_s3_bucket.load-balancer_access-logs_bucket_728549EA");
    expect(x.stale.every((s: any) => s.scanner === "checkov" && s.source === stackFile("dev"))).toBe(true);
  });

  test("trivy JSON: ID or AVDID with CauseMetadata.Resource; findings its ignore policy removed count as matched", () => {
    const { status, report } = imported([fixture("trivy.json")]);
    expect(status).toBe(1);
    expect(report.external.suppressed.map(key)).toEqual(["trivy AWS-0053 aws_lb.load-balancer_alb_15AADC07"]);
    expect(report.external.unsuppressed.map(key)).toEqual(["trivy AWS-0104 aws_security_group_rule.security-groups_ecs-egress-all_0000AAAA"]);
    const stale = report.external.stale.map((s: any) => `${s.rule} ${s.address}`);
    expect(stale).not.toContain("ZNVPC5 aws_security_group_rule.security-groups_alb-in-https_190156A1");
    expect(stale).toContain("ZNVPC5 aws_security_group_rule.security-groups_alb-in-http_94F95973");
  });

  test("KICS JSON: search_key to address, per stack file (dev's suppression does not cover prod's resource of the same name)", () => {
    const { status, report } = imported([fixture("kics.json")]);
    expect(status).toBe(1);
    expect(report.external.suppressed.map((f: any) => `${key(f)} ${path.basename(path.dirname(f.source))}`)).toEqual([
      "kics 0afa6ab8-a047-48cf-be07-93a2f8c34cf7 aws_lb.load-balancer_alb_15AADC07 dev",
    ]);
    expect(report.external.unsuppressed.map((f: any) => `${key(f)} ${path.basename(path.dirname(f.source))}`)).toEqual([
      "kics afecd1f1-6378-4f7e-bb3b-60c35801fdd4 aws_lb.load-balancer_alb_15AADC07 prod",
    ]);
  });

  test("text output: one FAIL line per unsuppressed finding, stale suppressions as warnings; all suppressed passes", () => {
    const r = policy([...stacks(), "--import", fixture("trivy.json")]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("FAIL trivy AWS-0104 aws_security_group_rule.security-groups_ecs-egress-all_0000AAAA in ");
    expect(r.stdout).toMatch(/warning: stale suppression ZNVPC6 on aws_security_group_rule\.security-groups_ecs-out-https_C26095B9 \(.*dev.*\): matches no trivy finding/);
    const onlySuppressed = JSON.parse(fs.readFileSync(fixture("trivy.json"), "utf8"));
    onlySuppressed.Results[0].Misconfigurations = onlySuppressed.Results[0].Misconfigurations.filter((m: any) => m.ID === "AWS-0053");
    const file = path.join(work, "trivy-suppressed.json");
    fs.writeFileSync(file, JSON.stringify(onlySuppressed));
    const ok = policy([...stacks(), "--import", file]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/scanners: trivy .*: 0 unsuppressed finding\(s\), 1 suppressed/);
  });

  test("SARIF: imported findings in a run per scanner, accepted ones with an external suppression", () => {
    const r = policy([...stacks(), "--format", "sarif", "--import", fixture("checkov.json")]);
    const run = JSON.parse(r.stdout).runs.find((x: any) => x.tool.driver.name.startsWith("checkov"));
    const lb = run.results.find((x: any) => x.ruleId === "CKV_AWS_150");
    expect(lb.suppressions).toEqual([{ kind: "external", status: "accepted", justification: expect.stringMatching(/^ZNALB3: /) }]);
    expect(run.results.find((x: any) => x.ruleId === "CKV2_AWS_5").suppressions).toBeUndefined();
  });

  test("SARIF (checkov's shape: driver Checkov, ruleId, artifact URI and start line): the resource is the block holding the line", () => {
    const text = fs.readFileSync(stackFile("dev"), "utf8").split("\n");
    const lineOf = (name: string) => text.findIndex((l) => l === `      "${name}": {`) + 1;
    const result = (ruleId: string, startLine: number) => ({
      ruleId,
      level: "error",
      message: { text: ruleId },
      locations: [{ physicalLocation: { artifactLocation: { uri: "cdktf.out/stacks/dev/cdk.tf.json" }, region: { startLine, endLine: startLine + 5 } } }],
    });
    const sarif = {
      $schema: "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
      version: "2.1.0",
      runs: [{
        tool: { driver: { name: "Checkov", version: "3.3.30", informationUri: "https://checkov.io", rules: [] } },
        results: [result("CKV_AWS_150", lineOf("load-balancer_alb_15AADC07") + 2), result("CKV2_AWS_5", lineOf("security-groups_rds_EA986935"))],
      }],
    };
    const file = path.join(work, "checkov.sarif");
    fs.writeFileSync(file, JSON.stringify(sarif));
    const { status, report } = imported([file]);
    expect(status).toBe(1);
    expect(report.external.suppressed.map(key)).toEqual(["checkov CKV_AWS_150 aws_lb.load-balancer_alb_15AADC07"]);
    expect(report.external.unsuppressed.map(key)).toEqual(["checkov CKV2_AWS_5 aws_security_group.security-groups_rds_EA986935"]);
  });

  test("an expired suppression accepts nothing: neither the pack's finding nor the scanner's", () => {
    const json = JSON.parse(fs.readFileSync(stackFile("dev"), "utf8"));
    const albAddress = `aws_lb.${Object.keys(json.resource.aws_lb)[0]}`;
    json["//"].policy_suppressions[albAddress] = json["//"].policy_suppressions[albAddress].map((s: any) => (s.rule === "ZNALB3" ? { ...s, expires: "2000-01-01" } : s));
    const file = path.join(work, "expired", "cdktf.out", "stacks", "dev", "cdk.tf.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(json, null, 2));
    const r = policy([file, "--format", "json", "--import", fixture("checkov.json")]);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.expiredSuppressions).toEqual([expect.objectContaining({ ruleId: "ZNALB3", address: albAddress, expires: "2000-01-01" })]);
    expect(report.results.filter((x: any) => x.status === "fail").map((x: any) => x.ruleId)).toEqual(["ZNALB3"]);
    expect(report.external.unsuppressed.map(key)).toContain(`checkov CKV_AWS_150 ${albAddress}`);
  });

  test("a report that is no scanner's, or a relative path that names several stacks, exits 2", () => {
    const notReport = policy([...stacks(), "--import", PLAN]);
    expect(notReport.status).toBe(2);
    expect(notReport.stderr).toContain("not a checkov (-o json), trivy (--format json) or KICS (--report-formats json) report, nor their SARIF");
    const ambiguous = JSON.parse(fs.readFileSync(fixture("trivy.json"), "utf8"));
    delete ambiguous.ArtifactName;
    const file = path.join(work, "trivy-ambiguous.json");
    fs.writeFileSync(file, JSON.stringify(ambiguous));
    const r = policy([...stacks(), "--import", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/"cdk\.tf\.json" matches .*dev.*prod/);
    expect(policy(["--import"]).status).toBe(2);
  });
});

describe("input errors exit 2 with a clear message", () => {
  const write = (name: string, text: string) => {
    const file = path.join(work, "errors", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  test.each([
    ["a missing file", () => [path.join(work, "nope.json")], /nope\.json: no such file or directory/],
    ["malformed JSON", () => [write("broken.json", '{"resource": {')], /broken\.json: not valid JSON/],
    ["JSON that is not Terraform", () => [write("other.json", '{"hello": "world"}')], /other\.json: not a Terraform JSON configuration \(cdk\.tf\.json\) or plan JSON/],
    ["an unknown format", () => [stackFile("dev"), "--format", "xml"], /--format must be one of text, json, sarif, junit, got "xml"/],
    ["an unknown option", () => ["--strict"], /unknown option --strict/],
    ["a folder without stacks", () => [path.join(work, "errors")], /no cdk\.tf\.json or stacks\/\*\/cdk\.tf\.json inside/],
  ])("%s", (_, args, message) => {
    const r = policy(args());
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  test("no synthesized stacks at the default location", () => {
    const r = policy([], { CDKTF_OUTDIR: path.join(work, "empty") });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("run `npm run synth` first");
  });

  test("--help prints usage, exit 0; --list-rules lists every rule", () => {
    const help = policy(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: npm run policy");
    const list = policy(["--list-rules"]);
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split("\n")).toHaveLength(ALL_RULES.length);
  });
});

test("cdktf synth refuses a valid configuration that violates a rule, and writes nothing", () => {
  // backupRetentionDays 3 is within the config schema (0-35) but below the policy minimum (ZNRDS4).
  const dir = path.join(work, "short-backups");
  fs.mkdirSync(dir);
  const dev = shippedFile("dev");
  dev.database = { ...dev.database, backupRetentionDays: 3 };
  fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(dev));
  const out = path.join(work, "short-backups-out");
  const r = run(MAIN, [], { ZENML_CONFIG_DIR: dir, CDKTF_OUTDIR: out });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^Policy check failed: 1 violation\(s\); no stack was written\./);
  expect(r.stderr).toMatch(/ZNRDS4 \[medium\] dev\/database\/instance \(aws_db_instance\.[^)]+\): .*backup_retention_period is 3/);
  expect(r.stderr).toContain("fix: Set backupRetentionPeriod to 7-35 days (config: database.backupRetentionDays).");
  expect(fs.existsSync(out)).toBe(false);
});
