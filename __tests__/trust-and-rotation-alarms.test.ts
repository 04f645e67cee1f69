/**
 * Roles that can't be borrowed and a failed rotation that pages (issue 17, items 3 and 4): the
 * confused-deputy conditions on every service role of every shipped and example stack, the
 * providers' allowed_account_ids, ZNIAM7 in both packs on real stacks with the conditions removed,
 * and the rotation-failure alarms.
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { AnyConfig } from "../lib/config/schema";
import { evaluate, failures } from "../lib/policy/engine";
import { loadInput } from "../lib/policy/load";
import { ROTATION_ALARM_KEYS } from "../modules/credential-rotation";
import { addressOf, CONFIG_DIR, configFrom, only, resources, ROOT, shippedFile, StackJson, synthAll, tempDir } from "./helpers";
import { denyAll, stopOpa } from "./rego";

const ACCOUNT = "${data.aws_caller_identity.account.account_id}";

/** Every config directory that ships: config/ and each examples/<name>/config. */
const CONFIG_DIRS = [
  CONFIG_DIR,
  ...fs.readdirSync(path.join(ROOT, "examples")).map((d) => path.join(ROOT, "examples", d, "config")).filter((d) => fs.existsSync(d)),
];
const shipped: { dir: string; configs: AnyConfig[]; stacks: Record<string, StackJson> }[] = CONFIG_DIRS.map((dir) => {
  const configs = loadEnvironments(dir);
  return { dir: path.relative(ROOT, dir), configs, stacks: synthAll(configs) };
});
afterAll(() => stopOpa());

/** A trust policy's statements: a policy-document reference (data source blocks) or literal JSON. */
function trustStatements(stack: StackJson, policy: string): { principals: any[]; condition: any[] }[] {
  const ref = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policy);
  if (ref) return stack.data.aws_iam_policy_document[ref[1]].statement.map((s: any) => ({ principals: s.principals ?? [], condition: s.condition ?? [] }));
  return JSON.parse(policy).Statement.map((s: any) => ({
    principals: Object.entries(s.Principal ?? {}).map(([type, ids]) => ({ type, identifiers: [ids].flat() })),
    condition: Object.entries(s.Condition ?? {}).flatMap(([test, vars]: [string, any]) =>
      Object.entries(vars).map(([variable, values]) => ({ test, variable, values: [values].flat() })),
    ),
  }));
}

/** `${type.name.attr}` of the resource of `type` whose `attribute` references the role `roleAddress`. */
function userOf(stack: StackJson, type: string, attribute: string, roleAddress: string): { body: any; address: string } {
  const users = resources(stack, type).filter((r) => r[attribute] === `\${${roleAddress}.arn}`);
  if (users.length !== 1) throw new Error(`expected one ${type} whose ${attribute} is ${roleAddress}.arn, found ${users.length}`);
  return { body: users[0], address: addressOf(stack, type, users[0]) };
}

/**
 * The aws:SourceArn each service's role must carry (undefined: aws:SourceAccount only), derived from
 * the resource that really uses the role, so a constructed ARN must equal that resource's ARN.
 * A service missing here fails the test: decide what AWS documents for it first.
 */
