/**
 * The policy pack (lib/policy): every rule fires on a bad resource and stays quiet on a good one (from
 * the shared corpus, policy-corpus/corpus.json),
 * both as plain attributes (the checker's path) and as constructs through the synth-time aspect;
 * the shipped environments and examples pass with exactly the documented suppressions; a violation
 * stops `app.synth()` before anything is written.
 */
import * as fs from "fs";
import * as path from "path";
import { App, TerraformDataSource, TerraformResource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { buildApp } from "../lib/app";
import { loadEnvironments } from "../lib/config/load";
import { ALL_RULES, applyPolicies, checkConstructTree, evaluate, PolicyResource, PolicyViolationError, suppress } from "../lib/policy";
import { checkovBaseline, suppressionEntries, trivyIgnorePolicy } from "../lib/policy/scanners";
import { loadCorpus, resourcesOf } from "./corpus";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";

const RULES_DIR = path.join(ROOT, "lib", "policy", "rules");
const HELPERS = new Set(["containers.ts", "companions.ts", "documents.ts", "sg-rules.ts"]);

/**
 * Per rule, from the shared corpus (policy-corpus/corpus.json): the resources of a case that must
 * trigger it and of a case that must not (cases without recorded suppressions, which only the
 * JSON reader honours).
 */
const corpus = loadCorpus();
function fixtures(id: string): { bad: PolicyResource[]; good: PolicyResource[] } {
  const pick = (key: "deny" | "no_deny") => {
    const c = corpus.cases.find((x) => x[key].includes(id) && !JSON.stringify(x.document).includes("policy_suppressions"));
    if (!c) throw new Error(`${id}: no corpus case lists it in ${key} (policy-corpus/corpus.json)`);
    return resourcesOf(c.document) as PolicyResource[];
  };
  return { bad: pick("deny"), good: pick("no_deny") };
}

/** Violations of one rule over attribute fixtures (the checker's path). */
const attributeFailures = (ruleId: string, resources: PolicyResource[]) =>
  evaluate([{ source: "fixture", resources, suppressions: new Map() }], ALL_RULES.filter((r) => r.id === ruleId)).findings.filter(
    (f) => f.status === "fail",
  );

/** A construct whose synthesized attributes are exactly `attributes` (any resource type). */
class RawResource extends TerraformResource {
  constructor(scope: Construct, name: string, type: string, private readonly attributes: Record<string, unknown>) {
    super(scope, name, { terraformResourceType: type });
    this.overrideLogicalId(name);
  }
  protected synthesizeAttributes(): { [name: string]: any } {
    return this.attributes;
  }
}
class RawDataSource extends TerraformDataSource {
  constructor(scope: Construct, name: string, type: string, private readonly attributes: Record<string, unknown>) {
    super(scope, name, { terraformResourceType: type });
    this.overrideLogicalId(name);
  }
  protected synthesizeAttributes(): { [name: string]: any } {
    return this.attributes;
  }
}

/** The fixtures as constructs in a stack, checked the way the synth-time aspect checks them. */
function constructFailures(ruleId: string, resources: PolicyResource[]) {
  const stack = new TerraformStack(Testing.app(), "fixture");
  for (const r of resources) {
    if (r.mode === "data") new RawDataSource(stack, r.name, r.type, { ...r.attributes });
    else new RawResource(stack, r.name, r.type, { ...r.attributes });
  }
  return checkConstructTree(stack).findings.filter((f) => f.status === "fail" && f.rule.id === ruleId);
}

describe("rule pack", () => {
  test("one rule per file under rules/<service>/, every file registered, unique IDs named after the service", () => {
    const files = fs.readdirSync(RULES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(RULES_DIR, d.name)).filter((f) => f.endsWith(".ts") && !HELPERS.has(f)).map((f) => `${d.name}/${f}`));
    expect(files.length).toBe(ALL_RULES.length);
    const index = fs.readFileSync(path.join(RULES_DIR, "index.ts"), "utf8");
    for (const f of files) expect(index).toContain(`"./${f.replace(/\.ts$/, "")}"`);
    expect(new Set(ALL_RULES.map((r) => r.id)).size).toBe(ALL_RULES.length);
    const prefix: Record<string, string> = { rds: "ZNRDS", alb: "ZNALB", ecs: "ZNECS", ecr: "ZNECR", s3: "ZNBKT", iam: "ZNIAM", kms: "ZNKMS", logs: "ZNLOG", secrets: "ZNSEC", vpc: "ZNVPC", sns: "ZNSNS", dynamodb: "ZNDDB" };
    for (const r of ALL_RULES) {
      expect(r.id).toMatch(new RegExp(`^${prefix[r.service]}\\d+$`));
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(["critical", "high", "medium", "low"]).toContain(r.severity);
      expect(r.resourceTypes.length).toBeGreaterThan(0);
    }
  });

  test("scanner IDs have each scanner's form (checkov CKV_AWS_n/CKV2_AWS_n, trivy AWS-nnnn without the AVD- alias, KICS query UUIDs), no duplicates", () => {
    const forms = { checkov: /^CKV2?_AWS_\d+$/, trivy: /^AWS-\d{4}$/, kics: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ };
    for (const rule of ALL_RULES) {
      expect(Object.keys(rule.scanners).filter((s) => !(s in forms))).toEqual([]);
      for (const [scanner, form] of Object.entries(forms)) {
        const ids = rule.scanners[scanner as keyof typeof forms] ?? [];
        expect({ rule: rule.id, bad: ids.filter((id) => !form.test(id)), dup: ids.length - new Set(ids).size }).toEqual({ rule: rule.id, bad: [], dup: 0 });
      }
    }
  });

  describe.each(ALL_RULES.map((r) => [r.id, r] as const))("%s", (id) => {
    const { bad, good } = fixtures(id);
    test("fires on the bad resource (attributes) and names it", () => {
      const found = attributeFailures(id, bad);
      expect(found.length).toBeGreaterThan(0);
      expect(bad.map((r) => r.address)).toContain(found[0].resource.address);
      expect(found[0].message).toEqual(expect.any(String));
    });
    test("stays quiet on the good resource (attributes)", () => {
      expect(attributeFailures(id, good).map((f) => f.message)).toEqual([]);
    });
    test("same results through constructs (the synth-time aspect's path)", () => {
      expect(constructFailures(id, bad).map((f) => f.resource.address)).toContain(attributeFailures(id, bad)[0].resource.address);
      expect(constructFailures(id, good)).toEqual([]);
    });
  });
});

