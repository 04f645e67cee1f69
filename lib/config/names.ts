/**
 * Every account-scoped AWS name a config file makes its stack create, derived from the resolved
 * config exactly as the modules derive them. The cross-file check (load.ts) compares these between
 * files that deploy to one account; `__tests__/names.test.ts` proves the list equals the names in the
 * synthesized stacks, so a new named resource cannot slip past the check.
 */
import { AnyConfig, DEFAULTS, EnvironmentConfig, PlatformConfig } from "./schema";

/** Stand-in for the account ID inside names that embed it (bucket names). */
export const ACCOUNT_PLACEHOLDER = "<account>";

/** One name that must be unique in an account (IAM, DNS) or in an account and region (everything else). */
export interface AccountScopedName {
  /** Terraform resource type that creates it. */
  readonly resource: string;
  /** Attribute of that resource holding the name. */
  readonly attribute: string;
  /** The name; {@link ACCOUNT_PLACEHOLDER} stands for the account ID. */
  readonly value: string;
  /** `account`: unique in the whole account (IAM, Route53 records); `region`: unique per account and region. */
  readonly scope: "account" | "region";
  /** Config field the name derives from, for messages. */
  readonly field: "name" | "zenml.oauth2ClientSecretName" | "observability.logGroupName" | "dns.domainName";
}

/** What the label of each resource type reads like in messages. */
export const RESOURCE_LABELS: Readonly<Record<string, string>> = {
  aws_iam_role: "IAM role",
  aws_kms_alias: "KMS alias",
  aws_cloudwatch_log_group: "log group",
  aws_security_group: "security group",
  aws_db_instance: "DB instance",
  aws_db_subnet_group: "DB subnet group",
  aws_db_parameter_group: "DB parameter group",
  aws_secretsmanager_secret: "secret",
  aws_lb: "load balancer",
  aws_lb_target_group: "target group",
  aws_s3_bucket: "S3 bucket",
  aws_ecs_cluster: "ECS cluster",
  aws_ecs_task_definition: "task definition family",
  aws_sns_topic: "SNS topic",
  aws_cloudwatch_metric_alarm: "alarm",
  aws_ecr_repository: "ECR repository",
  aws_route53_record: "DNS record",
  aws_cloudwatch_event_rule: "EventBridge rule",
  aws_sfn_state_machine: "state machine",
  aws_backup_vault: "backup vault",
  aws_backup_plan: "backup plan",
  aws_backup_restore_testing_plan: "restore testing plan",
};

/** Resource types whose names are unique across all regions of an account. */
const GLOBAL_RESOURCES = ["aws_iam_role", "aws_route53_record"];

/** Alarm keys of modules/alarms.ts; each alarm is `<name>-<key>`. */
const ALARM_KEYS = [
  "ecs-cpu",
  "ecs-running-tasks",
  "alb-unhealthy-targets",
  "server-error-logs",
  "rds-cpu",
  "rds-free-storage",
  "rds-connections",
  // modules/log-alerts.ts
  "control-plane-auth-failures",
  "db-connection-errors",
  // modules/credential-rotation.ts (ROTATION_ALARM_KEYS)
  "db-rotation-failed",
  "db-rotation-timed-out",
  "db-rotation-aborted",
  "db-rotation-failed-invocations",
] as const;

/** The OAuth2 client secret name when the file sets none: the guide's for the guide's name, else derived from `name`. */
export function defaultOauth2SecretName(name: string): string {
  return name === DEFAULTS.name ? DEFAULTS.zenml.oauth2ClientSecretName : `zenml/${name}/oauth2-client-secret`;
}

/** Every account-scoped name the stack of `c` creates. */
export function accountScopedNames(c: AnyConfig): AccountScopedName[] {
  return c.kind === "platform" ? platformNames(c) : workspaceNames(c);
}

function entry(
  resource: string,
  value: string,
  field: AccountScopedName["field"] = "name",
  attribute = "name",
): AccountScopedName {
  return { resource, attribute, value, scope: GLOBAL_RESOURCES.includes(resource) ? "account" : "region", field };
}

