/**
 * Real-scanner findings that no rule of the pack covers, justified per resource from the resource's
 * own attributes. Each check below restates the scanner's condition (from its upstream rule file)
 * and the condition under which its finding is wrong or accepted here; the justification exists only
 * while that condition holds in the synthesized JSON, so a change that makes the finding real (a
 * secret value in `environment`, an HTTP listener that forwards, an EFS volume) removes it and the
 * scanner fails again. The synth writes them into `trivy-ignore.rego` (trivy honours them before the
 * scan reports), `checkov-baseline.json` (checkov's `--baseline`, matched on resource and check ID) and
 * `suppressions.json`; `npm run policy -- --import` accepts the matching findings.
 * Query-wide KICS decisions (account-level controls) are in ./kics-config.
 */
import { block, blocks, createContext, isTrue, parseJson } from "./attributes";
import { EvaluationInput } from "./engine";
import { documentStatements, resourcePolicyUsers } from "./policy-documents";
import { RULES_BY_ID } from "./rules";
import { containerDefinitions } from "./rules/ecs/containers";
import { ScannerSource } from "./scanner-sources";
import { PolicyResource, RuleContext, Scanner } from "./types";

/**
 * trivy-checks `checks/cloud/aws/ecs/no_plaintext_secrets.rego` (AWS-0036), `is_sensitive_attr`: the
 * lower-cased env var name equals or contains one of `sensitive_attribute_tokens`, and (for a
 * contained token) does not start with one of `whitelist_tokens`.
 */
export const TRIVY_SENSITIVE_ENV_TOKENS = ["password", "secret", "private_key", "aws_access_key_id", "aws_secret_access_key", "token", "api_key"] as const;
export const TRIVY_ENV_WHITELIST_PREFIXES = ["token_type", "version"] as const;

/** Whether trivy's AWS-0036 flags an environment variable by its name alone. */
export function trivySensitiveEnvName(name: string): boolean {
  const lower = name.toLowerCase();
  if ((TRIVY_SENSITIVE_ENV_TOKENS as readonly string[]).includes(lower)) return true;
  return TRIVY_SENSITIVE_ENV_TOKENS.some((t) => lower.includes(t)) && !TRIVY_ENV_WHITELIST_PREFIXES.some((p) => lower.startsWith(p));
}

/** The message AWS-0036 reports for a flagged name (`sprintf("... name %q", [env.name])` in the rule). */
export const trivyEnvNameMessage = (name: string) => `Container definition contains a potentially sensitive in environment variable name ${JSON.stringify(name)}`;

/** The outcome for one resource: why the finding is justified, and (trivy) the exact messages it covers. */
export interface CheckJustification {
  readonly reason: string;
  /** When set, only findings with one of these messages are covered (trivy's `Message`). */
  readonly messages?: readonly string[];
}

/** A scanner check justified per resource from the resource's attributes. */
export interface ScannerCheck {
  readonly scanner: Scanner;
  /** Check ID as the scanner reports it (trivy: `AWS-nnnn`, matched with its `AVD-` alias too). */
  readonly id: string;
  readonly title: string;
  /** The scanner's severity in the defining file. */
  readonly severity: string;
  /** The upstream file that defines the check (and whose condition `justify` restates). */
  readonly source: ScannerSource;
  readonly resourceTypes: readonly string[];
  /** When the finding is justified, and why (one line, for docs/policy.md). */
  readonly when: string;
  /** The justification for `resource`, or undefined when the scanner's finding would be real. */
  justify(resource: PolicyResource, context: RuleContext): CheckJustification | undefined;
}

const trivySource = (path: string): ScannerSource => ({ scanner: "trivy", repo: "aquasecurity/trivy-checks", path });
const checkovSource = (path: string): ScannerSource => ({ scanner: "checkov", repo: "bridgecrewio/checkov", path });
const kicsSource = (query: string): ScannerSource => ({ scanner: "kics", repo: "Checkmarx/kics", path: `assets/queries/terraform/aws/${query}/metadata.json` });

const ZNECS8 = RULES_BY_ID.get("ZNECS8")!;