/** The shipped app as `cdktf synth` builds it, prepared for synthesis (cross-stack references). */
function shippedApp(configDir = CONFIG_DIR): App {
  const app = buildApp(Testing.app(), loadEnvironments(configDir), { policyLog: () => undefined });
  for (const c of app.node.findAll()) if (TerraformStack.isStack(c)) c.prepareStack();
  return app;
}

describe("our stacks", () => {
  const result = checkConstructTree(shippedApp());
  const accepted = result.findings.filter((f) => f.status === "suppressed");

  test("no violation, no unknown or unused suppression", () => {
    expect(result.findings.filter((f) => f.status === "fail").map((f) => `${f.rule.id} ${f.resource.constructPath}: ${f.message}`)).toEqual([]);
    expect(result.unknownSuppressions).toEqual([]);
    expect(result.unusedSuppressions).toEqual([]);
    expect(result.findings.length).toBeGreaterThan(300);
  });

  test("exactly the documented suppressions, each with a reason", () => {
    const list = [...new Set(accepted.map((f) => `${f.resource.constructPath} ${f.rule.id}`))].sort();
    const both = (p: string) => ["dev", "prod"].map((e) => `${e}/${p}`);
    expect(list).toEqual(
      [
        ...both("load-balancer/alb ZNALB4"), // public ALB (guide)
        ...both("load-balancer/alb ZNALB10"), // WAF optional
        ...both("load-balancer/tg ZNALB7"), // HTTP behind the TLS-terminating ALB
        ...both("load-balancer/access-logs/bucket ZNBKT3"), // ALB log delivery needs SSE-S3
        ...both("load-balancer/access-logs/bucket ZNBKT8"), // a log bucket
        ...both("load-balancer/access-logs/bucket ZNBKT9"),
        ...both("load-balancer/access-logs/bucket ZNBKT10"),
        ...both("security-groups/alb-in-https ZNVPC5"),
        ...both("security-groups/alb-in-http ZNVPC5"),
        ...both("security-groups/ecs-out-https ZNVPC6"), // HTTPS egress to ZenML Cloud/AWS APIs
        ...both("pro-secret/oauth2-client-secret ZNSEC2"), // value issued by ZenML Pro
        ...both("jwt-secret-key/secret ZNSEC2"),
        ...both("secrets-store-key/secret ZNSEC2"), // ZenML cannot re-encrypt its stored secrets: never rotated // rotating the JWT key logs everyone out: a deliberate, configured step
        // dev preset opt-outs, recorded from configuration
        "dev/database/instance ZNRDS5",
        "dev/database/instance ZNRDS6",
        "dev/database/instance ZNRDS9",
        "dev/load-balancer/alb ZNALB3",
        "dev/logs/group ZNLOG3",
        "dev/network/flow-log-group ZNLOG3",
        "state-bootstrap/state-logs-mycompany-zenml-tfstate/bucket ZNBKT3",
        "state-bootstrap/state-logs-mycompany-zenml-tfstate/bucket ZNBKT8",
        "state-bootstrap/state-logs-mycompany-zenml-tfstate/bucket ZNBKT9",
        "state-bootstrap/state-logs-mycompany-zenml-tfstate/bucket ZNBKT10",
        "state-bootstrap/state-mycompany-zenml-tfstate/bucket ZNBKT9",
        "state-bootstrap/state-mycompany-zenml-tfstate/bucket ZNBKT10",
      ].sort(),
    );
    for (const f of accepted) expect(f.reason!.length).toBeGreaterThan(30);
  });

  test.each(fs.readdirSync(path.join(ROOT, "examples")).filter((d) => fs.existsSync(path.join(ROOT, "examples", d, "config"))))(
    "example %s passes",
    (example) => {
      const r = checkConstructTree(shippedApp(path.join(ROOT, "examples", example, "config")));
      expect(r.findings.filter((f) => f.status === "fail").map((f) => `${f.rule.id} ${f.resource.constructPath}: ${f.message}`)).toEqual([]);
      expect(r.unknownSuppressions).toEqual([]);
    },
  );
});

