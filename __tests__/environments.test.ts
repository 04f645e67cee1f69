/**
 * Environments side by side in one account (docs/environments.md): every account-scoped name in the
 * synthesized stacks is the one lib/config/names.ts derives (so the cross-file check sees it), no two
 * stacks of a folder share one, prod is pinned to its accounts, and protected environments refuse
 * deletes and replacements of their data-bearing resources at plan time.
 */
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { ACCOUNT_PLACEHOLDER, accountScopedNames } from "../lib/config/names";
import { AnyConfig } from "../lib/config/schema";
import { CONFIG_DIR, configFrom, only, resources, ROOT, shippedFile, StackJson, synthAll } from "./helpers";

/** (resource type, attribute) pairs that hold a name unique in an account (and region). */
const ACCOUNT_SCOPED: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role: ["name"],
  aws_kms_alias: ["name"],
  aws_cloudwatch_log_group: ["name"],
  aws_security_group: ["name"],
  aws_db_instance: ["identifier", "final_snapshot_identifier"],
  aws_db_subnet_group: ["name"],
  aws_db_parameter_group: ["name"],
  aws_secretsmanager_secret: ["name"],
  aws_lb: ["name"],
  aws_lb_target_group: ["name"],
  aws_s3_bucket: ["bucket"],
  aws_ecs_cluster: ["name"],
  aws_ecs_task_definition: ["family"],
  aws_sns_topic: ["name"],
  aws_cloudwatch_metric_alarm: ["alarm_name"],
  aws_ecr_repository: ["name"],
  aws_route53_record: ["name"],
  aws_cloudwatch_event_rule: ["name"],
  aws_sfn_state_machine: ["name"],
  aws_backup_vault: ["name"],
  aws_backup_plan: ["name"],
  aws_backup_restore_testing_plan: ["name"],
};

/** Name-like attributes that are not account-scoped, with the reason. */
const NOT_ACCOUNT_SCOPED: Readonly<Record<string, string>> = {
  "aws_iam_role_policy.name": "inline policy names are unique per role only",
  "aws_cloudwatch_log_metric_filter.name": "metric filter names are unique per log group only",
  "aws_appautoscaling_policy.name": "scaling policy names are unique per scalable target only",
  "aws_ecs_service.name": "service names are unique per cluster only",
  "aws_db_parameter_group.family": "the engine family, not a name",
  "aws_acm_certificate.domain_name": "ACM allows several certificates for one domain",
  "aws_backup_selection.name": "selection names are unique per backup plan only",
  "aws_backup_restore_testing_selection.name": "selection names are unique per restore testing plan only",
  "aws_cloudwatch_log_subscription_filter.name": "subscription filter names are unique per log group only",
};

const NAME_LIKE = /^(name|name_prefix|identifier|identifier_prefix|bucket|bucket_prefix|alarm_name|family|final_snapshot_identifier|domain_name)$/;
const ACCOUNT_TOKEN = "${data.aws_caller_identity.account.account_id}";

/** Every account-scoped name in a stack, as `type attribute value`; fails on a name-like attribute not classified above. */
function namesIn(stack: StackJson): string[] {
  const out: string[] = [];
  for (const [type, bodies] of Object.entries(stack.resource)) {
    for (const body of Object.values(bodies)) {
      for (const [attribute, value] of Object.entries(body)) {
        if (!NAME_LIKE.test(attribute) || typeof value !== "string") continue;
        // A whole-value reference names another resource of the stack (bucket policies, validation records).
        if (/^\$\{[^}]+\}$/.test(value)) continue;
        if (ACCOUNT_SCOPED[type]?.includes(attribute)) out.push(`${type} ${attribute} ${value.split(ACCOUNT_TOKEN).join(ACCOUNT_PLACEHOLDER)}`);
        else if (!NOT_ACCOUNT_SCOPED[`${type}.${attribute}`]) throw new Error(`${type}.${attribute} = ${value}: classify it in ACCOUNT_SCOPED or NOT_ACCOUNT_SCOPED`);
      }
    }
  }
  return out.sort();
}

const derived = (c: AnyConfig) => accountScopedNames(c).map((n) => `${n.resource} ${n.attribute} ${n.value}`).sort();

const FOLDERS = [
  ["config", CONFIG_DIR],
  ...["byo-network", "multi-workspace", "workload-manager"].map((e) => [`examples/${e}`, path.join(ROOT, "examples", e, "config")]),
];

