/**
 * The plan-review scenario (`npm run review`, issue 16): applies the review stack (e2e/review/config,
 * a dev-preset workspace with an alarm e-mail and a deploy-time OAuth2 secret) on moto once, then for
 * each change of the matrix writes a second version of the stack, runs `terraform plan -out` and
 * `terraform show -json` against the applied state, and asserts the review of that real plan: exactly
 * the expected findings (kind, severity, address, attribute). A canary OAuth2 client secret passed as
 * TF_VAR_… is in no plan and no review. With REVIEW_FIXTURES_UPDATE=1 the plans (masked, trimmed) and
 * the head stacks are written to __tests__/fixtures/review/ for the unit tests.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Finding, StackReview } from "../scripts/review/model";
import { renderJson, renderMarkdown } from "../scripts/review/render";
import { reviewPlan } from "../scripts/review/review";
import { createFixtures, readConfigDir, RawConfig, writeConfigDir } from "./fixtures";
import { checkPrerequisites, log, MotoServer, readStack, Aws, StackDir, StackJson, synth, workDir, writeEmulatorOverride } from "./harness";
import { maskVolatile, REGENERATE_COMMAND, REVIEW_CONFIG_DIR, REVIEW_FIXTURES_DIR, REVIEW_MANIFEST, REVIEW_STACK, ReviewFixtureManifest, stackHash, trimPlan } from "./review-fixtures";

/** A finding as the scenario expects it: address given by its type and construct-name prefix (the hash suffix may change). */
export interface ExpectedFinding {
  readonly severity: Finding["severity"];
  readonly kind: Finding["kind"];
  /** `type.namePrefix`: matches an address `type.namePrefix<anything>`. */
  readonly address: string;
  readonly attribute?: string;
}

/** One change of the matrix. */
export interface ReviewCase {
  readonly name: string;
  readonly description: string;
  /** How the second version is made (recorded in the manifest). */
  readonly how: string;
  /** Edits the environment file (then synth). */
  readonly config?: (c: RawConfig) => void;
  /** Edits the synthesized JSON, for changes no configuration produces. */
  readonly patch?: (stack: StackJson) => void;
  readonly expected: readonly ExpectedFinding[];
}