/** Names of a task definition's plain environment that trivy's AWS-0036 flags and ZNECS8 (which reads the values) does not. */
export function trivyEnvNameFalsePositives(resource: PolicyResource, context: RuleContext): string[] {
  const problems = [ZNECS8.check(resource, context) ?? []].flat().filter(Boolean) as string[];
  const names = (containerDefinitions(resource.attributes) ?? []).flatMap((c) =>
    (Array.isArray(c.environment) ? c.environment : []).map((e: { name?: unknown }) => String(e.name ?? "")),
  );
  return [...new Set(names.filter((n) => trivySensitiveEnvName(n) && !problems.some((p) => p.includes(` ${n} `))))].sort();
}

/** A redirect `default_action` to HTTPS, read from an object or cdktf's one-element block arrays. */
const redirectsToHttps = (listener: PolicyResource) =>
  blocks(listener.attributes, "default_action").length > 0 &&
  blocks(listener.attributes, "default_action").every((a) => a.type === "redirect" && String(block(a, "redirect")?.protocol ?? "").toUpperCase() === "HTTPS");

/**
 * The KMS keys whose key policy `doc` is, when it is used only as a key policy and every statement that
 * allows something on Resource "*" names its principals; undefined otherwise (an identity policy).
 */
function keyPolicyOf(doc: PolicyResource, context: RuleContext): string[] | undefined {
  const users = resourcePolicyUsers(doc, context);
  if (users.length === 0 || users.some((u) => u.type !== "aws_kms_key")) return undefined;
  if (documentStatements(doc).some((s) => s.effect === "Allow" && s.resources.includes("*") && s.principals.length === 0)) return undefined;
  return users.map((u) => u.address);
}

/**
 * checkov's cloudsplaining checks (checkov/terraform/checks/data/base_cloudsplaining_data_iam_check.py)
 * read every `aws_iam_policy_document` with statements as an identity policy: a key policy's Resource "*"
 * (the key itself) counts as "any resource". ZNIAM2/ZNIAM3 skip key policies for that reason.
 */
const checkovKeyPolicyCheck = (id: string, file: string, title: string): ScannerCheck => ({
  scanner: "checkov",
  id,
  title,
  severity: "—",
  source: checkovSource(`checkov/terraform/checks/data/aws/${file}`),
  resourceTypes: ["data.aws_iam_policy_document"],
  when: 'Policy documents used only as KMS key policies whose statements on Resource "*" all name their principals: in a key policy "*" is the key itself; checkov reads every document as an identity policy.',
  justify: (r, context) => {
    const keys = keyPolicyOf(r, context);
    return keys
      ? {
          reason:
            `The key policy of ${keys.join(", ")}: in a key policy Resource "*" means this key (AWS KMS developer guide, "Key policies in AWS KMS"), and every statement names its principals ` +
            "(the account, or a service with source conditions); checkov's cloudsplaining checks read the document as an identity policy. ZNIAM2/ZNIAM3 check the actions and principals.",
        }
      : undefined;
  },
});

/** Task states of a Step Functions definition (a JSON string), or undefined when it does not parse. */
const taskResources = (definition: unknown): string[] | undefined => {
  const states = (parseJson(definition) as { States?: Record<string, { Type?: string; Resource?: string }> } | undefined)?.States;
  return states ? Object.values(states).filter((st) => st.Type === "Task").map((st) => String(st.Resource ?? "")) : undefined;
};
/** A Standard state machine whose only tasks call ECS UpdateService (modules/credential-rotation.ts). */
const onlyUpdatesEcsService = (r: PolicyResource) => {
  const tasks = taskResources(r.attributes.definition);
  return String(r.attributes.type ?? "STANDARD").toUpperCase() === "STANDARD" && tasks !== undefined && tasks.length > 0 && tasks.every((t) => t === "arn:aws:states:::aws-sdk:ecs:updateService");
};
const REDEPLOY_MACHINE =
  "The state machine makes one call, ECS UpdateService with forceNewDeployment (the post-rotation redeploy): Step Functions keeps a Standard workflow's execution history, " +
  "every state's input and output, for 90 days, the failed, timed-out and aborted executions alarm on the stack's topic, and CloudTrail records the UpdateService call.";