describe.each(FOLDERS)("%s", (_label, dir) => {
  const configs = loadEnvironments(dir);
  const stacks = synthAll(configs);

  test.each(configs.map((c) => [c.envName, c] as const))("%s: the synthesized account-scoped names are exactly the derived ones", (env, c) => {
    const names = namesIn(stacks[env]);
    expect(names.length).toBeGreaterThan(2);
    expect(names).toEqual(derived(c));
  });

  test("no two stacks create the same account-scoped name", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [stack, json] of Object.entries(stacks)) {
      for (const name of namesIn(json)) {
        const other = owner.get(name);
        if (other) clashes.push(`${name}: ${other} and ${stack}`);
        owner.set(name, stack);
      }
    }
    expect(clashes).toEqual([]);
    expect(owner.size).toBeGreaterThan(Object.keys(stacks).length);
  });
});

describe("shipped dev and prod in one account", () => {
  const stacks = synthAll(loadEnvironments(CONFIG_DIR));
  const dev = namesIn(stacks.dev);
  const prod = namesIn(stacks.prod);

  test("dev ∩ prod = ∅", () => {
    expect(dev.filter((n) => prod.includes(n))).toEqual([]);
  });

  test("prod keeps the guide's literal names; dev derives its own from name zenml-hybrid-dev", () => {
    expect(prod).toEqual(expect.arrayContaining([
      "aws_ecs_cluster name zenml-hybrid",
      "aws_cloudwatch_log_group name /ecs/zenml-hybrid",
      "aws_secretsmanager_secret name zenml/pro/oauth2-client-secret",
      "aws_db_instance identifier zenml-hybrid-db",
    ]));
    expect(dev).toEqual(expect.arrayContaining([
      "aws_ecs_cluster name zenml-hybrid-dev",
      "aws_cloudwatch_log_group name /ecs/zenml-hybrid-dev",
      "aws_secretsmanager_secret name zenml/zenml-hybrid-dev/oauth2-client-secret",
      "aws_secretsmanager_secret name zenml/zenml-hybrid-dev/server-jwt-secret-key",
      "aws_iam_role name zenml-hybrid-dev-flow-logs",
      "aws_kms_alias name alias/zenml-hybrid-dev",
      "aws_lb_target_group name zenml-hybrid-dev-tg",
      `aws_s3_bucket bucket zenml-hybrid-dev-alb-logs-${ACCOUNT_PLACEHOLDER}-eu-central-1`,
    ]));
  });

  test("prod's provider only accepts its allowedAccountIds; dev's any account", () => {
    expect(stacks.prod.provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
    expect(stacks.dev.provider.aws[0].allowed_account_ids).toBeUndefined();
  });
});

describe("protected environments", () => {
  const PROTECTED = ["aws_db_instance", "aws_kms_key", "aws_secretsmanager_secret", "aws_lb"];
  /** `type` of every resource with lifecycle.prevent_destroy. */
  const preventDestroy = (stack: StackJson) =>
    Object.entries(stack.resource).flatMap(([type, bodies]) =>
      Object.values(bodies).filter((b) => b.lifecycle?.prevent_destroy === true).map(() => type),
    ).sort();
  const synthOne = (doc: unknown, name: string) => synthAll([configFrom(doc, name)])[name];

  test("prod (protected by its preset): prevent_destroy on the DB, its KMS key, the three secrets and the ALB, nothing else", () => {
    const stack = synthOne(shippedFile("prod"), "prod");
    expect(preventDestroy(stack)).toEqual([...PROTECTED, "aws_secretsmanager_secret", "aws_secretsmanager_secret"].sort());
    const secrets = resources(stack, "aws_secretsmanager_secret").map((s) => s.name).sort();
    expect(secrets).toEqual(["zenml/pro/oauth2-client-secret", "zenml/zenml-hybrid/secrets-store-encryption-key", "zenml/zenml-hybrid/server-jwt-secret-key"]);
    for (const s of resources(stack, "aws_secretsmanager_secret")) expect(s.lifecycle).toEqual({ prevent_destroy: true });
    // prevent_destroy is added next to a resource's other lifecycle settings, which stay as they are.
    expect(only(stack, "aws_db_instance").lifecycle).toEqual({ prevent_destroy: true });
    expect(only(stack, "aws_db_parameter_group").lifecycle).toEqual({ create_before_destroy: true });
  });

  test("dev (unprotected by its preset) and prod with protected: false: no prevent_destroy anywhere", () => {
    expect(preventDestroy(synthOne(shippedFile("dev"), "dev"))).toEqual([]);
    const doc = shippedFile("prod");
    doc.protected = false;
    expect(preventDestroy(synthOne(doc, "prod"))).toEqual([]);
  });

  test("dev with protected: true; an existing OAuth2 secret is not protected by this stack", () => {
    const doc = shippedFile("dev");
    doc.protected = true;
    doc.zenml.oauth2ClientSecretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:zenml/pro/oauth2-client-secret-AbCdEf";
    expect(preventDestroy(synthOne(doc, "dev"))).toEqual([...PROTECTED, "aws_secretsmanager_secret"].sort());
  });
});
