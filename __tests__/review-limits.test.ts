/**
 * `npm run review`, the limits a PR comment must respect: it always fits GitHub's 65,536 characters
 * (a property test over generated plans of 10,000 resources with 500 danger findings: every danger
 * stays visible by address, with a count of what was cut and where the full report is); no secret
 * reaches any output (canaries in container environment values, tags, outputs and user_data of a real
 * plan and its plan.txt); SARIF with stable fingerprints; policy findings new vs existing on the base.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runReview } from "../scripts/review";
import { StackReview } from "../scripts/review/model";
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "../scripts/review/render";
import { reviewPlan } from "../scripts/review/review";
import { FINGERPRINT_KEY, fingerprint, renderSarif } from "../scripts/review/sarif";
import { loadFixtureCase, REVIEW_FIXTURES_DIR, reviewFixture } from "../e2e/review-fixtures";
import { tempDir } from "./helpers";

const dir = tempDir("review-limits-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What the PR workflow wraps around review.md (marker, blank line, run line): see .github/workflows/pr.yml. */
const WRAPPER = "<!-- zenml-plan:a-stack-name-of-forty-characters-at-most-x -->\n\nRun 123456789012, commit abcdef0".length + 2;

/** A small seeded PRNG (mulberry32): the property test is reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DANGER_TYPES = ["aws_db_instance", "aws_s3_bucket", "aws_kms_key", "aws_secretsmanager_secret", "aws_cloudwatch_log_group", "aws_lb", "aws_ecs_cluster", "aws_efs_file_system"];

/** A plan of `total` resources of which `dangers` are deletions or replacements of data-holding ones, the rest creates, updates, SG rules, no-ops. */
function generatedPlan(seed: number, total: number, dangers: number): { plan: Record<string, any>; text: string; dangerAddresses: string[] } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const hex = () => Math.floor(rnd() * 0xffffffff).toString(16).toUpperCase().padStart(8, "0");
  const changes: any[] = [];
  const dangerAddresses: string[] = [];
  const textLines: string[] = [];
  for (let i = 0; i < total; i++) {
    const module = rnd() < 0.3 ? `module.workspace_${Math.floor(rnd() * 40)}.` : "";
    if (i < dangers) {
      const type = pick(DANGER_TYPES);
      const name = `${pick(["database", "artifacts", "logs", "secrets", "kms", "alb"])}_${pick(["instance", "bucket", "key", "group", "store"])}-${i}_${hex()}`;
      const address = `${module}${type}.${name}`;
      const replace = rnd() < 0.5;
      const before = { id: `id-${i}`, name: `n-${"x".repeat(Math.floor(rnd() * 120))}`, db_name: `zenml_${i}`, skip_final_snapshot: rnd() < 0.5, deletion_protection: false };
      changes.push({
        address,
        mode: "managed",
        type,
        name,
        action_reason: replace ? "replace_because_cannot_update" : "delete_because_no_resource_config",
        change: {
          actions: replace ? pick([["delete", "create"], ["create", "delete"]]) : ["delete"],
          before,
          after: replace ? { ...before, db_name: `zenml_${i}_renamed_${"y".repeat(Math.floor(rnd() * 200))}` } : null,
          after_unknown: replace ? { id: true } : {},
          before_sensitive: {},
          after_sensitive: replace ? {} : false,
          ...(replace ? { replace_paths: [["db_name"]] } : {}),
        },
      });
      dangerAddresses.push(address);
    } else {
      const kind = rnd();
      const name = `r${i}_${hex()}`;
      if (kind < 0.2) {
        changes.push({
          address: `${module}aws_security_group_rule.${name}`,
          mode: "managed",
          type: "aws_security_group_rule",
          name,
          change: { actions: ["create"], before: null, after: { type: "ingress", from_port: 1000 + (i % 5000), to_port: 1000 + (i % 5000), protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} },
        });
      } else if (kind < 0.5) {
        changes.push({
          address: `${module}aws_sns_topic.${name}`,
          mode: "managed",
          type: "aws_sns_topic",
          name,
          change: { actions: ["update"], before: { name, display_name: "a" }, after: { name, display_name: "b" }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
        });
      } else {
        changes.push({ address: `${module}aws_route.${name}`, mode: "managed", type: "aws_route", name, change: { actions: ["no-op"], before: { id: name }, after: { id: name }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} } });
      }
    }
  }
  for (const c of changes) {
    textLines.push(`  # ${c.address} will be ${c.change.actions.join("/")}`, `  ~ resource "${c.type}" "${c.name}" {`, `      ~ display_name = "a" -> "b"`, `        id           = "${c.address}"`, "    }", "");
  }
  return { plan: { format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes }, text: `Terraform will perform the following actions:\n\n${textLines.join("\n")}\nPlan: 1 to add.\n`, dangerAddresses };
}

