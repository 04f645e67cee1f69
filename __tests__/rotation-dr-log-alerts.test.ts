/**
 * Rotation that never strands the service, disaster recovery (cross-region backup copies and
 * restore tests) and the guide's application-log alerts: what each synthesizes, least privilege,
 * and the config errors for bad input.
 */
import { CONTROL_PLANE_AUTH_FAILURE_TERMS, DB_CONNECTION_ERROR_TERMS } from "../lib/log-signatures";
import { disableUnemulatedFeatures } from "../e2e/emulator-gaps";
import { addressOf, configFrom, only, policyDocument, problemsOf, resources, shippedFile, StackJson, synthAll } from "./helpers";

const DB_SECRET = "${aws_db_instance.database_instance_D7FC2283.master_user_secret[0].secret_arn}";
const DB_ARN = "${aws_db_instance.database_instance_D7FC2283.arn}";
const SERVICE_ARN = "${aws_ecs_service.service_E7C408F2.id}";
const TOPIC_ARN = "${aws_sns_topic.alarms_topic_CB6504A9.arn}";

function synth(env: string, mutate: (d: any) => void = () => undefined): StackJson {
  const doc = shippedFile(env);
  mutate(doc);
  return synthAll([configFrom(doc, env)])[env];
}

/** Config problems of a document derived from the shipped prod file (or `base`). */
const problemsOfProd = (mutate: (d: any) => void, base = "prod"): string[] => problemsOf(mutate, base);

const prod = synth("prod");
const dev = synth("dev");