describe("synth-time enforcement", () => {
  let outdir: string;
  beforeEach(() => (outdir = path.join(tempDir("zenml-policy-"), "out")));
  afterEach(() => fs.rmSync(path.dirname(outdir), { recursive: true, force: true }));

  /** A stack with deliberately bad constructs. */
  function badApp(extra?: (stack: TerraformStack) => void): App {
    const app = new App({ outdir });
    const good = new TerraformStack(app, "fine");
    new AwsProvider(good, "aws", { region: "eu-central-1" });
    const stack = new TerraformStack(app, "bad");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    new DbInstance(stack, "db", {
      identifier: "db", engine: "mysql", instanceClass: "db.t3.micro", allocatedStorage: 20,
      storageEncrypted: false, manageMasterUserPassword: true, username: "admin",
    });
    new SecurityGroup(stack, "ssh", {
      description: "SSH from anywhere",
      ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], description: "ssh" }],
    });
    new EcsTaskDefinition(stack, "task", {
      family: "t",
      containerDefinitions: JSON.stringify([{ name: "app", image: "x", privileged: true, readonlyRootFilesystem: true, logConfiguration: { logDriver: "awslogs" } }]),
    });
    new DataAwsIamPolicyDocument(stack, "admin", { statement: [{ actions: ["*"], resources: ["*"] }] });
    extra?.(stack);
    applyPolicies(app, { log: () => undefined });
    return app;
  }

  test("a violation fails app.synth() with path, rule ID and fix, and writes no stack", () => {
    const app = badApp();
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Policy check failed: \d+ violation\(s\); no stack was written\./);
    expect(message).toMatch(/ZNRDS1 \[high\] bad\/db \(aws_db_instance\.db\): RDS storage encrypted .*: storage_encrypted is false/);
    expect(message).toContain("fix: Set storageEncrypted: true");
    expect(message).toMatch(/ZNVPC7 \[critical\] bad\/ssh .*opens tcp\/22 from the internet/);
    expect(message).toMatch(/ZNECS6 \[high\] bad\/task .*container app is privileged/);
    expect(message).toMatch(/ZNIAM1 \[critical\] bad\/admin \(data\.aws_iam_policy_document\.admin\)/);
    expect(message).toContain('suppress(construct, "<rule ID>", "<reason>")');
    const written = fs.existsSync(path.join(outdir, "stacks"))
      ? fs.readdirSync(path.join(outdir, "stacks"), { recursive: true }).map(String).filter((f) => f.endsWith(".json"))
      : [];
    expect(written).toEqual([]);
    expect(fs.existsSync(path.join(outdir, "manifest.json"))).toBe(false);
  });

  function suppressedApp(options: { verbose?: boolean; log: (l: string) => void }): App {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "ok");
    new AwsProvider(stack, "aws", { region: "eu-central-1" });
    const rule = new RawResource(stack, "web", "aws_security_group_rule", {
      type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "HTTPS", security_group_id: "sg-1",
    });
    suppress(rule, "ZNVPC5", "Public HTTPS endpoint by design (test)");
    const docScope = new Construct(stack, "module");
    new DataAwsIamPolicyDocument(docScope, "wide", { statement: [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }] });
    suppress(docScope, "ZNIAM2", "Suppressed on the parent construct (test)");
    applyPolicies(app, options);
    return app;
  }

  test("suppressions are explicit per construct: one summary line, written into the synthesized JSON, no checkov comment lines", () => {
    const lines: string[] = [];
    suppressedApp({ log: (l) => lines.push(l) }).synth();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^policy: \d+ rules, \d+ checks, 0 violations, 2 suppressed \(listed in .+\)$/);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "ok", "cdk.tf.json"), "utf8"));
    expect(json.resource.aws_security_group_rule.web["//"]).toEqual(expect.objectContaining({ policy_suppressions: [{ rule: "ZNVPC5", reason: "Public HTTPS endpoint by design (test)" }] }));
    expect(json.resource.aws_security_group_rule.web["//"].checkov).toBeUndefined();
    const docName = Object.keys(json.data.aws_iam_policy_document)[0];
    expect(json["//"].policy_suppressions).toEqual({
      "aws_security_group_rule.web": [{ rule: "ZNVPC5", reason: "Public HTTPS endpoint by design (test)" }],
      [`data.aws_iam_policy_document.${docName}`]: [{ rule: "ZNIAM2", reason: "Suppressed on the parent construct (test)" }],
    });
  });

  test("verbose: every suppression with its reason follows the summary line", () => {
    const lines: string[] = [];
    suppressedApp({ verbose: true, log: (l) => lines.push(l) }).synth();
    expect(lines.slice(1).sort()).toEqual([
      "  suppressed ZNIAM2 on ok/module/wide: Suppressed on the parent construct (test)",
      "  suppressed ZNVPC5 on ok/web: Public HTTPS endpoint by design (test)",
    ]);
  });

  test("owner and expiry: recorded in the JSON; an expired suppression no longer applies and fails the synth, naming the date", () => {
    const build = (expires: string) => {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "ok");
      new AwsProvider(stack, "aws", { region: "eu-central-1" });
      const rule = new RawResource(stack, "web", "aws_security_group_rule", {
        type: "ingress", protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], description: "HTTPS", security_group_id: "sg-1",
      });
      suppress(rule, "ZNVPC5", "Public HTTPS endpoint by design (test)", { owner: "platform-team", expires });
      applyPolicies(app, { log: () => undefined });
      return app;
    };
    build("2999-12-31").synth();
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "ok", "cdk.tf.json"), "utf8"));
    expect(json["//"].policy_suppressions["aws_security_group_rule.web"]).toEqual([
      { rule: "ZNVPC5", reason: "Public HTTPS endpoint by design (test)", owner: "platform-team", expires: "2999-12-31" },
    ]);
    const expired = build("2000-01-31");
    expect(() => expired.synth()).toThrow(/ZNVPC5 \[high\] ok\/web[\s\S]*expired suppression ZNVPC5 on ok aws_security_group_rule\.web: ended 2000-01-31 \(owner: platform-team\)/);
    expect(() => suppress(new TerraformStack(Testing.app(), "s"), "ZNVPC5", "a long enough reason", { expires: "2026-02-30" })).toThrow(/expires must be a date YYYY-MM-DD/);
  });

  test("the scanner files leave out expired suppressions", () => {
    const reason = "a long enough reason (test)";
    const input = { source: "s", suppressions: new Map([["aws_lb.x", [{ ruleId: "ZNALB3", reason, expires: "2000-01-01" }, { ruleId: "ZNALB4", reason, owner: "web" }]]]) };
    const entries = suppressionEntries(input, "2026-11-28");
    expect(entries.map((e) => [e.rule, e.owner])).toEqual([["ZNALB4", "web"]]);
    expect(JSON.parse(checkovBaseline(entries)).failed_checks).toEqual([]);
    expect(trivyIgnorePolicy(entries)).toContain('{"resource": "aws_lb.x", "ids": {"AWS-0053", "AVD-AWS-0053"}, "rule": "ZNALB4"');
    expect(suppressionEntries(input, "1999-12-31").map((e) => e.rule)).toEqual(["ZNALB3", "ZNALB4"]);
  });

  test("suppress() rejects unknown-looking IDs and missing reasons; unknown rule IDs fail synth", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(() => suppress(stack, "CKV_AWS_1", "a long enough reason")).toThrow(/not a policy rule ID/);
    expect(() => suppress(stack, "ZNRDS1", "short")).toThrow(/at least 15 characters/);
    const app = badApp((s) => suppress(s.node.findChild("db"), "ZNRDS99", "a typo in the rule ID"));
    expect(() => app.synth()).toThrow(/unknown rule ZNRDS99 suppressed on bad aws_db_instance\.db /);
  });
});