describe("the comment always fits (property test)", () => {
  test.each([1, 2, 3, 4, 5])("seed %i: 10,000 resources, 500 danger findings: within 65,536 characters with the wrapper, every danger by address, what was cut counted, the full report named", (seed) => {
    const { plan, text, dangerAddresses } = generatedPlan(seed, 10_000, 500);
    const stackDir = path.join(dir, `seed-${seed}`);
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, "plan.json"), JSON.stringify(plan));
    fs.writeFileSync(path.join(stackDir, "plan.txt"), text);
    const fullReport = "the job summary and the artifact plan-review-big of run 1";
    const { text: md } = runReview([path.join(stackDir, "plan.json"), "--full-report", fullReport]);
    expect(md.length + WRAPPER).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const missing = dangerAddresses.filter((a) => !md.includes(`\`${a}\``));
    expect(missing).toEqual([]);
    const note = md.match(/\*\*Cut to fit:\*\* (.*)\. The full report: (.*)\./);
    expect(note).not.toBeNull();
    expect(note![1]).toMatch(/\d+ findings left out/);
    expect(note![1]).toMatch(/\d+ characters of the full plan cut/);
    expect(note![2]).toBe(fullReport);
    // The counts are what was really cut: the findings not in the comment, the plan text not in it.
    const r = reviewPlan({ plan, source: "x" });
    const left = Number(note![1].match(/(\d+) findings left out/)![1]);
    const shownLines = md.split("\n").filter((l) => /^- \*\*(create|update|replace|delete|no-op|forget)\*\*/.test(l)).length;
    expect(shownLines + left).toBe(r.findings.length);
    const cutChars = Number(note![1].match(/(\d+) characters of the full plan cut/)![1]);
    const shownPlan = md.slice(md.indexOf("```\n") + 4, md.lastIndexOf("\n```"));
    expect(shownPlan.length + cutChars).toBe(text.trimEnd().length);
    // Uncut (the job summary / artifact form): everything, with the plan.
    const full = runReview([path.join(stackDir, "plan.json"), "--max-chars", "0"]).text;
    expect(full).not.toContain("Cut to fit");
    expect(full).toContain(text.trimEnd().split("\n").slice(-2)[0]);
  });

  test("a small plan is not cut; two stacks share the limit", () => {
    const r = reviewFixture("db-replace");
    const md = renderMarkdown([r]);
    expect(md).not.toContain("Cut to fit");
    const { plan, text } = generatedPlan(9, 3_000, 200);
    const big = reviewPlan({ plan, source: "big", stack: "big" });
    const both = renderMarkdown([big, r], (x) => (x === big ? text : undefined), { maxChars: 40_000 });
    expect(both.length).toBeLessThanOrEqual(40_000);
    expect(both).toContain("### Plan review: `review`");
    expect(both).toContain(r.findings[0].address);
  });
});