const EXPECTED_SOURCE_ARN: Record<string, (stack: StackJson, role: string, region: string) => string | undefined> = {
  "ecs-tasks.amazonaws.com": (_s, _r, region) => `arn:aws:ecs:${region}:${ACCOUNT}:*`,
  "states.amazonaws.com": (s, role, region) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${userOf(s, "aws_sfn_state_machine", "role_arn", role).body.name}`,
  "events.amazonaws.com": (s, role) => {
    const target = userOf(s, "aws_cloudwatch_event_target", "role_arn", role).body;
    const rule = resources(s, "aws_cloudwatch_event_rule").find((r) => target.rule === `\${${addressOf(s, "aws_cloudwatch_event_rule", r)}.name}`);
    return `\${${addressOf(s, "aws_cloudwatch_event_rule", rule)}.arn}`;
  },
  "monitoring.rds.amazonaws.com": (s, role, region) => `arn:aws:rds:${region}:${ACCOUNT}:db:${userOf(s, "aws_db_instance", "monitoring_role_arn", role).body.identifier}`,
  "vpc-flow-logs.amazonaws.com": (s, role, region) => {
    userOf(s, "aws_flow_log", "iam_role_arn", role);
    return `arn:aws:ec2:${region}:${ACCOUNT}:vpc-flow-log/*`;
  },
  // AWS Backup documents aws:SourceArn only for resource policies (the vault), not for its service role.
  "backup.amazonaws.com": (s, role) => {
    expect(resources(s, "aws_backup_selection").map((b) => b.iam_role_arn)).toContain(`\${${role}.arn}`);
    return undefined;
  },
};

describe("every service role of every shipped and example stack is scoped to its account (and resource)", () => {
  const checked = new Set<string>();
  const cases = shipped.flatMap(({ dir, configs, stacks }) =>
    configs.flatMap((c) =>
      Object.entries(stacks[c.envName].resource.aws_iam_role ?? {}).map(([name, role]) => [`${dir} ${c.envName} ${role.name}`, stacks[c.envName], `aws_iam_role.${name}`, role, c.region] as const),
    ),
  );

  test.each(cases)("%s", (_label, stack, address, role, region) => {
    for (const s of trustStatements(stack, role.assume_role_policy)) {
      const services: string[] = s.principals.filter((p) => p.type === "Service").flatMap((p) => p.identifiers);
      for (const service of services) {
        checked.add(service);
        expect(Object.keys(EXPECTED_SOURCE_ARN)).toContain(service);
        const sourceArn = EXPECTED_SOURCE_ARN[service](stack, address, region);
        expect(s.condition).toEqual([
          { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
          ...(sourceArn ? [{ test: "ArnLike", variable: "aws:SourceArn", values: [sourceArn] }] : []),
        ]);
      }
    }
  });

  test("the stacks hold service roles of all six services (the table above is not dead)", () => {
    expect(cases.length).toBeGreaterThan(20);
    expect([...checked].sort()).toEqual(Object.keys(EXPECTED_SOURCE_ARN).sort());
  });
});

describe("ZNIAM7 fails the shipped stacks when the conditions are removed, in both packs", () => {
  const prod = shipped[0].stacks.prod;
  /** prod's synthesized JSON with every condition of every policy document removed. */
  const stripped = JSON.parse(prod.raw);
  for (const d of Object.values(stripped.data.aws_iam_policy_document) as any[]) for (const s of d.statement) delete s.condition;
  const serviceRoleDocs = Object.entries(prod.data.aws_iam_policy_document)
    .filter(([, d]) => d.statement.some((s: any) => (s.principals ?? []).some((p: any) => p.type === "Service") && s.actions.includes("sts:AssumeRole")))
    .map(([name]) => `data.aws_iam_policy_document.${name}`)
    .sort();

  test("prod has six service trust documents (tasks, flow logs, monitoring, states, events, backup)", () => {
    expect(serviceRoleDocs).toHaveLength(6);
  });

  test("TypeScript pack: ZNIAM7 on exactly those documents, and none on the conditioned stack", () => {
    const work = tempDir("zenml-znaim7-");
    try {
      const run = (doc: unknown, name: string) => {
        const file = path.join(work, name, "cdk.tf.json");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(doc));
        return failures(evaluate([loadInput(file)])).filter((f) => f.rule.id === "ZNIAM7").map((f) => f.resource.address).sort();
      };
      expect(run(stripped, "stripped")).toEqual(serviceRoleDocs);
      expect(run(JSON.parse(prod.raw), "shipped")).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test("Rego pack: the same documents", async () => {
    const [bare, full] = await denyAll([{ document: stripped }, { document: JSON.parse(prod.raw) }]);
    const addresses = (msgs: string[]) => [...new Set(msgs.filter((m) => m.startsWith("ZNIAM7 ")).map((m) => /^ZNIAM7 ([^ :]+)/.exec(m)![1]))].sort();
    expect(addresses(bare)).toEqual(serviceRoleDocs);
    expect(addresses(full)).toEqual([]);
  });
});

describe("every provider only accepts the file's allowedAccountIds", () => {
  test.each(shipped.flatMap(({ dir, configs, stacks }) => configs.map((c) => [`${dir} ${c.envName}`, c, stacks[c.envName]] as const)))(
    "%s",
    (_label, c, stack) => {
      expect(stack.provider.aws.length).toBeGreaterThan(0);
      for (const p of stack.provider.aws) expect([p.alias ?? "default", p.allowed_account_ids]).toEqual([p.alias ?? "default", c.allowedAccountIds]);
    },
  );

  test("prod's DR-region provider carries them too", () => {
    const dr = shipped[0].stacks.prod.provider.aws.find((p: any) => p.alias === "dr");
    expect(dr.allowed_account_ids).toEqual(["123456789012"]);
  });

  test("a DR provider in a dev variant with allowedAccountIds; the bootstrap stack's providers take the union when every file names its accounts", () => {
    const dev = shippedFile("dev");
    dev.allowedAccountIds = ["111111111111"];
    dev.database = { ...dev.database, backupReplication: true, backupReplicationRegion: "eu-west-1" };
    const prod = { ...shippedFile("prod"), allowedAccountIds: ["222222222222"], state: { ...shippedFile("prod").state, bucket: "other-tfstate", region: "eu-west-1" } };
    const stacks = synthAll([configFrom(dev, "dev"), configFrom(prod, "prod")]);
    expect(stacks.dev.provider.aws.map((p: any) => [p.alias ?? "default", p.allowed_account_ids])).toEqual([
      ["default", ["111111111111"]],
      ["dr", ["111111111111"]],
    ]);
    const bootstrap = stacks["state-bootstrap"].provider.aws;
    expect(bootstrap.length).toBe(2);
    for (const p of bootstrap) expect(p.allowed_account_ids).toEqual(["111111111111", "222222222222"]);
    // One file without allowedAccountIds may be applied anywhere, so the bootstrap stack may too.
    const open = synthAll([configFrom(shippedFile("dev"), "dev"), configFrom(prod, "prod")])["state-bootstrap"].provider.aws;
    for (const p of open) expect(p.allowed_account_ids).toBeUndefined();
  });
});

describe("a failed rotation redeploy pages", () => {
  const names: Record<(typeof ROTATION_ALARM_KEYS)[number], [string, string]> = {
    "db-rotation-failed": ["AWS/States", "ExecutionsFailed"],
    "db-rotation-timed-out": ["AWS/States", "ExecutionsTimedOut"],
    "db-rotation-aborted": ["AWS/States", "ExecutionsAborted"],
    "db-rotation-failed-invocations": ["AWS/Events", "FailedInvocations"],
  };

  test.each(["dev", "prod"])("%s: four alarms on the state machine's ARN and the rule's name, notifying the alarm topic", (env) => {
    const stack = shipped[0].stacks[env];
    const n = env === "dev" ? "zenml-hybrid-dev" : "zenml-hybrid";
    const machine = `\${${addressOf(stack, "aws_sfn_state_machine", only(stack, "aws_sfn_state_machine"))}.arn}`;
    const rule = `\${${addressOf(stack, "aws_cloudwatch_event_rule", only(stack, "aws_cloudwatch_event_rule"))}.name}`;
    const topic = `\${${addressOf(stack, "aws_sns_topic", only(stack, "aws_sns_topic"))}.arn}`;
    for (const key of ROTATION_ALARM_KEYS) {
      const alarms = resources(stack, "aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name === `${n}-${key}`);
      expect(alarms).toHaveLength(1);
      const [namespace, metric] = names[key];
      expect(alarms[0]).toMatchObject({
        namespace,
        metric_name: metric,
        // The default event bus: RuleName only (EventBusName is for custom buses).
        dimensions: namespace === "AWS/States" ? { StateMachineArn: machine } : { RuleName: rule },
        statistic: "Sum",
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        evaluation_periods: 1,
        treat_missing_data: "notBreaching",
        alarm_actions: [topic],
        ok_actions: [topic],
      });
    }
  });

  test("their names derive from the environment's name", () => {
    const doc = shippedFile("prod");
    doc.name = "acme-ml";
    const alarms = resources(synthAll([configFrom(doc, "prod")]).prod, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(alarms.filter((a: string) => a.includes("rotation")).sort()).toEqual(ROTATION_ALARM_KEYS.map((k) => `acme-ml-${k}`).sort());
  });
});
