/**
 * `npm run review`: the reviews of the real plans the e2e review scenario saved
 * (__tests__/fixtures/review/<case>/plan.json, from e2e/review.ts) are exactly the expected findings;
 * the fixtures are not stale (the review stack synthesizes to the hash they came from); no sensitive
 * value reaches the output (canaries); the Markdown leads with danger in under 40 lines; the CLI's
 * options and exit codes; the rendered example in docs/policy.md is current.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { runDrift } from "../scripts/drift";
import { runReview } from "../scripts/review";
import { actionOf, replaceOrder } from "../scripts/review/plan";
import { KINDS, SEVERITIES, StackReview } from "../scripts/review/model";
import { MAX_SUMMARY_LINES, renderJson, renderMarkdown } from "../scripts/review/render";
import { reviewPlan } from "../scripts/review/review";
import {
  compareFindings,
  countsAgainstSummary,
  DOCS_FILE,
  docsWithExample,
  loadFixtureCase,
  REGENERATE_COMMAND,
  REVIEW_CASES,
  REVIEW_CONFIG_DIR,
  REVIEW_FIXTURES_DIR,
  REVIEW_MANIFEST,
  REVIEW_STACK,
  reviewFixture,
  ReviewFixtureManifest,
  stackHash,
} from "../e2e/review-fixtures";
import { ROOT, synthAll, tempDir } from "./helpers";

const manifest = JSON.parse(fs.readFileSync(REVIEW_MANIFEST, "utf8")) as ReviewFixtureManifest;
const reviews = new Map<string, StackReview>(REVIEW_CASES.map((c) => [c.name, reviewFixture(c.name)]));
const review = (name: string) => reviews.get(name)!;
const dbAddress = (r: StackReview) => r.findings.find((f) => f.kind === "data-loss")?.address;

describe("fixtures: real plans of the e2e review matrix, not stale", () => {
  test("one fixture per case of the matrix, listed in the manifest", () => {
    expect(Object.keys(manifest.cases).sort()).toEqual(REVIEW_CASES.map((c) => c.name).sort());
    for (const c of REVIEW_CASES) {
      const { plan } = loadFixtureCase(c.name);
      expect(plan.format_version).toMatch(/^\d+\.\d+$/);
      expect(plan.terraform_version).toBe(manifest.terraform);
      expect(plan.resource_changes.length).toBeGreaterThan(50);
    }
    expect(manifest.regenerate).toBe(REGENERATE_COMMAND);
  });

  test("the review stack still synthesizes to the stack the plans came from (else regenerate them)", () => {
    const stacks = synthAll(loadEnvironments(REVIEW_CONFIG_DIR));
    const now = stackHash(JSON.parse(stacks[REVIEW_STACK].raw));
    if (now !== manifest.baseStackSha256) {
      throw new Error(
        `__tests__/fixtures/review is stale: ${path.relative(ROOT, REVIEW_CONFIG_DIR)}/${REVIEW_STACK}.json now synthesizes to a different stack ` +
          `(sha256 ${now.slice(0, 12)}…, fixtures from ${manifest.baseStackSha256.slice(0, 12)}…). Regenerate (6-10 minutes): ${REGENERATE_COMMAND}`,
      );
    }
  });
});

describe("the matrix: exactly the expected findings (kind, severity, address, attribute)", () => {
  test.each(REVIEW_CASES.map((c) => [c.name, c] as const))("%s", (name, c) => {
    expect(compareFindings(review(name).findings, c.expected)).toEqual([]);
  });

  test("replace the database: danger, db_name before → after, nothing refuses it on dev, no final snapshot", () => {
    const f = review("db-replace").findings[0];
    expect(f).toMatchObject({ severity: "danger", kind: "data-loss", action: "replace", attribute: "db_name", before: "zenml_hybrid", after: "zenml_renamed" });
    expect(f.message).toMatch(/Nothing refuses it/);
    expect(f.message).toMatch(/No final snapshot \(skip_final_snapshot = true\)/);
  });

  test("zenml version: image tag 0.84.3 → 0.85.0 and the migration container named", () => {
    const td = review("zenml-version").findings.find((f) => f.address.startsWith("aws_ecs_task_definition."))!;
    const service = review("zenml-version").findings.find((f) => f.address.startsWith("aws_ecs_service."))!;
    expect(td).toMatchObject({ kind: "rollout", before: "0.84.3", after: "0.85.0" });
    expect(service.message).toMatch(/migrate-database container runs the schema migration 0\.84\.3 → 0\.85\.0/);
    expect(service.message).toMatch(/200 %.*100 %/);
  });

  test("DB class: downtime and when (maintenance window unless apply_immediately)", () => {
    const f = review("db-instance-class").findings.find((x) => x.kind === "rollout")!;
    expect(f).toMatchObject({ before: "db.t3.micro", after: "db.t3.small" });
    expect(f.message).toMatch(/reboot|failover/);
    expect(f.message).toMatch(/maintenance window|apply_immediately = true/);
  });

  test("cost deltas come from scripts/cost: a second NAT gateway, a bigger DB class", () => {
    const nat = review("nat-per-az").cost!;
    expect(nat.delta).toBeGreaterThan(30);
    expect(review("nat-per-az").findings[0].message).toMatch(/^\+\$\d+\.\d\d\/month: .*NAT gateway/);
    expect(review("db-instance-class").cost!.delta).toBeCloseTo(730 * (0.04 - 0.02), 2);
  });

  test("SG and IAM: world-open MySQL and a `*` resource, each also failing the policy pack", () => {
    const sg = review("sg-mysql-world").findings.find((f) => f.kind === "security")!;
    expect(sg.message).toMatch(/3306\/tcp from 0\.0\.0\.0\/0 \(the whole internet\)/);
    const iam = review("iam-wildcard").findings.find((f) => f.kind === "security")!;
    expect(iam.message).toMatch(/Resource widened to \*/);
    for (const name of ["sg-mysql-world", "iam-wildcard"]) expect(review(name).policy!.failed).toBeGreaterThan(0);
    for (const name of ["zenml-version", "nat-per-az"]) expect(review(name).policy).toMatchObject({ failed: 0, rules: expect.any(Number) });
  });

  test("a detector that breaks makes its test fail: the same plan with the DB update instead of a replacement has no danger", () => {
    const c = loadFixtureCase("db-replace");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const db = plan.resource_changes.find((rc: any) => rc.address === dbAddress(review("db-replace")));
    db.change.actions = ["update"];
    const r = reviewPlan({ plan, source: "mutated", stackJson: c.stackJson });
    expect(r.findings.filter((f) => f.severity === "danger")).toEqual([]);
    expect(renderMarkdown([r])).not.toContain("Danger");
    expect(compareFindings(r.findings, REVIEW_CASES.find((x) => x.name === "db-replace")!.expected)).not.toEqual([]);
  });

  test("prevent_destroy in the stack JSON and deletion protection in the prior state are reported as refusing", () => {
    const c = loadFixtureCase("db-replace");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const stackJson = JSON.parse(JSON.stringify(c.stackJson));
    const address = dbAddress(review("db-replace"))!;
    const [type, name] = address.split(".");
    stackJson.resource[type][name].lifecycle = { prevent_destroy: true };
    plan.resource_changes.find((rc: any) => rc.address === address).change.before.deletion_protection = true;
    const f = reviewPlan({ plan, source: "mutated", stackJson }).findings[0];
    expect(f.message).toMatch(/REFUSED: lifecycle\.prevent_destroy/);
    expect(f.message).toMatch(/REFUSED at apply: deletion_protection is on/);
  });
});