/** The checks. Each `justify` returns nothing when the scanner's finding would be a real one. */
export const SCANNER_CHECKS: readonly ScannerCheck[] = [
  checkovKeyPolicyCheck("CKV_AWS_109", "IAMPermissionsManagement.py", "Ensure IAM policies does not allow permissions management / resource exposure without constraints"),
  checkovKeyPolicyCheck("CKV_AWS_111", "IAMWriteAccess.py", "Ensure IAM policies does not allow write access without constraints"),
  checkovKeyPolicyCheck("CKV_AWS_356", "ResourcePolicyDocument.py", 'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable actions'),
  {
    scanner: "checkov",
    id: "CKV_AWS_394",
    title: "Ensure aws_availability_zones data source pins zone identity so its result set does not silently expand when AWS adds an Availability Zone",
    severity: "—",
    source: checkovSource("checkov/terraform/checks/data/aws/AWSAvailabilityZonesUnfiltered.py"),
    resourceTypes: ["data.aws_availability_zones"],
    when: "The lookup of the first `network.azCount` available zones (state available, not all_availability_zones); `network.availabilityZones` pins names and then there is no lookup.",
    justify: (r) =>
      r.attributes.state === "available" && !isTrue(r.attributes.all_availability_zones)
        ? {
            reason:
              "The stack takes the first network.azCount names of the region's available zones; AWS names a new Availability Zone with the next letter, which sorts after " +
              "the existing ones, so the subnets keep their zones when AWS adds one. To pin zones by name (or in an account that opts into Local Zones, whose names sort " +
              "before the region's AZs), set network.availabilityZones: the stack then has no lookup.",
          }
        : undefined,
  },
  {
    scanner: "checkov",
    id: "CKV_AWS_284",
    title: "Ensure State Machine has X-Ray tracing enabled",
    severity: "—",
    source: checkovSource("checkov/terraform/checks/resource/aws/StateMachineXray.py"),
    resourceTypes: ["aws_sfn_state_machine"],
    when: "Standard state machines whose only tasks call ECS UpdateService (the post-rotation redeploy): a trace of one API call adds nothing to the execution history, alarms and CloudTrail.",
    justify: (r) => (onlyUpdatesEcsService(r) ? { reason: `${REDEPLOY_MACHINE} An X-Ray trace of a single AWS API call adds nothing to those.` } : undefined),
  },
  {
    scanner: "checkov",
    id: "CKV_AWS_285",
    title: "Ensure State Machine has execution history logging enabled",
    severity: "—",
    source: checkovSource("checkov/terraform/checks/resource/aws/StateMachineLoggingExecutionHistory.py"),
    resourceTypes: ["aws_sfn_state_machine"],
    when: "Standard state machines whose only tasks call ECS UpdateService: Step Functions keeps their execution history (with every state's data) for 90 days.",
    justify: (r) =>
      onlyUpdatesEcsService(r)
        ? { reason: `${REDEPLOY_MACHINE} A CloudWatch Logs copy of that history would also need logs:*LogDelivery on Resource "*" for the state machine's role.` }
        : undefined,
  },
  {
    scanner: "checkov",
    id: "CKV2_AWS_5",
    title: "Ensure that Security Groups are attached to another resource",
    severity: "—",
    source: checkovSource("checkov/terraform/checks/graph_checks/aws/SGAttachedToResource.yaml"),
    resourceTypes: ["aws_security_group"],
    when: "Security groups that an AWS Backup restore testing selection puts on the instances it restores (`restore_metadata_overrides.vpcSecurityGroupIds`), a connection the graph check does not know.",
    justify: (r, context) => {
      const selections = context
        .ofType("aws_backup_restore_testing_selection")
        .filter((s) => String(block(s.attributes, "restore_metadata_overrides")?.vpcSecurityGroupIds ?? "").includes(`${r.address}.id`));
      return selections.length > 0
        ? {
            reason:
              `AWS Backup restore testing (${selections.map((s) => s.address).join(", ")}) attaches this group to each DB instance it restores (restore_metadata_overrides vpcSecurityGroupIds); ` +
              "the instance exists only during a test, outside Terraform, and checkov's graph check lists no restore testing selection among the resources a group may be connected to.",
          }
        : undefined;
    },
  },
  {
    scanner: "trivy",
    id: "AWS-0036",
    title: "Task definition defines sensitive environment variable(s)",
    severity: "CRITICAL",
    source: trivySource("checks/cloud/aws/ecs/no_plaintext_secrets.rego"),
    resourceTypes: ["aws_ecs_task_definition"],
    when: "Env var names that contain a token of the rule (`secret`, `token`, …) but whose values ZNECS8 finds no secret in (e.g. `ZENML_SECRETS_STORE_TYPE`); each name is matched on trivy's message, on its task definition only.",
    justify: (r, context) => {
      const names = trivyEnvNameFalsePositives(r, context);
      if (names.length === 0) return undefined;
      return {
        reason:
          `trivy flags these environment variable names for a token in the name alone (${names.join(", ")}); they hold settings, not secrets ` +
          "(ZNECS8 checks their values); the secrets reach the containers from Secrets Manager through `secrets` (valueFrom).",
        messages: names.map(trivyEnvNameMessage),
      };
    },
  },
  {
    scanner: "trivy",
    id: "AWS-0170",
    title: "Buckets should have MFA deletion protection enabled",
    severity: "LOW",
    source: trivySource("checks/cloud/aws/s3/require_mfa_delete.rego"),
    resourceTypes: ["aws_s3_bucket_versioning"],
    when: "Versioned buckets without MFA delete: only the root user with its MFA device can enable it (not IaC), and S3 refuses lifecycle rules on MFA-delete buckets.",
    justify: (r) =>
      String(block(r.attributes, "versioning_configuration")?.mfa_delete ?? "") === "Enabled"
        ? undefined
        : {
            reason:
              "MFA delete can only be enabled by the bucket owner's root user with its MFA device, by a PutBucketVersioning request carrying a current one-time code " +
              "(AWS S3 user guide \"Configuring MFA delete\"; the provider's `mfa` argument takes that code), so no pipeline can apply it; " +
              "and S3 does not allow lifecycle configuration on an MFA-delete bucket, which these buckets need (ZNBKT7); versioning keeps every overwritten or deleted object version.",
          },
  },
  {
    scanner: "kics",
    id: "4d46ff3b-7160-41d1-a310-71d6d370b08f",
    title: "ECS Task Definition Volume Not Encrypted",
    severity: "HIGH",
    source: kicsSource("ecs_task_definition_volume_not_encrypted"),
    resourceTypes: ["aws_ecs_task_definition"],
    when: "Task definitions whose volumes are all Fargate bind mounts (no EFS configuration): there is no EFS transit to encrypt.",
    justify: (r) => {
      const volumes = blocks(r.attributes, "volume");
      if (volumes.length === 0 || volumes.some((v) => blocks(v, "efs_volume_configuration").length > 0)) return undefined;
      return {
        reason:
          "The query is about EFS transit encryption; these volumes are Fargate task-storage bind mounts with no EFS configuration, so no data travels to an EFS server " +
          "(Fargate encrypts task ephemeral storage itself).",
      };
    },
  },
  {
    scanner: "kics",
    id: "de7f5e83-da88-4046-871f-ea18504b1d43",
    title: "ALB Listening on HTTP",
    severity: "HIGH",
    source: kicsSource("alb_listening_on_http"),
    resourceTypes: ["aws_lb_listener", "aws_alb_listener"],
    when: "HTTP listeners whose every default action redirects to HTTPS (KICS misses cdktf's block arrays).",
    justify: (r) =>
      String(r.attributes.protocol ?? "").toUpperCase() === "HTTP" && redirectsToHttps(r)
        ? { reason: "The HTTP listener only answers with a redirect to HTTPS (301); KICS reads `default_action.redirect.protocol` as nested objects and misses cdktf's one-element block arrays." }
        : undefined,
  },
  {
    scanner: "kics",
    id: "97cb0688-369a-4d26-b1f7-86c4c91231bc",
    title: "ECS Cluster with Container Insights Disabled",
    severity: "LOW",
    source: kicsSource("ecs_cluster_container_insights_disabled"),
    resourceTypes: ["aws_ecs_cluster"],
    when: "Clusters with the containerInsights setting enabled (KICS misses cdktf's block arrays).",
    justify: (r) =>
      blocks(r.attributes, "setting").some((s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"))
        ? { reason: "Container Insights is enabled (`setting` containerInsights); KICS reads `setting.value` as an object and misses cdktf's one-element block array." }
        : undefined,
  },
  {
    scanner: "kics",
    id: "4849211b-ac39-479e-ae78-5694d506cb24",
    title: "Security Group Not Used",
    severity: "INFO",
    // query.rego `is_used`: a reference `aws_security_group.<name>` under a `security_groups`,
    // `security_group_id` or `vpc_security_group_ids` key anywhere in the document.
    source: kicsSource("security_groups_not_used"),
    resourceTypes: ["aws_security_group"],
    when: "Groups an AWS Backup restore testing selection puts its test-restored DB instance in (`restore_metadata_overrides.vpcSecurityGroupIds`, a JSON string KICS does not read).",
    justify: (r, context) => {
      const refs = [`aws_security_group.${r.name}.id`, ...(typeof r.attributes.id === "string" ? [r.attributes.id] : [])];
      const user = context.ofType("aws_backup_restore_testing_selection").find((s) => {
        const overrides = block(s.attributes, "restore_metadata_overrides");
        const ids = String(overrides?.vpcSecurityGroupIds ?? "");
        return refs.some((ref) => ids.includes(ref));
      });
      if (!user) return undefined;
      return {
        reason:
          `Used: the restore testing selection ${user.address} restores the DB instance into this group (restore_metadata_overrides.vpcSecurityGroupIds, ` +
          "a JSON-encoded string as AWS Backup's restore metadata requires); KICS looks for references only under security_groups, security_group_id and vpc_security_group_ids.",
      };
    },
  },
  {
    scanner: "kics",
    id: "bca7cc4d-b3a4-4345-9461-eb69c68fcd26",
    title: "RDS Using Default Port",
    severity: "LOW",
    source: kicsSource("rds_using_default_port"),
    resourceTypes: ["aws_db_instance"],
    when: "DB instances that are not publicly accessible: the port stays 3306, reachable only from the ECS tasks' security group.",
    justify: (r) =>
      isTrue(r.attributes.publicly_accessible)
        ? undefined
        : {
            reason:
              "Kept on 3306: the instance is not publicly accessible, sits in private subnets and its security group admits only the ECS tasks' group, " +
              "so a non-default port hides nothing from anyone who can reach it; ZenML's MySQL URL and every client keep the engine default.",
          },
  },
];

/** One justification of one scanner check on one resource. */
export interface ScannerJustification {
  readonly source: string;
  readonly address: string;
  readonly scanner: Scanner;
  /** IDs the scanner may report (trivy: `AWS-nnnn` and `AVD-AWS-nnnn`). */
  readonly ids: readonly string[];
  readonly title: string;
  readonly reason: string;
  readonly messages?: readonly string[];
}

const key = (r: PolicyResource) => (r.mode === "data" ? `data.${r.type}` : r.type);
const aliases = (c: ScannerCheck) => (c.scanner === "trivy" ? [c.id, `AVD-${c.id}`] : [c.id]);

/** Every justification that holds for the resources of `input`. */
export function scannerJustifications(input: Pick<EvaluationInput, "source" | "resources">, checks: readonly ScannerCheck[] = SCANNER_CHECKS): ScannerJustification[] {
  const context = createContext(input.resources);
  const out: ScannerJustification[] = [];
  for (const resource of input.resources) {
    for (const check of checks.filter((c) => c.resourceTypes.includes(key(resource)))) {
      const j = check.justify(resource, context);
      if (!j) continue;
      out.push({ source: input.source, address: resource.address, scanner: check.scanner, ids: aliases(check), title: check.title, reason: j.reason, ...(j.messages ? { messages: j.messages } : {}) });
    }
  }
  return out.sort((a, b) => a.address.localeCompare(b.address) || a.ids[0].localeCompare(b.ids[0]));
}