describe("no secret in any part of the comment (canaries)", () => {
  const canary = (what: string) => `canary-${what}-${crypto.createHash("sha256").update(what).digest("hex").slice(0, 16)}`;
  const CANARIES = {
    env: canary("env"),
    envBefore: canary("env-before"),
    tag: canary("tag"),
    output: canary("output"),
    userData: canary("user-data"),
    userData64: canary("user-data-b64"),
    sensitive: canary("sensitive"),
    variable: canary("variable"),
  };

  /** A real plan (zenml-version) with canaries planted, and its plan.txt as Terraform would print them. */
  function planted(): { stackDir: string } {
    const c = loadFixtureCase("zenml-version");
    const plan = JSON.parse(JSON.stringify(c.plan));
    // Container environment values under secret-like names, after and before.
    const td = plan.resource_changes.find((rc: any) => rc.type === "aws_ecs_task_definition");
    for (const [side, value] of [["after", CANARIES.env], ["before", CANARIES.envBefore]] as const) {
      const defs = JSON.parse(td.change[side].container_definitions);
      defs[0].environment.push({ name: "ZENML_STORE_PASSWORD", value });
      td.change[side].container_definitions = JSON.stringify(defs);
    }
    // A tag under a secret-like key.
    const topic = plan.resource_changes.find((rc: any) => rc.type === "aws_sns_topic");
    topic.change.actions = ["update"];
    topic.change.after = { ...topic.change.before, tags: { api_token: CANARIES.tag }, tags_all: { ...topic.change.before.tags_all, api_token: CANARIES.tag } };
    // A sensitive output.
    plan.output_changes = { ...plan.output_changes, db_password: { actions: ["create"], before: null, after: CANARIES.output, after_unknown: false, before_sensitive: true, after_sensitive: true } };
    plan.planned_values.outputs = { ...plan.planned_values.outputs, db_password: { sensitive: true, value: CANARIES.output } };
    // user_data, plain and base64; a sensitive attribute; a sensitive variable.
    const script = `#!/bin/bash\nexport ZENML_PASSWORD=${CANARIES.userData64}\n`;
    plan.resource_changes.push(
      { address: "aws_instance.bastion", mode: "managed", type: "aws_instance", name: "bastion", change: { actions: ["create"], before: null, after: { user_data: `#!/bin/bash\necho ${CANARIES.userData}`, tags: { Name: "bastion" } }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} } },
      { address: "aws_launch_template.lt", mode: "managed", type: "aws_launch_template", name: "lt", change: { actions: ["create"], before: null, after: { user_data: Buffer.from(script).toString("base64") }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} } },
      { address: "aws_db_instance.extra", mode: "managed", type: "aws_db_instance", name: "extra", change: { actions: ["delete", "create"], replace_paths: [["password"]], before: { password: `${CANARIES.sensitive}-old` }, after: { password: CANARIES.sensitive }, after_unknown: {}, before_sensitive: { password: true }, after_sensitive: { password: true } } },
    );
    plan.configuration.root_module.variables = { ...plan.configuration.root_module.variables, admin_token: { sensitive: true } };
    plan.variables = { ...plan.variables, admin_token: { value: CANARIES.variable } };
    const stackDir = path.join(dir, "canary", "review");
    fs.mkdirSync(stackDir, { recursive: true });
    fs.writeFileSync(path.join(stackDir, "plan.json"), JSON.stringify(plan));
    fs.copyFileSync(path.join(REVIEW_FIXTURES_DIR, "zenml-version", "cdk.tf.json"), path.join(stackDir, "cdk.tf.json"));
    // plan.txt as Terraform prints these (it shows plain values: env JSON, tags, user_data).
    fs.writeFileSync(
      path.join(stackDir, "plan.txt"),
      [
        "Terraform will perform the following actions:",
        `  ~ container_definitions = jsonencode([{ environment = [{ name = "ZENML_STORE_PASSWORD", value = "${CANARIES.envBefore}" }] -> [{ name = "ZENML_STORE_PASSWORD", value = "${CANARIES.env}" }] }])`,
        `  ~ tags = { + "api_token" = "${CANARIES.tag}" }`,
        `  + user_data = "#!/bin/bash\\necho ${CANARIES.userData}"`,
        `  + user_data = "${Buffer.from(script).toString("base64")}"`,
        `  + db_password = "${CANARIES.output}"`,
        `  # var.admin_token = "${CANARIES.variable}"`,
        `  ~ password = "${CANARIES.sensitive}"`,
        "Plan: 3 to add, 3 to change, 2 to destroy.",
      ].join("\n"),
    );
    return { stackDir };
  }

  test("the comment (cut and uncut: the job summary), the JSON and the SARIF carry none of them; plan.txt is masked like the summary", () => {
    const { stackDir } = planted();
    const file = path.join(stackDir, "plan.json");
    const base = path.join(REVIEW_FIXTURES_DIR, "base");
    const outputs = {
      comment: runReview([file, "--base", base]).text,
      jobSummary: runReview([file, "--base", base, "--max-chars", "0"]).text,
      json: runReview([file, "--base", base, "--format", "json"]).text,
      sarif: runReview([file, "--base", base, "--format", "sarif"]).text,
    };
    for (const [name, text] of Object.entries(outputs)) {
      const leaked = Object.entries(CANARIES).filter(([, v]) => text.includes(v) || text.includes(Buffer.from(v).toString("base64")));
      expect([name, leaked.map(([k]) => k)]).toEqual([name, []]);
    }
    // The masking kept the plan's shape: each line is there with "(hidden)" in place of the value.
    const details = outputs.comment.slice(outputs.comment.indexOf("<details>"));
    expect(details).toContain('value = "(hidden)"');
    expect(details).toContain('"api_token" = "(hidden)"');
    expect(details).toContain('+ user_data = "(hidden)"');
    expect(details).toContain("Plan: 3 to add, 3 to change, 2 to destroy.");
    // The summary still says what changed, by name.
    expect(outputs.comment).toMatch(/env changed ZENML_STORE_PASSWORD \(hidden\) → \(hidden\)/);
  });

  test("without the masking the canaries would be there (the test can fail)", () => {
    const { stackDir } = planted();
    const text = fs.readFileSync(path.join(stackDir, "plan.txt"), "utf8");
    const r = reviewPlan({ plan: JSON.parse(fs.readFileSync(path.join(stackDir, "plan.json"), "utf8")), source: "x" });
    const unmasked = renderMarkdown([r], () => text, { maxChars: 0 });
    expect(Object.values(CANARIES).filter((v) => unmasked.includes(v)).length).toBeGreaterThanOrEqual(6);
  });
});