/** KMS alias, and (with its own network) the flow-log role and group of modules/network.ts. */
function baseNames(name: string, ownNetwork: boolean): AccountScopedName[] {
  return [
    entry("aws_kms_alias", `alias/${name}`),
    ...(ownNetwork
      ? [entry("aws_iam_role", `${name}-flow-logs`), entry("aws_cloudwatch_log_group", `/vpc/${name}/flow-logs`)]
      : []),
  ];
}

function platformNames(c: PlatformConfig): AccountScopedName[] {
  return baseNames(c.name, true);
}

function workspaceNames(c: EnvironmentConfig): AccountScopedName[] {
  const n = c.name;
  const bucket = (suffix: string) => entry("aws_s3_bucket", `${n}-${suffix}-${ACCOUNT_PLACEHOLDER}-${c.region}`, "name", "bucket");
  return [
    ...baseNames(n, !c.network.platform && !c.network.existingVpc),
    ...["alb", "ecs", "rds"].map((k) => entry("aws_security_group", `${n}-${k}`)),
    entry("aws_db_instance", `${n}-db`, "name", "identifier"),
    ...(c.database.skipFinalSnapshot ? [] : [entry("aws_db_instance", `${n}-db-final`, "name", "final_snapshot_identifier")]),
    entry("aws_db_subnet_group", `${n}-db`),
    entry("aws_db_parameter_group", `${n}-mysql${c.database.engineVersion.replace(".", "")}`),
    ...(c.database.monitoringIntervalSeconds > 0 ? [entry("aws_iam_role", `${n}-rds-monitoring`)] : []),
    ...(c.zenml.oauth2ClientSecretArn ? [] : [entry("aws_secretsmanager_secret", c.zenml.oauth2ClientSecretName, "zenml.oauth2ClientSecretName")]),
    entry("aws_secretsmanager_secret", `zenml/${n}/server-jwt-secret-key`),
    ...(c.zenml.secretsStoreKeySecretArn ? [] : [entry("aws_secretsmanager_secret", `zenml/${n}/secrets-store-encryption-key`)]),
    entry("aws_cloudwatch_log_group", c.observability.logGroupName, "observability.logGroupName"),
    entry("aws_iam_role", `${n}-task-execution`),
    entry("aws_iam_role", `${n}-task`),
    entry("aws_lb", `${n}-alb`),
    entry("aws_lb_target_group", `${n}-tg`),
    bucket("alb-logs"),
    ...(c.dns.provider === "route53" ? [entry("aws_route53_record", c.dns.domainName, "dns.domainName")] : []),
    ...(c.workloadManager?.type === "aws-kubernetes" ? [bucket("wm-logs"), entry("aws_ecr_repository", `${n}-runner`)] : []),
    entry("aws_ecs_cluster", n),
    entry("aws_ecs_task_definition", n, "name", "family"),
    entry("aws_sns_topic", `${n}-alarms`),
    // modules/credential-rotation.ts
    entry("aws_cloudwatch_event_rule", `${n}-db-rotation`),
    entry("aws_sfn_state_machine", `${n}-db-rotation-redeploy`),
    entry("aws_iam_role", `${n}-db-rotation-events`),
    entry("aws_iam_role", `${n}-db-rotation-states`),
    // modules/disaster-recovery.ts (the DR key's alias lives in the DR region; compared as if in the stack's)
    ...(c.database.backupReplication && c.database.backupReplicationRegion ? [entry("aws_kms_alias", `alias/${n}-db-backups-dr`)] : []),
    ...(c.database.restoreTesting
      ? [
          entry("aws_backup_vault", `${n}-db-backup`),
          entry("aws_backup_plan", `${n}-db-backup`),
          entry("aws_iam_role", `${n}-db-backup`),
          entry("aws_backup_restore_testing_plan", `${n.replace(/-/g, "_")}_db_restore_test`),
          entry("aws_security_group", `${n}-db-restore-test`),
        ]
      : []),
    ...ALARM_KEYS.map((k) => entry("aws_cloudwatch_metric_alarm", `${n}-${k}`, "name", "alarm_name")),
  ];
}