const byPrefix = (section: Record<string, Record<string, any>> | undefined, type: string, prefix: string): string => {
  const names = Object.keys(section?.[type] ?? {}).filter((n) => n.startsWith(prefix));
  if (names.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${names.length}`);
  return names[0];
};

/** The matrix of issue 16. */
export const REVIEW_CASES: readonly ReviewCase[] = [
  {
    name: "zenml-version",
    description: "bump zenml.version 0.84.3 → 0.85.0",
    how: "config: zenml.version",
    config: (c) => (c.zenml.version = "0.85.0"),
    expected: [
      { severity: "info", kind: "rollout", address: "aws_ecs_task_definition.service_task_", attribute: "container_definitions" },
      { severity: "info", kind: "rollout", address: "aws_ecs_service.service_", attribute: "task_definition" },
    ],
  },
  {
    name: "db-instance-class",
    description: "change the DB instance class db.t3.micro → db.t3.small",
    how: "config: database.instanceClass",
    config: (c) => (c.database = { ...(c.database ?? {}), instanceClass: "db.t3.small" }),
    expected: [
      { severity: "info", kind: "rollout", address: "aws_db_instance.database_instance_", attribute: "instance_class" },
      { severity: "info", kind: "cost", address: "review" },
    ],
  },
  {
    name: "db-replace",
    description: "rename the initial database (database.databaseName): forces a new DB instance",
    how: "config: database.databaseName",
    config: (c) => (c.database = { ...(c.database ?? {}), databaseName: "zenml_renamed" }),
    expected: [
      { severity: "danger", kind: "data-loss", address: "aws_db_instance.database_instance_", attribute: "db_name" },
      { severity: "info", kind: "rollout", address: "aws_ecs_task_definition.service_task_", attribute: "container_definitions" },
      { severity: "info", kind: "rollout", address: "aws_ecs_service.service_", attribute: "task_definition" },
    ],
  },
  {
    name: "sg-mysql-world",
    description: "add an ingress rule 3306 ← 0.0.0.0/0 to the RDS security group",
    how: "patched synthesized JSON: a new aws_security_group_rule (no configuration produces one)",
    patch: (stack) => {
      const rds = byPrefix(stack.resource, "aws_security_group", "security-groups_rds_");
      stack.resource!.aws_security_group_rule["review-case_rds-in-world"] = {
        type: "ingress",
        protocol: "tcp",
        from_port: 3306,
        to_port: 3306,
        cidr_blocks: ["0.0.0.0/0"],
        description: "MySQL from anywhere (review e2e case)",
        security_group_id: `\${aws_security_group.${rds}.id}`,
      };
    },
    expected: [
      { severity: "warn", kind: "security", address: "aws_security_group_rule.review-case_rds-in-world", attribute: "cidr_blocks" },
      { severity: "warn", kind: "policy", address: "aws_security_group_rule.review-case_rds-in-world" },
    ],
  },
  {
    name: "iam-wildcard",
    description: "add a `*` resource to the flow-log role's IAM policy",
    how: "patched synthesized JSON: \"*\" appended to the resources of the flow-log policy document's first statement",
    patch: (stack) => {
      const doc = stack.data!.aws_iam_policy_document[byPrefix(stack.data, "aws_iam_policy_document", "network_flow-log-write_")];
      const statements = Array.isArray(doc.statement) ? doc.statement : [doc.statement];
      statements[0].resources = [...statements[0].resources, "*"];
    },
    expected: [
      { severity: "warn", kind: "security", address: "aws_iam_role_policy.network_flow-log-policy_", attribute: "policy" },
      { severity: "warn", kind: "policy", address: "aws_iam_role_policy.network_flow-log-policy_" },
    ],
  },
  {
    name: "nat-per-az",
    description: "switch natGatewayPerAz on (network.natGateways = perAz)",
    how: "config: network.natGateways",
    config: (c) => (c.network = { ...(c.network ?? {}), natGateways: "perAz" }),
    expected: [{ severity: "info", kind: "cost", address: "review" }],
  },
  {
    name: "alarm-email-removed",
    description: "remove the alarm e-mail (observability.alarmEmail)",
    how: "config: observability.alarmEmail removed",
    config: (c) => delete c.observability.alarmEmail,
    expected: [{ severity: "warn", kind: "security", address: "aws_sns_topic_subscription.alarms_email_" }],
  },
];

/** Whether the findings are exactly the expected ones (order-independent); the differences otherwise. */
export function compareFindings(actual: readonly Finding[], expected: readonly ExpectedFinding[]): string[] {
  const left = [...actual];
  const missing: ExpectedFinding[] = [];
  for (const e of expected) {
    const i = left.findIndex((f) => f.severity === e.severity && f.kind === e.kind && f.address.startsWith(e.address) && (e.attribute === undefined || f.attribute === e.attribute));
    if (i >= 0) left.splice(i, 1);
    else missing.push(e);
  }
  return [
    ...missing.map((e) => `missing: ${e.severity} ${e.kind} ${e.address}* ${e.attribute ?? ""}`),
    ...left.map((f) => `unexpected: ${f.severity} ${f.kind} ${f.address} ${f.attribute ?? ""}: ${f.message}`),
  ];
}

/** The scenario. */
export async function runReviewScenario(): Promise<void> {
  const prereqs = await checkPrerequisites();
  const dir = path.join(workDir(), "review");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start("review", path.join(dir, "moto.log"));
  const raw = readConfigDir(REVIEW_CONFIG_DIR)[REVIEW_STACK];
  const aws = new Aws(moto.endpoint, raw.region);
  const canary = `review-canary-${randomBytes(12).toString("hex")}`;
  const variable: string = raw.zenml.oauth2ClientSecretVariable;
  const update = process.env.REVIEW_FIXTURES_UPDATE === "1";
  const t0 = Date.now();
  try {
    // The hash of the unpatched synth: what the unit tests compare with their own synth.
    await synth(REVIEW_CONFIG_DIR, path.join(dir, "source-out"), path.join(dir, "synth.log"));
    const sourceHash = stackHash(readStack(path.join(dir, "source-out", "stacks", REVIEW_STACK)));

    const fixtures = await createFixtures(aws, REVIEW_CONFIG_DIR, [REVIEW_STACK], path.join(dir, "config"));
    const baseOut = path.join(dir, "base-out");
    await synth(fixtures.configDir, baseOut, path.join(dir, "synth.log"));
    const stackDir = path.join(baseOut, "stacks", REVIEW_STACK);
    const baseJsonText = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
    const tf = new StackDir("review", stackDir, moto, path.join(dir, "review.log"), { [`TF_VAR_${variable}`]: canary });
    writeEmulatorOverride(stackDir, moto.endpoint);
    await tf.terraformOk(["init", "-input=false", "-no-color"]);
    await tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]);
    log("review", `base stack applied in ${((Date.now() - t0) / 1000).toFixed(0)}s`);

    /** Plans the stack JSON currently in stackDir; returns the plan JSON text. */
    const plan = async (name: string): Promise<string> => {
      const file = `review-${name}.tfplan`;
      // -refresh=false: the state was just written by apply; the plan compares configuration with it
      // (real plans, no emulator re-reads, deterministic). -lock=false: plans only.
      await tf.terraformOk(["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color", `-out=${file}`]);
      const show = await tf.terraformOk(["show", "-json", "-no-color", file]);
      if (show.stdout.includes(canary)) throw new Error(`review: the canary OAuth2 client secret is in the plan of ${name}`);
      return show.stdout;
    };
    const review = (planText: string, headJson: unknown): StackReview =>
      reviewPlan({ plan: JSON.parse(planText), source: "plan.json", stackJson: headJson as Record<string, any>, baseStackJson: JSON.parse(baseJsonText) });

    const problems: string[] = [];
    const baseline = review(await plan("baseline"), JSON.parse(baseJsonText));
    if (baseline.findings.length > 0) problems.push(`baseline (no change): ${compareFindings(baseline.findings, []).join("; ")}`);

    const written: Array<{ name: string; plan: string; head: string }> = [];
    for (const c of REVIEW_CASES) {
      const caseDir = path.join(dir, "cases", c.name);
      let headText: string;
      if (c.config) {
        const config = JSON.parse(JSON.stringify(readConfigDir(fixtures.configDir)[REVIEW_STACK])) as RawConfig;
        c.config(config);
        writeConfigDir(fixtures.configDir, path.join(caseDir, "config"), { [REVIEW_STACK]: config });
        await synth(path.join(caseDir, "config"), path.join(caseDir, "out"), path.join(dir, "synth.log"));
        headText = fs.readFileSync(path.join(caseDir, "out", "stacks", REVIEW_STACK, "cdk.tf.json"), "utf8");
      } else {
        const json = JSON.parse(baseJsonText) as StackJson;
        c.patch!(json);
        headText = `${JSON.stringify(json, null, 2)}\n`;
      }
      fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), headText);
      const planText = await plan(c.name);
      fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), baseJsonText);
      const result = review(planText, JSON.parse(headText));
      const outputs = [renderMarkdown([result]), renderJson([result])];
      if (outputs.some((o) => o.includes(canary))) problems.push(`${c.name}: the canary is in the review output`);
      const diff = compareFindings(result.findings, c.expected);
      if (diff.length > 0) problems.push(`${c.name} (${c.description}):\n    ${diff.join("\n    ")}`);
      log("review", `${c.name}: ${result.findings.map((f) => `${f.severity}/${f.kind} ${f.address}${f.attribute ? ` [${f.attribute}]` : ""}`).join(", ")}`);
      fs.mkdirSync(caseDir, { recursive: true });
      fs.writeFileSync(path.join(caseDir, "review.md"), outputs[0]);
      fs.writeFileSync(path.join(caseDir, "plan.json"), planText);
      fs.writeFileSync(path.join(caseDir, "cdk.tf.json"), headText);
      written.push({ name: c.name, plan: planText, head: headText });
    }
    if (problems.length > 0) throw new Error(`review: the reviews of the matrix differ from the expected findings:\n  ${problems.join("\n  ")}`);

    if (update) {
      fs.rmSync(REVIEW_FIXTURES_DIR, { recursive: true, force: true });
      for (const w of written) {
        const out = path.join(REVIEW_FIXTURES_DIR, w.name);
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "plan.json"), `${maskVolatile(JSON.stringify(trimPlan(JSON.parse(w.plan))))}\n`);
        fs.writeFileSync(path.join(out, "cdk.tf.json"), `${maskVolatile(JSON.stringify(JSON.parse(w.head)))}\n`);
      }
      const base = path.join(REVIEW_FIXTURES_DIR, "base", "stacks", REVIEW_STACK);
      fs.mkdirSync(base, { recursive: true });
      fs.writeFileSync(path.join(base, "cdk.tf.json"), `${maskVolatile(JSON.stringify(JSON.parse(baseJsonText)))}\n`);
      const manifest: ReviewFixtureManifest = {
        baseStackSha256: sourceHash,
        regenerate: REGENERATE_COMMAND,
        terraform: prereqs.terraformVersion,
        cases: Object.fromEntries(REVIEW_CASES.map((c) => [c.name, { description: c.description, how: c.how }])),
      };
      fs.writeFileSync(REVIEW_MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
      log("review", `fixtures written to ${path.relative(process.cwd(), REVIEW_FIXTURES_DIR)} in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    }
  } finally {
    aws.close();
    await moto.stop();
  }
}