describe("SARIF and policy novelty", () => {
  test("one result per finding, fingerprinted by address + rule + attribute: stable when the message or values change", () => {
    const r = reviewFixture("sg-mysql-world");
    const log = JSON.parse(renderSarif([r]));
    expect(log.version).toBe("2.1.0");
    const results: any[] = log.runs[0].results;
    expect(results).toHaveLength(r.findings.length);
    for (const [i, f] of r.findings.entries()) {
      const expected = crypto.createHash("sha256").update(`${f.address}\u0000${f.rule}\u0000${f.attribute ?? ""}`).digest("hex");
      expect(results[i].partialFingerprints[FINGERPRINT_KEY]).toBe(expected);
      expect(results[i].ruleId).toBe(f.rule);
      expect(log.runs[0].tool.driver.rules[results[i].ruleIndex].id).toBe(f.rule);
      expect(results[i].locations[0].logicalLocations[0].name).toBe(f.address);
    }
    const f = r.findings[0];
    expect(fingerprint({ ...f, message: "another text", before: "x", after: "y", action: "update" })).toBe(fingerprint(f));
    expect(fingerprint({ ...f, attribute: "other" })).not.toBe(fingerprint(f));
    expect(fingerprint({ ...f, address: `${f.address}_2` })).not.toBe(fingerprint(f));
    // Every finding has its own rule (no kind-wide fallback in practice).
    for (const name of ["zenml-version", "db-replace", "iam-wildcard", "alarm-email-removed", "nat-per-az"]) {
      for (const x of reviewFixture(name).findings) expect([name, x.address, typeof x.rule]).toEqual([name, x.address, "string"]);
    }
  });

  test("policy findings are new or existing given the base synth; the new lead; drift is existing", () => {
    const c = loadFixtureCase("sg-mysql-world");
    const asNew = reviewPlan({ plan: c.plan, source: "x", stackJson: c.stackJson, baseStackJson: c.baseStackJson });
    const policy = asNew.findings.filter((f) => f.kind === "policy");
    expect(policy.length).toBeGreaterThan(0);
    expect(policy.map((f) => f.novelty)).toEqual(policy.map(() => "new"));
    // The same rule already on the base: existing, after the new ones, labelled.
    const asOld = reviewPlan({ plan: c.plan, source: "x", stackJson: c.stackJson, baseStackJson: c.stackJson });
    const old = asOld.findings.filter((f) => f.kind === "policy");
    expect(old.map((f) => f.novelty)).toEqual(old.map(() => "existing"));
    const warn = asOld.findings.filter((f) => f.severity === "warn").map((f) => f.novelty);
    expect(warn).toEqual([...warn].sort((a, b) => (a === b ? 0 : a === "new" ? -1 : 1)));
    const md = renderMarkdown([asOld]);
    expect(md).toMatch(/\(policy\) _\(existing\)_/);
    expect(md).toMatch(/policy: \d+ failed \(0 new, \d+ existing\)/);
    // No base: no novelty claimed.
    expect(reviewPlan({ plan: c.plan, source: "x", stackJson: c.stackJson }).findings.every((f) => f.novelty === undefined)).toBe(true);
    expect(reviewFixture("drift").findings.filter((f) => f.kind === "drift").every((f) => f.novelty === "existing")).toBe(true);
  });

  test("review --format sarif writes the same log", () => {
    const file = path.join(REVIEW_FIXTURES_DIR, "sg-mysql-world", "plan.json");
    const log = JSON.parse(runReview([file, "--format", "sarif"]).text);
    const r: StackReview = reviewFixture("sg-mysql-world");
    expect(log.runs[0].results.map((x: any) => x.partialFingerprints[FINGERPRINT_KEY]).sort()).toEqual(r.findings.map(fingerprint).sort());
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("cdktf.out/stacks/review/cdk.tf.json");
  });
});