describe("every plan action (hashicorp/terraform internal/command/jsonplan/plan.go)", () => {
  test("each action list Terraform writes, the replacement order, and an unknown list refused", () => {
    const table: Array<[string[], string, string | undefined]> = [
      [["no-op"], "no-op", undefined],
      [["create"], "create", undefined],
      [["read"], "read", undefined],
      [["update"], "update", undefined],
      [["delete"], "delete", undefined],
      [["forget"], "forget", undefined],
      [["delete", "create"], "replace", "delete-before-create"],
      [["create", "delete"], "replace", "create-before-destroy"],
      [["create", "forget"], "replace", "create-before-destroy"],
    ];
    for (const [actions, action, order] of table) expect([actions, actionOf(actions), replaceOrder(actions)]).toEqual([actions, action, order]);
    expect(() => actionOf(["delete", "update"])).toThrow(/unknown plan action list \[delete, update\]/);
  });

  test("the counts of every fixture are Terraform's own summary line of that plan", () => {
    for (const c of REVIEW_CASES) {
      const summary = manifest.cases[c.name].terraformSummary;
      expect([c.name, typeof summary]).toEqual([c.name, "string"]);
      expect([c.name, countsAgainstSummary(review(c.name).counts, summary!)]).toEqual([c.name, []]);
    }
  });

  test("forget: the forgotten log group is named as staying in AWS, counted once as forget, no data loss", () => {
    const r = review("forget-log-group");
    expect(r.counts).toMatchObject({ forget: 1, delete: 0, replace: 0 });
    const f = r.findings.find((x) => x.kind === "state")!;
    expect(f).toMatchObject({ severity: "warn", action: "forget", rule: "review/state/forget-stateful" });
    expect(f.message).toMatch(/stays in AWS, a log group and its log history, but leaves Terraform's care/);
    expect(r.findings.some((x) => x.kind === "data-loss")).toBe(false);
    expect(r.changes).toContainEqual({ address: f.address, action: "forget" });
  });

  test("import: counted as an import, the ID named, then what Terraform does to it", () => {
    const r = review("import-log-group");
    expect(r.counts.import).toBe(1);
    const f = r.findings.find((x) => x.kind === "state")!;
    expect(f).toMatchObject({ severity: "info", attribute: "id", before: "(not in state)", after: "/review/imported" });
    expect(f.message).toMatch(/^imported \(an import block\): Terraform takes over the existing object \/review\/imported; /);
    expect(r.changes.find((c) => c.address === f.address)).toMatchObject({ importId: "/review/imported" });
  });

  test("move: the moved DB is one move, no data loss, its previous address shown", () => {
    const r = review("move-database");
    expect(r.counts).toMatchObject({ move: 1, replace: 0, delete: 0 });
    const f = r.findings.find((x) => x.kind === "state")!;
    // The review stack's DB has an in-place update in every plan of the matrix (moto reads some settings
    // back differently), so the move comes with it: "then update".
    expect(f).toMatchObject({ severity: "info", action: "update", attribute: "address", before: expect.stringMatching(/^aws_db_instance\.database_instance_[0-9A-F]{8}$/), after: "aws_db_instance.database_instance_moved" });
    expect(f.message).toMatch(/^moved \(a moved block\) from aws_db_instance\.database_instance_[0-9A-F]{8}: the same object under a new address; then update$/);
    expect(r.findings.some((x) => x.kind === "data-loss")).toBe(false);
    expect(renderMarkdown([r])).toMatch(/- update `aws_db_instance\.database_instance_moved` \(moved from `aws_db_instance\.database_instance_[0-9A-F]{8}`\)/);
    // The same plan without the DB's update: a move alone is a no-op that is still listed and counted.
    const plan = JSON.parse(JSON.stringify(loadFixtureCase("move-database").plan));
    const db = plan.resource_changes.find((c: any) => c.address === f.address);
    db.change.actions = ["no-op"];
    const alone = reviewPlan({ plan, source: "move" });
    expect(alone.counts).toMatchObject({ move: 1, update: r.counts.update - 1 });
    expect(alone.findings.find((x) => x.kind === "state")!.message).toMatch(/no change in AWS$/);
    expect(alone.changes).toContainEqual(expect.objectContaining({ address: f.address, action: "no-op", from: f.before }));
  });

  test("drift: each change labelled \"changed outside Terraform\" with before → after; the ignored desired_count expected; drift is never new", () => {
    const r = review("drift");
    const drift = r.findings.filter((f) => f.kind === "drift");
    // Terraform lists every object whose refreshed values differ in any way (null read back as {}, computed
    // timestamps, a group's rules filled in by its rule resources); the review names the real changes.
    expect(r.counts.drift).toBeGreaterThan(20);
    expect(drift).toHaveLength(4);
    for (const f of drift) {
      expect(f.message).toMatch(/^changed outside Terraform: /);
      expect(f.novelty).toBe("existing");
    }
    const by = (prefix: string, attribute: string) => drift.find((f) => f.address.startsWith(prefix) && f.attribute === attribute)!;
    expect(by("aws_security_group.security-groups_rds_", "ingress").message).toMatch(/ingress rule added 22\/tcp ← 0\.0\.0\.0\/0/);
    expect(by("aws_ecs_service.service_", "desired_count")).toMatchObject({ severity: "info", rule: "review/drift/expected", before: "1", after: "2" });
    expect(by("aws_cloudwatch_log_group.logs_group_", "retention_in_days")).toMatchObject({ severity: "warn", rule: "review/drift/reverted", before: "30", after: "1" });
    expect(by("aws_cloudwatch_log_group.logs_group_", "retention_in_days").message).toMatch(/this plan sets it back to 30/);
  });

  test("a real create_before_destroy replacement (the target group): [\"create\",\"delete\"], one replace, no danger", () => {
    const r = review("target-group-port");
    const tg = r.changes.find((c) => c.address.startsWith("aws_lb_target_group."))!;
    expect(tg).toMatchObject({ action: "replace", order: "create-before-destroy" });
    expect(loadFixtureCase("target-group-port").plan.resource_changes.find((c: any) => c.address === tg.address).change.actions).toEqual(["create", "delete"]);
    expect(r.counts.replace).toBe(1);
    expect(renderMarkdown([r])).toContain(`- replace (create-before-destroy) \`${tg.address}\``);
  });

  test("create_before_destroy vs delete-before-create: the order is in the danger message and the change list", () => {
    const c = loadFixtureCase("db-replace");
    const address = dbAddress(review("db-replace"))!;
    expect(review("db-replace").findings[0].message).toMatch(/destroyed before the new one exists/);
    const plan = JSON.parse(JSON.stringify(c.plan));
    plan.resource_changes.find((rc: any) => rc.address === address).change.actions = ["create", "delete"];
    const r = reviewPlan({ plan, source: "cbd", stackJson: c.stackJson });
    expect(r.findings[0].message).toMatch(/created before the old one is destroyed \(create_before_destroy\)/);
    expect(r.changes).toContainEqual({ address, action: "replace", order: "create-before-destroy" });
    expect(r.counts.replace).toBe(review("db-replace").counts.replace);
  });

  test("[\"create\",\"forget\"]: the old object is forgotten, not destroyed: no data loss, a state warning", () => {
    const c = loadFixtureCase("db-replace");
    const address = dbAddress(review("db-replace"))!;
    const plan = JSON.parse(JSON.stringify(c.plan));
    plan.resource_changes.find((rc: any) => rc.address === address).change.actions = ["create", "forget"];
    const r = reviewPlan({ plan, source: "create-forget", stackJson: c.stackJson });
    expect(r.findings.filter((f) => f.address === address).map((f) => [f.severity, f.kind])).toEqual([["warn", "state"]]);
    expect(r.findings.find((f) => f.address === address)!.message).toMatch(/^A new one is created and the old one is forgotten: it stays in AWS/);
  });

  test("deferred changes: counted apart, listed with their reason, an info finding (Terraform 1.11 writes them only with -allow-deferral, so the entry is added to a real plan)", () => {
    const c = loadFixtureCase("zenml-version");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const td = plan.resource_changes.find((rc: any) => rc.type === "aws_ecs_task_definition");
    plan.deferred_changes = [{ reason: "provider_config_unknown", resource_change: { ...td, address: "aws_ecs_task_definition.later", name: "later" } }];
    const r = reviewPlan({ plan, source: "deferred", stackJson: c.stackJson });
    expect(r.counts.deferred).toBe(1);
    expect(r.counts.replace).toBe(review("zenml-version").counts.replace);
    expect(r.findings.find((f) => f.address === "aws_ecs_task_definition.later")).toMatchObject({ severity: "info", kind: "state", rule: "review/state/deferred" });
    expect(r.findings.find((f) => f.address === "aws_ecs_task_definition.later")!.message).toMatch(/its provider's configuration is known only after apply/);
    expect(r.changes).toContainEqual(expect.objectContaining({ address: "aws_ecs_task_definition.later", deferred: "provider_config_unknown" }));
  });

  test("npm run drift on the drift fixture (a plan with refresh): exit 1, each change named, the expected one apart", () => {
    const { text, code } = runDrift([REVIEW_STACK, "--plan", path.join(REVIEW_FIXTURES_DIR, "drift", "plan.json"), "--out", path.join(REVIEW_FIXTURES_DIR, "base")]);
    expect(code).toBe(1);
    expect(text).toMatch(/^### Drift: `review`/);
    expect(text).toMatch(/desired_count.*expected: lifecycle\.ignore_changes lists desired_count/);
    expect(text).toMatch(/`retention_in_days` `30` → `1`/);
    expect(text).toMatch(/ingress rule added 22\/tcp ← 0\.0\.0\.0\/0/);
    // Read as a refresh-only plan: the same four changes (the next apply, not this plan, reverts them).
    expect(text.split("\n").filter((l) => l.includes("(drift)"))).toHaveLength(4);
    expect(text).toMatch(/retention_in_days 30 → 1; the next apply sets it back to 30/);
    const clean = runDrift([REVIEW_STACK, "--plan", path.join(REVIEW_FIXTURES_DIR, "zenml-version", "plan.json"), "--format", "json"]);
    expect([clean.code, JSON.parse(clean.text).stacks[0].findings]).toEqual([0, []]);
    expect(() => runDrift([])).toThrow(/give exactly one stack name/);
  });
});

/**
 * Each detector on an entry of a real plan edited the way the change would look (the matrix covers one
 * case per kind; these cover the other rules): before → after, the attribute, the message.
 */
describe("detectors on edited entries of the real plans", () => {
  /** Reviews `name` with the change at `prefix` edited by `edit` (becoming an update unless `edit` sets actions). */
  const edited = (name: string, prefix: string, edit: (rc: any) => void, stackEdit?: (stack: any) => void) => {
    const c = loadFixtureCase(name);
    const plan = JSON.parse(JSON.stringify(c.plan));
    const stackJson = JSON.parse(JSON.stringify(c.stackJson));
    const rc = plan.resource_changes.find((x: any) => x.address.startsWith(prefix));
    if (!rc) throw new Error(`${name}: no change ${prefix}*`);
    rc.change.actions = ["update"];
    rc.change.after = JSON.parse(JSON.stringify(rc.change.before));
    edit(rc);
    stackEdit?.(stackJson);
    return reviewPlan({ plan, source: "edited", stackJson }).findings.filter((f) => f.address === rc.address);
  };

  test("a new principal in a trust policy; an action widened to *", () => {
    const trust = edited("zenml-version", "aws_iam_role.database_monitoring-role_", (rc) => {
      const doc = JSON.parse(rc.change.after.assume_role_policy);
      doc.Statement[0].Principal.AWS = "arn:aws:iam::999999999999:root";
      rc.change.after.assume_role_policy = JSON.stringify(doc);
    });
    expect(trust).toEqual([expect.objectContaining({ severity: "warn", kind: "security", attribute: "assume_role_policy" })]);
    expect(trust[0].message).toMatch(/new principal in the trust policy: AWS:arn:aws:iam::999999999999:root/);
    const action = edited("zenml-version", "aws_iam_role_policy.network_flow-log-policy_", (rc) => {
      const doc = JSON.parse(rc.change.after.policy);
      doc.Statement[0].Action = "*";
      rc.change.after.policy = JSON.stringify(doc);
    });
    expect(action.map((f) => [f.kind, f.attribute])).toContainEqual(["security", "policy"]);
    expect(action.find((f) => f.kind === "security")!.message).toMatch(/Action widened to \*/);
  });

  test("ingress: IPv6 ::/0 added, a new port, an inline rule, aws_vpc_security_group_ingress_rule", () => {
    const v6 = edited("zenml-version", "aws_security_group_rule.security-groups_alb-in-http_", (rc) => (rc.change.after.ipv6_cidr_blocks = ["::/0"]));
    expect(v6).toEqual([expect.objectContaining({ kind: "security", attribute: "ipv6_cidr_blocks" })]);
    expect(v6[0].message).toMatch(/80\/tcp from ::\/0 \(the whole internet\)/);
    const port = edited("zenml-version", "aws_security_group_rule.security-groups_alb-in-https_", (rc) => (rc.change.after.from_port = rc.change.after.to_port = 8443));
    expect(port[0].message).toMatch(/8443\/tcp from 0\.0\.0\.0\/0/);
    const inline = edited("zenml-version", "aws_security_group.security-groups_alb_", (rc) => {
      rc.change.after.ingress = [{ from_port: 22, to_port: 22, protocol: "tcp", cidr_blocks: ["10.0.0.0/8"], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false, description: "" }];
    });
    expect(inline).toEqual([expect.objectContaining({ attribute: "ingress", after: "22/tcp ← 10.0.0.0/8" })]);
    const c = loadFixtureCase("zenml-version");
    const plan = JSON.parse(JSON.stringify(c.plan));
    plan.resource_changes.push({ address: "aws_vpc_security_group_ingress_rule.x", mode: "managed", type: "aws_vpc_security_group_ingress_rule", name: "x", change: { actions: ["create"], before: null, after: { from_port: 5432, to_port: 5432, ip_protocol: "tcp", cidr_ipv6: "2001:db8::/32" }, after_unknown: { id: true }, before_sensitive: false, after_sensitive: {} } });
    const f = reviewPlan({ plan, source: "edited" }).findings.find((x) => x.address === "aws_vpc_security_group_ingress_rule.x");
    expect(f).toMatchObject({ attribute: "cidr_ipv6", after: "5432/tcp ← 2001:db8::/32" });
  });

  test("protections switched off: storage encryption, TLS policy", () => {
    const enc = edited("db-instance-class", "aws_db_instance.", (rc) => (rc.change.after.storage_encrypted = false));
    expect(enc.filter((f) => f.kind === "security")).toEqual([expect.objectContaining({ attribute: "storage_encrypted", before: "true", after: "false" })]);
    const tls = edited("zenml-version", "aws_lb_listener.load-balancer_https_", (rc) => (rc.change.after.ssl_policy = "ELBSecurityPolicy-2016-08"));
    expect(tls).toEqual([expect.objectContaining({ attribute: "ssl_policy", before: "ELBSecurityPolicy-TLS13-1-2-2021-06", after: "ELBSecurityPolicy-2016-08" })]);
  });

  test("task definition: a secret's version pin changed (warn), env changes shown, secret-named values hidden", () => {
    const findings = edited("zenml-version", "aws_ecs_task_definition.", (rc) => {
      rc.change.actions = ["delete", "create"];
      const defs = JSON.parse(rc.change.after.container_definitions);
      const server = defs.find((d: any) => d.name === "zenml-server");
      const jwt = server.secrets.find((x: any) => x.name === "ZENML_SERVER_JWT_SECRET_KEY");
      jwt.valueFrom = jwt.valueFrom.replace(/:::.*$/, ":::terraform-99999999999999999999999999");
      server.environment.find((e: any) => e.name === "ZENML_LOGGING_VERBOSITY").value = "DEBUG";
      server.environment.push({ name: "ZENML_NEW_API_TOKEN", value: "not-to-be-shown" });
      rc.change.after.container_definitions = JSON.stringify(defs);
    });
    const secret = findings.find((f) => f.kind === "security")!;
    expect(secret).toMatchObject({ severity: "warn", attribute: "container_definitions.zenml-server.secrets.ZENML_SERVER_JWT_SECRET_KEY", after: expect.stringMatching(/:::terraform-9+$/) });
    const rollout = findings.find((f) => f.kind === "rollout")!.message;
    expect(rollout).toMatch(/zenml-server: env changed ZENML_LOGGING_VERBOSITY INFO → DEBUG/);
    expect(rollout).toMatch(/env added ZENML_NEW_API_TOKEN=\(hidden\)/);
    expect(rollout).not.toContain("not-to-be-shown");
  });

  test("deleting the state bucket: danger, why, and what refuses it", () => {
    const f = edited(
      "zenml-version",
      "aws_s3_bucket.load-balancer_access-logs_bucket_",
      (rc) => {
        rc.change.actions = ["delete"];
        rc.change.after = null;
        rc.action_reason = "delete_because_no_resource_config";
        rc.change.before.bucket = "mycompany-zenml-tfstate";
      },
      (stack) => (Object.values(stack.resource.aws_s3_bucket)[0] as any).lifecycle = { prevent_destroy: true },
    );
    expect(f).toEqual([expect.objectContaining({ severity: "danger", kind: "data-loss", action: "delete" })]);
    expect(f[0].message).toMatch(/it was removed from the configuration.*REFUSED: lifecycle\.prevent_destroy.*This is the Terraform state bucket/);
  });
});

describe("sensitive values never reach the output (canaries)", () => {
  const CANARY = "canary-7f3d9a1c-do-not-print";
  const outputs = (r: StackReview) => renderMarkdown([r]) + renderJson([r]);

  test("a sensitive forcing attribute: reported by name with (sensitive), the value nowhere", () => {
    const c = loadFixtureCase("db-replace");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const db = plan.resource_changes.find((rc: any) => rc.address === dbAddress(review("db-replace")));
    db.change.before.db_name = `${CANARY}-before`;
    db.change.after.db_name = `${CANARY}-after`;
    db.change.before_sensitive = { ...db.change.before_sensitive, db_name: true };
    db.change.after_sensitive = { ...db.change.after_sensitive, db_name: true };
    const r = reviewPlan({ plan, source: "canary", stackJson: c.stackJson, baseStackJson: c.baseStackJson });
    expect(r.findings[0]).toMatchObject({ severity: "danger", attribute: "db_name", before: "(sensitive)", after: "(sensitive)" });
    expect(outputs(r)).not.toContain(CANARY);
  });

  test("sensitive container definitions are not parsed; a secret-named plain env var is hidden", () => {
    const c = loadFixtureCase("zenml-version");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const td = plan.resource_changes.find((rc: any) => rc.type === "aws_ecs_task_definition");
    const defs = JSON.parse(td.change.after.container_definitions);
    defs[defs.length - 1].environment.push({ name: "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET", value: CANARY });
    td.change.after.container_definitions = JSON.stringify(defs);
    const hidden = reviewPlan({ plan, source: "canary", stackJson: c.stackJson });
    expect(outputs(hidden)).toContain("ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET=(hidden)");
    expect(outputs(hidden)).not.toContain(CANARY);
    td.change.after_sensitive = { ...td.change.after_sensitive, container_definitions: true };
    const sensitive = reviewPlan({ plan, source: "canary", stackJson: c.stackJson });
    expect(sensitive.findings.find((f) => f.address === td.address)?.message).toMatch(/sensitive, not shown/);
    expect(outputs(sensitive)).not.toContain(CANARY);
  });

  test("a sensitive IAM policy or ingress rule is not read", () => {
    const c = loadFixtureCase("iam-wildcard");
    const plan = JSON.parse(JSON.stringify(c.plan));
    const rc = plan.resource_changes.find((x: any) => x.address.startsWith("aws_iam_role_policy.network_flow-log-policy_"));
    rc.change.after.policy = rc.change.after.policy.replace('"*"', `"${CANARY}","*"`);
    rc.change.after_sensitive = { ...rc.change.after_sensitive, policy: true };
    const r = reviewPlan({ plan, source: "canary", stackJson: c.stackJson });
    expect(r.findings.some((f) => f.kind === "security" && f.address === rc.address)).toBe(false);
    expect(outputs(r)).not.toContain(CANARY);
  });
});

describe("rendering", () => {
  test("Markdown: danger first, every summary under 40 lines before the collapsed plan", () => {
    for (const [name, r] of reviews) {
      const md = renderMarkdown([r]);
      const before = md.slice(0, md.indexOf("<details>")).trimEnd().split("\n");
      expect([name, before.length <= MAX_SUMMARY_LINES && MAX_SUMMARY_LINES < 40]).toEqual([name, true]);
    }
    const md = renderMarkdown([review("db-replace")]);
    const danger = md.indexOf("Danger: data loss");
    expect(danger).toBeGreaterThan(0);
    expect(danger).toBeLessThan(md.indexOf("Rollout, state, drift and cost"));
    expect(md.split("\n").slice(0, 8).join("\n")).toContain("`db_name` `zenml_hybrid` → `zenml_renamed`");
  });

  test("a long list is cut to the budget, never dropping a danger finding", () => {
    const r = review("db-replace");
    const many = { ...r, findings: [...r.findings, ...Array.from({ length: 60 }, (_, i) => ({ ...r.findings[1], address: `aws_x.y${i}` }))] };
    const md = renderMarkdown([many]);
    const before = md.slice(0, md.indexOf("<details>")).trimEnd().split("\n");
    expect(before.length).toBeLessThanOrEqual(MAX_SUMMARY_LINES);
    expect(md).toContain("Danger: data loss");
    expect(before[before.length - 3]).toMatch(/^- … 33 more findings \(in the full report\)$/);
    expect(before[before.length - 1]).toMatch(/^\*\*Cut to fit:\*\* 33 findings left out\. The full report: /);
    // Uncut (the job summary): every finding listed, no note.
    const full = renderMarkdown([many], () => undefined, { maxChars: 0 });
    expect(full).not.toContain("Cut to fit");
    for (let i = 0; i < 60; i++) expect(full).toContain(`\`aws_x.y${i}\``);
  });

  test("JSON follows the documented schema", () => {
    const report = JSON.parse(renderJson([...reviews.values()]));
    expect(report.version).toBe(1);
    for (const s of report.stacks) {
      expect(Object.keys(s.counts).sort()).toEqual(["create", "deferred", "delete", "drift", "forget", "import", "move", "no-op", "replace", "update"]);
      for (const f of s.findings) {
        expect(SEVERITIES).toContain(f.severity);
        expect(KINDS).toContain(f.kind);
        expect(typeof f.address).toBe("string");
        expect(["create", "update", "replace", "delete", "forget", "no-op", "read"]).toContain(f.action);
        expect(typeof f.message).toBe("string");
      }
      const order = s.findings.map((f: { severity: string }) => SEVERITIES.indexOf(f.severity as never));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  test("docs/policy.md shows the current rendering of the \"replace the database\" fixture", () => {
    const docs = fs.readFileSync(DOCS_FILE, "utf8");
    expect(docs).toBe(docsWithExample(docs));
    expect(docs).toContain("Danger: data loss");
  });
});

describe("CLI", () => {
  const dir = tempDir("review-cli-");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const fixture = (name: string) => path.join(REVIEW_FIXTURES_DIR, name, "plan.json");
  const base = path.join(REVIEW_FIXTURES_DIR, "base");

  test("--format json with --base; --fail-on danger exits 1 on a replaced DB and 0 on a NAT change", () => {
    const db = runReview([fixture("db-replace"), "--format", "json", "--base", base, "--fail-on", "danger"]);
    expect(db.code).toBe(1);
    const parsed = JSON.parse(db.text);
    expect(parsed.stacks[0]).toMatchObject({ stack: REVIEW_STACK, counts: { replace: expect.any(Number) }, cost: { delta: 0 } });
    const nat = runReview([fixture("nat-per-az"), "--base", base, "--fail-on", "danger"]);
    expect(nat.code).toBe(0);
    expect(nat.text).toMatch(/cost: \+\$\d+\.\d\d\/month/);
    expect(runReview([fixture("db-replace"), fixture("nat-per-az")]).text.match(/### Plan review/g)).toHaveLength(2);
  });

  test("a plan.txt next to the plan is the collapsed full plan", () => {
    const copy = path.join(dir, "stack");
    fs.mkdirSync(copy, { recursive: true });
    fs.copyFileSync(fixture("zenml-version"), path.join(copy, "plan.json"));
    fs.copyFileSync(path.join(REVIEW_FIXTURES_DIR, "zenml-version", "cdk.tf.json"), path.join(copy, "cdk.tf.json"));
    fs.writeFileSync(path.join(copy, "plan.txt"), "Terraform will perform the following actions:\nPlan: 1 to add, 1 to change, 1 to destroy.\n");
    const md = runReview([path.join(copy, "plan.json")]).text;
    expect(md.slice(md.indexOf("<details>"))).toContain("Plan: 1 to add, 1 to change, 1 to destroy.");
  });

  test("bad input: exit 2 with the file and what is expected; nothing on stdout", () => {
    const notPlan = path.join(dir, "cdk.tf.json");
    fs.writeFileSync(notPlan, JSON.stringify({ resource: {} }));
    const r = spawnSync(process.execPath, [path.join(ROOT, "dist", "scripts", "review.js"), notPlan], { encoding: "utf8" });
    expect([r.status, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/cdk\.tf\.json: not a plan \(expected the output of terraform show -json/);
    for (const [args, message] of [
      [[path.join(dir, "missing.json")], /missing\.json: no such file/],
      [[fixture("db-replace"), "--format", "yaml"], /--format must be one of markdown, json, sarif, got "yaml"/],
      [[fixture("db-replace"), "--max-chars", "12"], /--max-chars must be 0 \(no limit\) or a whole number of at least 2000/],
      [[fixture("db-replace"), "--fail-on", "sometimes"], /--fail-on must be/],
      [[fixture("db-replace"), "--colour"], /unknown option --colour/],
      [[], /give at least one plan JSON file/],
    ] as const) {
      expect(() => runReview(args)).toThrow(message);
    }
    // An action list Terraform does not write is bad input, never read as a no-op.
    const odd = JSON.parse(fs.readFileSync(fixture("zenml-version"), "utf8"));
    odd.resource_changes[0].change.actions = ["delete", "update"];
    fs.writeFileSync(path.join(dir, "odd.json"), JSON.stringify(odd));
    expect(() => runReview([path.join(dir, "odd.json")])).toThrow(/odd\.json: unknown plan action list \[delete, update\]/);
    // A plan without changes omits resource_changes (jsonplan omitempty): still a plan.
    const { resource_changes: _rc, ...empty } = odd;
    fs.writeFileSync(path.join(dir, "empty.json"), JSON.stringify(empty));
    expect(runReview([path.join(dir, "empty.json"), "--format", "json"]).code).toBe(0);
  });
});