describe("policy/ (conftest Rego and Sentinel): same rule IDs as the pack", () => {
  const dir = path.join(ROOT, "policy");
  const rego = fs.readdirSync(dir).filter((f) => f.endsWith(".rego"));
  const sentinel = fs.readdirSync(path.join(dir, "sentinel")).filter((f) => f.endsWith(".sentinel"));
  const ids = new Set(ALL_RULES.map((r) => r.id));

  test("every rule ID used in Rego, Sentinel and policy/README.md exists in lib/policy", () => {
    const texts = [...rego.map((f) => path.join(dir, f)), ...sentinel.map((f) => path.join(dir, "sentinel", f)), path.join(dir, "README.md")].map((f) =>
      fs.readFileSync(f, "utf8"),
    );
    const used = new Set(texts.flatMap((t) => [...t.matchAll(/\bZN[A-Z]+\d+\b/g)].map((m) => m[0])));
    expect(used.size).toBeGreaterThan(30);
    for (const id of used) expect(ids).toContain(id);
  });

  test.each(rego)("%s: package main, Rego v1, deny contains ... if, balanced brackets", (file) => {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    expect(text).toMatch(/^package main$/m);
    expect(text).toMatch(/^import rego\.v1$/m);
    for (const line of text.split("\n").filter((l) => /^deny\b/.test(l))) expect(line).toBe("deny contains msg if {");
    // Strip comments, strings and raw strings, then check bracket balance.
    const code = text.replace(/#.*$/gm, "").replace(/`[^`]*`/g, '""').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const stack: string[] = [];
    const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
    for (const ch of code) {
      if ("([{".includes(ch)) stack.push(ch);
      else if (ch in pairs) expect(stack.pop()).toBe(pairs[ch]);
    }
    expect(stack).toEqual([]);
  });
});

test("ZNECS8 tells the kind of a secrets store from a secret", () => {
  const task: PolicyResource = {
    type: "aws_ecs_task_definition",
    mode: "managed",
    name: "x",
    address: "aws_ecs_task_definition.x",
    attributes: {
      container_definitions: JSON.stringify([
        { name: "app", environment: [{ name: "DB_PASSWORD", value: "hunter2" }, { name: "URL", value: "mysql://u:p@db:3306/x" }] },
        { name: "zenml", environment: [{ name: "ZENML_SECRETS_STORE_TYPE", value: "sql" }, { name: "ZENML_SECRETS_STORE_ENCRYPTION_KEY", value: "k3y" }] },
      ]),
    },
  };
  const messages = attributeFailures("ZNECS8", [task]).flatMap((f) => (f.message ?? "").split("; "));
  expect(messages.filter((m) => m.includes("container zenml:"))).toEqual([
    expect.stringMatching(/^container zenml: ZENML_SECRETS_STORE_ENCRYPTION_KEY looks like a secret in plain environment/),
  ]);
});