/** The resource of `type` whose name attribute is `name`. */
function named(stack: StackJson, type: string, name: string): any {
  const found = resources(stack, type).filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** Statements of the inline policy attached to the role named `roleName`. */
function inlineStatements(stack: StackJson, roleName: string): any[] {
  const [roleKey] = Object.entries(stack.resource.aws_iam_role).find(([, r]) => r.name === roleName)!;
  const attached = resources(stack, "aws_iam_role_policy").filter((p) => p.role === `\${aws_iam_role.${roleKey}.id}`);
  return attached.flatMap((p) => policyDocument(stack, p.policy).statement);
}

describe("a DB password rotation replaces the tasks without anyone acting", () => {
  for (const [env, stack] of [["dev", dev], ["prod", prod]] as const) {
    test(`${env}: the rule matches Secrets Manager's native Secret Label Updated event (AWSCURRENT) of the RDS master secret`, () => {
      const rule = named(stack, "aws_cloudwatch_event_rule", env === "dev" ? "zenml-hybrid-dev-db-rotation" : "zenml-hybrid-db-rotation");
      expect(JSON.parse(rule.event_pattern)).toEqual({
        source: ["aws.secretsmanager"],
        "detail-type": ["Secret Label Updated"],
        resources: [DB_SECRET],
        detail: { labelUpdated: ["AWSCURRENT"] },
      });
      const target = only(stack, "aws_cloudwatch_event_target");
      expect(target.rule).toBe(`\${aws_cloudwatch_event_rule.${addressOf(stack, "aws_cloudwatch_event_rule", rule).split(".")[1]}.name}`);
      const machine = only(stack, "aws_sfn_state_machine");
      expect(target.arn).toBe(`\${${addressOf(stack, "aws_sfn_state_machine", machine)}.arn}`);
    });
  }

  test("the state machine forces a new deployment of this service through the AWS SDK integration (no Lambda)", () => {
    const machine = only(prod, "aws_sfn_state_machine");
    expect(machine.name).toBe("zenml-hybrid-db-rotation-redeploy");
    const definition = JSON.parse(machine.definition);
    const task = definition.States[definition.StartAt];
    expect(task.Type).toBe("Task");
    expect(task.Resource).toBe("arn:aws:states:::aws-sdk:ecs:updateService");
    expect(task.Parameters).toEqual({
      Cluster: "${aws_ecs_cluster.service_cluster_B81F1F5D.name}",
      Service: "${aws_ecs_service.service_E7C408F2.name}",
      ForceNewDeployment: true,
    });
    expect(task.End).toBe(true);
    expect(resources(prod, "aws_lambda_function")).toEqual([]);
  });

  test("least privilege: the state machine may only ecs:UpdateService on this service; EventBridge may only start this machine", () => {
    expect(inlineStatements(prod, "zenml-hybrid-db-rotation-states")).toEqual([
      expect.objectContaining({ actions: ["ecs:UpdateService"], resources: [SERVICE_ARN] }),
    ]);
    const machine = only(prod, "aws_sfn_state_machine");
    expect(inlineStatements(prod, "zenml-hybrid-db-rotation-events")).toEqual([
      expect.objectContaining({ actions: ["states:StartExecution"], resources: [`\${${addressOf(prod, "aws_sfn_state_machine", machine)}.arn}`] }),
    ]);
    const trust = (name: string) => policyDocument(prod, named(prod, "aws_iam_role", name).assume_role_policy).statement[0].principals[0].identifiers;
    expect(trust("zenml-hybrid-db-rotation-states")).toEqual(["states.amazonaws.com"]);
    expect(trust("zenml-hybrid-db-rotation-events")).toEqual(["events.amazonaws.com"]);
    const target = only(prod, "aws_cloudwatch_event_target");
    expect(target.role_arn).toMatch(/^\$\{aws_iam_role\.db-rotation_events-role_[A-F0-9]+\.arn\}$/);
  });

  test("every name derives from the environment's name", () => {
    const stack = synth("prod", (d) => (d.name = "acme-ml"));
    expect(only(stack, "aws_cloudwatch_event_rule").name).toBe("acme-ml-db-rotation");
    expect(only(stack, "aws_sfn_state_machine").name).toBe("acme-ml-db-rotation-redeploy");
    expect(named(stack, "aws_backup_restore_testing_plan", "acme_ml_db_restore_test")).toBeDefined();
    expect(named(stack, "aws_backup_vault", "acme-ml-db-backup")).toBeDefined();
    expect(named(stack, "aws_cloudwatch_log_metric_filter", "acme-ml-db-connection-errors")).toBeDefined();
    expect(resources(stack, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).toContain("acme-ml-control-plane-auth-failures");
    expect(only(stack, "aws_db_instance_automated_backups_replication").provider).toBe("aws.dr");
    expect(resources(stack, "aws_kms_alias").map((a) => a.name)).toContain("alias/acme-ml-db-backups-dr");
  });
});

describe("disaster recovery: backups in a second region and scheduled restore tests", () => {
  test("prod replicates the automated backups to eu-west-1 with the aliased DR provider and a key there", () => {
    const replication = only(prod, "aws_db_instance_automated_backups_replication");
    expect(replication.provider).toBe("aws.dr");
    expect(replication.source_db_instance_arn).toBe(DB_ARN);
    expect(replication.retention_period).toBe(30);
    const dr = prod.provider.aws.find((p: any) => p.alias === "dr");
    expect(dr.region).toBe("eu-west-1");
    expect(dr.default_tags.tags).toEqual(prod.provider.aws.find((p: any) => !p.alias).default_tags.tags);
    const key = resources(prod, "aws_kms_key").find((k) => k.provider === "aws.dr");
    expect(key).toBeDefined();
    expect(key!.enable_key_rotation).toBe(true);
    expect(replication.kms_key_id).toBe(`\${${addressOf(prod, "aws_kms_key", key)}.arn}`);
    expect(resources(prod, "aws_kms_alias").find((a) => a.provider === "aws.dr")!.name).toBe("alias/zenml-hybrid-db-backups-dr");
  });

  test("the DR region is configurable and must differ from the primary region", () => {
    const stack = synth("prod", (d) => (d.database = { backupReplicationRegion: "eu-west-3" }));
    expect(stack.provider.aws.find((p: any) => p.alias === "dr").region).toBe("eu-west-3");
    expect(problemsOfProd((d) => (d.database = { backupReplicationRegion: "eu-central-1" }))).toEqual([
      "config/test.json: database.backupReplicationRegion: must differ from region (eu-central-1): a copy in the same region does not survive a regional outage",
    ]);
  });

  test("prod restores the latest snapshot from its backup vault on a schedule", () => {
    const vault = named(prod, "aws_backup_vault", "zenml-hybrid-db-backup");
    expect(vault.kms_key_arn).toBe("${aws_kms_key.kms_key_28C05A0F.arn}");
    const plan = named(prod, "aws_backup_plan", "zenml-hybrid-db-backup");
    expect(plan.rule[0].target_vault_name).toBe(`\${${addressOf(prod, "aws_backup_vault", vault)}.name}`);
    expect(plan.rule[0].lifecycle.delete_after).toBe(30);
    expect(only(prod, "aws_backup_selection").resources).toEqual([DB_ARN]);
    const testing = named(prod, "aws_backup_restore_testing_plan", "zenml_hybrid_db_restore_test");
    expect(testing.schedule_expression).toBe("cron(0 5 ? * SAT *)");
    expect(testing.recovery_point_selection).toEqual([{
      algorithm: "LATEST_WITHIN_WINDOW",
      include_vaults: [`\${${addressOf(prod, "aws_backup_vault", vault)}.arn}`],
      recovery_point_types: ["SNAPSHOT"],
      selection_window_days: 7,
    }]);
    const selection = only(prod, "aws_backup_restore_testing_selection");
    expect(selection.protected_resource_type).toBe("RDS");
    expect(selection.protected_resource_arns).toEqual([DB_ARN]);
    expect(selection.restore_testing_plan_name).toBe(`\${${addressOf(prod, "aws_backup_restore_testing_plan", testing)}.name}`);
    const role = named(prod, "aws_iam_role", "zenml-hybrid-db-backup");
    expect(selection.iam_role_arn).toBe(`\${${addressOf(prod, "aws_iam_role", role)}.arn}`);
    const roleRef = `\${${addressOf(prod, "aws_iam_role", role)}.name}`;
    expect(resources(prod, "aws_iam_role_policy_attachment").filter((a) => a.role === roleRef).map((a) => a.policy_arn).sort()).toEqual([
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]);
  });

  test("dev has neither (cost), and each can be switched on", () => {
    for (const type of ["aws_db_instance_automated_backups_replication", "aws_backup_restore_testing_plan", "aws_backup_vault"]) {
      expect(resources(dev, type)).toEqual([]);
    }
    expect(dev.provider.aws).toHaveLength(1);
    const on = synth("dev", (d) => (d.database = { backupReplication: true, restoreTesting: true, restoreTestingSchedule: "cron(0 6 ? * SUN *)" }));
    expect(only(on, "aws_db_instance_automated_backups_replication").provider).toBe("aws.dr");
    expect(only(on, "aws_backup_restore_testing_plan").schedule_expression).toBe("cron(0 6 ? * SUN *)");
  });

  test("bad disaster-recovery settings are rejected with file and field", () => {
    expect(problemsOfProd((d) => { d.region = "ap-southeast-1"; d.dns.hostedZoneId = "Z0123456789ABCDEFGHIJ"; })).toContainEqual(
      expect.stringMatching(/^config\/test\.json: database\.backupReplicationRegion: is required when database\.backupReplication is true: ap-southeast-1 has no default disaster-recovery region/),
    );
    expect(problemsOfProd((d) => (d.database = { backupReplicationRegion: "eu-west-1" }), "dev")).toEqual([
      "config/test.json: database.backupReplicationRegion: is only allowed when database.backupReplication is true",
    ]);
    expect(problemsOfProd((d) => (d.database = { restoreTestingSchedule: "cron(0 5 ? * SAT *)" }), "dev")).toEqual([
      "config/test.json: database.restoreTestingSchedule: is only allowed when database.restoreTesting is true",
    ]);
    expect(problemsOfProd((d) => (d.database = { restoreTestingSchedule: "every saturday" }))).toContainEqual(
      expect.stringMatching(/database\.restoreTestingSchedule: must be an AWS cron expression/),
    );
    expect(problemsOfProd((d) => (d.database = { backupRetentionDays: 0 }))).toContainEqual(
      "config/test.json: database.backupRetentionDays: must be at least 1 with database.backupReplication or database.restoreTesting (they copy and test the automated backups)",
    );
  });

  test("the e2e copy switches off exactly the features moto cannot emulate, and says so", () => {
    const doc = shippedFile("prod");
    doc.database = { backupReplicationRegion: "eu-west-3", restoreTestingSchedule: "cron(0 5 ? * SAT *)" };
    const lines = disableUnemulatedFeatures(doc);
    expect(doc.database).toEqual({ backupReplication: false, restoreTesting: false });
    expect(lines).toEqual([
      expect.stringMatching(/^config: database\.backupReplication=false \(not emulated: moto 5\.2\.1 has no RDS StartDBInstanceAutomatedBackupsReplication/),
      expect.stringMatching(/^config: database\.restoreTesting=false \(not emulated: .*no restore testing plans/),
    ]);
    expect(() => configFrom(doc)).not.toThrow();
    const devDoc = shippedFile("dev");
    expect(disableUnemulatedFeatures(devDoc)).toEqual([]);
    expect(devDoc).toEqual(shippedFile("dev"));
  });
});

describe("the guide's application-log alerts", () => {
  test("metric filters match the control-plane auth failures and DB connection errors ZenML and PyMySQL log", () => {
    const auth = named(prod, "aws_cloudwatch_log_metric_filter", "zenml-hybrid-control-plane-auth-failures");
    expect(auth.pattern).toBe(
      '?"Error fetching auth token from the Cloud API" ?"Could not fetch auth token from the Cloud API" ?"zenml pro service: 401 Client Error"',
    );
    const db = named(prod, "aws_cloudwatch_log_metric_filter", "zenml-hybrid-db-connection-errors");
    expect(db.pattern).toBe(
      '?"Can\'t connect to MySQL server" ?"Lost connection to MySQL server" ?"MySQL server has gone away" ?"Access denied for user"',
    );
    for (const f of [auth, db]) {
      expect(f.log_group_name).toBe("${aws_cloudwatch_log_group.logs_group_F4848128.name}");
      expect(f.metric_transformation).toMatchObject({ namespace: "ZenML", value: "1", default_value: "0" });
    }
    expect(CONTROL_PLANE_AUTH_FAILURE_TERMS).toHaveLength(3);
    expect(DB_CONNECTION_ERROR_TERMS).toHaveLength(4);
  });

  test("each filter has an alarm on its metric that notifies the alarm topic", () => {
    for (const [key, metric] of [["control-plane-auth-failures", "ControlPlaneAuthFailures"], ["db-connection-errors", "DatabaseConnectionErrors"]]) {
      const a = resources(prod, "aws_cloudwatch_metric_alarm").find((x) => x.alarm_name === `zenml-hybrid-${key}`)!;
      // The alarm takes metric name and namespace from its filter (KICS pairs them by the filter's resource name).
      const [filterId] = Object.entries(prod.resource.aws_cloudwatch_log_metric_filter).find(([, f]: [string, any]) => f.name === `zenml-hybrid-${key}`)!;
      expect(a).toMatchObject({
        namespace: `\${aws_cloudwatch_log_metric_filter.${filterId}.metric_transformation[0].namespace}`,
        metric_name: `\${aws_cloudwatch_log_metric_filter.${filterId}.metric_transformation[0].name}`,
        statistic: "Sum",
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [TOPIC_ARN],
        ok_actions: [TOPIC_ARN],
      });
      const filter = named(prod, "aws_cloudwatch_log_metric_filter", `zenml-hybrid-${key}`);
      expect(filter.metric_transformation.name).toBe(metric);
    }
  });

  test("the subscription filter exists only when a destination is configured", () => {
    expect(resources(prod, "aws_cloudwatch_log_subscription_filter")).toEqual([]);
    const firehose = "arn:aws:firehose:eu-central-1:123456789012:deliverystream/central-logs";
    const role = "arn:aws:iam::123456789012:role/cwl-to-firehose";
    const stack = synth("prod", (d) => (d.observability = { logSubscriptionDestinationArn: firehose, logSubscriptionRoleArn: role }));
    expect(only(stack, "aws_cloudwatch_log_subscription_filter")).toMatchObject({
      name: "zenml-hybrid-central-logging",
      log_group_name: "${aws_cloudwatch_log_group.logs_group_F4848128.name}",
      filter_pattern: "",
      destination_arn: firehose,
      role_arn: role,
    });
    const lambda = synth("dev", (d) => (d.observability = { logSubscriptionDestinationArn: "arn:aws:lambda:eu-central-1:123456789012:function:ship" }));
    expect(only(lambda, "aws_cloudwatch_log_subscription_filter").role_arn).toBeUndefined();
  });

  test("bad subscription settings are rejected with file and field", () => {
    const obs = (o: object) => (d: any) => (d.observability = o);
    expect(problemsOfProd(obs({ logSubscriptionDestinationArn: "arn:aws:kinesis:eu-central-1:123456789012:stream/logs" }))).toEqual([
      "config/test.json: observability.logSubscriptionRoleArn: is required for a kinesis destination (CloudWatch Logs assumes it to put records)",
    ]);
    expect(problemsOfProd(obs({ logSubscriptionDestinationArn: "arn:aws:lambda:eu-central-1:123456789012:function:f", logSubscriptionRoleArn: "arn:aws:iam::123456789012:role/r" }))).toEqual([
      "config/test.json: observability.logSubscriptionRoleArn: is not allowed for a Lambda destination (CloudWatch Logs invokes it through the function's resource policy)",
    ]);
    expect(problemsOfProd(obs({ logSubscriptionRoleArn: "arn:aws:iam::123456789012:role/r" }))).toEqual([
      "config/test.json: observability.logSubscriptionRoleArn: is only allowed together with observability.logSubscriptionDestinationArn",
    ]);
    expect(problemsOfProd(obs({ logSubscriptionDestinationArn: "arn:aws:lambda:us-east-1:123456789012:function:f" }))).toEqual([
      "config/test.json: observability.logSubscriptionDestinationArn: must be in the log group's region eu-central-1 (use a CloudWatch Logs destination there to reach another region or account)",
    ]);
    expect(problemsOfProd(obs({ logSubscriptionDestinationArn: "arn:aws:s3:::bucket" }))).toContainEqual(
      expect.stringMatching(/observability\.logSubscriptionDestinationArn: must be a Kinesis stream, Firehose stream, Lambda function or CloudWatch Logs destination ARN/),
    );
  });
});

test("prod replicates the secrets-store encryption key to the DR region with the DR key; dev keeps no replica", () => {
  const byName = (stack: StackJson, name: string) => resources(stack, "aws_secretsmanager_secret").find((s) => s.name === name);
  const replica = byName(prod, "zenml/zenml-hybrid/secrets-store-encryption-key")!.replica;
  const drKey = Object.entries(prod.resource.aws_kms_key).find(([, k]) => k.provider === "aws.dr")![0];
  expect(replica).toEqual([{ region: "eu-west-1", kms_key_id: `\${aws_kms_key.${drKey}.arn}` }]);
  expect(byName(prod, "zenml/zenml-hybrid/server-jwt-secret-key")!.replica).toBeUndefined();
  expect(byName(dev, "zenml/zenml-hybrid-dev/secrets-store-encryption-key")!.replica).toBeUndefined();
});
