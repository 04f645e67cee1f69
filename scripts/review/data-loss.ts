/**
 * Data loss and identity (danger): every delete or replacement of a resource that holds data or an
 * identity others depend on, why Terraform does it (action_reason, replace_paths with before → after
 * of the forcing attribute), and whether prevent_destroy or deletion protection will refuse it.
 */
import { Finding } from "./model";
import { ResourceChange, display, pathText, readable } from "./plan";

type Json = Record<string, any>;

/** Resource types holding data or identity, with what is lost. */
export const DATA_HOLDING: Readonly<Record<string, string>> = {
  aws_db_instance: "the RDS instance and every row of the ZenML database",
  aws_rds_cluster: "the Aurora cluster and its data",
  aws_db_snapshot: "a DB snapshot (a recovery point)",
  aws_db_cluster_snapshot: "a DB cluster snapshot (a recovery point)",
  aws_kms_key: "a KMS key: whatever it encrypts (database, secrets, logs, backups) becomes unreadable once the key is deleted",
  aws_secretsmanager_secret: "a secret and its value (clients holding the ARN break)",
  aws_s3_bucket: "an S3 bucket and its objects",
  aws_cloudwatch_log_group: "a log group and its log history",
  aws_acm_certificate: "a TLS certificate (HTTPS stops until a new one is validated)",
  aws_lb: "the load balancer and its DNS name (CNAMEs pointing at it break)",
  aws_route53_record: "a DNS record (the workspace URL stops resolving)",
  aws_route53_zone: "a hosted zone and its records",
  aws_ecs_cluster: "the ECS cluster (every task stops)",
  aws_dynamodb_table: "a DynamoDB table and its items",
  aws_backup_vault: "a backup vault and its recovery points",
  aws_ecr_repository: "an image repository and its images",
  aws_efs_file_system: "a file system and its files",
};

/** How Terraform explains the action (resource_changes[].action_reason). */
const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: "an attribute that cannot change in place changed",
  replace_because_tainted: "the resource is tainted",
  replace_by_request: "replacement was requested (-replace)",
  replace_by_triggers: "replace_triggered_by fired",
  delete_because_no_resource_config: "it was removed from the configuration",
  delete_because_no_module: "its module was removed",
  delete_because_wrong_repetition: "its count/for_each changed form",
  delete_because_count_index: "its count index is gone",
  delete_because_each_key: "its for_each key is gone",
  delete_because_no_move_target: "a moved block has no target",
};

/** The resource body of the stack configuration (cdk.tf.json), when given. */
function configBody(stackJson: Json | undefined, rc: ResourceChange): Json | undefined {
  return stackJson?.resource?.[rc.type]?.[rc.name];
}

/** What refuses the destroy: prevent_destroy (configuration), deletion protection (prior values). */
function guards(rc: ResourceChange, stackJson: Json | undefined, stateBucket: string | undefined): string[] {
  const out: string[] = [];
  const body = configBody(stackJson, rc);
  if (body?.lifecycle?.prevent_destroy === true) out.push("REFUSED: lifecycle.prevent_destroy is set, so terraform plan/apply stops before touching it");
  const before = (rc.change.before ?? {}) as Json;
  const protectedBy: Array<[string, unknown]> = [
    ["deletion_protection", rc.type === "aws_db_instance" || rc.type === "aws_rds_cluster" ? before.deletion_protection : undefined],
    ["enable_deletion_protection", rc.type === "aws_lb" ? before.enable_deletion_protection : undefined],
    ["deletion_protection_enabled", rc.type === "aws_dynamodb_table" ? before.deletion_protection_enabled : undefined],
  ];
  for (const [attr, value] of protectedBy) {
    if (value === true) out.push(`REFUSED at apply: ${attr} is on, AWS rejects the delete (turn it off first)`);
  }
  if (out.length === 0) out.push("Nothing refuses it: no prevent_destroy, no deletion protection");
  if (rc.type === "aws_db_instance") {
    out.push(
      before.skip_final_snapshot === true
        ? `No final snapshot (skip_final_snapshot = true): the data is gone${before.delete_automated_backups === false ? " but for the retained automated backups (delete_automated_backups = false)" : ", automated backups included"}`
        : `A final snapshot${before.final_snapshot_identifier ? ` ${before.final_snapshot_identifier}` : ""} is taken first`,
    );
  }
  if (rc.type === "aws_kms_key" && before.deletion_window_in_days) out.push(`The key is scheduled for deletion after ${before.deletion_window_in_days} days (cancel with kms:CancelKeyDeletion)`);
  if (rc.type === "aws_secretsmanager_secret") {
    out.push(before.recovery_window_in_days === 0 ? "Recovery window 0: deleted at once" : `Recoverable for ${before.recovery_window_in_days ?? 30} days (restore-secret)`);
  }
  if (rc.type === "aws_s3_bucket") {
    if (stateBucket && before.bucket === stateBucket) out.push("This is the Terraform state bucket of the stacks");
    out.push(before.force_destroy === true ? "Its objects are deleted with it (force_destroy = true)" : "The delete fails unless the bucket is empty (force_destroy = false)");
  }
  return out;
}

/** Danger findings of one change. */
export function dataLossFindings(rc: ResourceChange, stackJson: Json | undefined, stateBucket?: string): Finding[] {
  if (rc.mode !== "managed" || (rc.action !== "delete" && rc.action !== "replace")) return [];
  // ["create","forget"]: the old object is forgotten, not destroyed (scripts/review/state.ts reports it).
  if (rc.action === "replace" && !(rc.change.actions ?? []).includes("delete")) return [];
  const what = DATA_HOLDING[rc.type];
  if (!what) return [];
  const reason = rc.actionReason ? REASONS[rc.actionReason] ?? rc.actionReason : undefined;
  const paths = rc.action === "replace" ? (rc.change.replace_paths ?? []) : [];
  const forcing = paths.filter((p) => JSON.stringify(readable(rc, "before", p)) !== JSON.stringify(readable(rc, "after", p)) || display(rc, "after", p) !== display(rc, "before", p));
  const first = forcing[0] ?? paths[0];
  const changes = (forcing.length ? forcing : paths).map((p) => `\`${pathText(p)}\` ${display(rc, "before", p)} → ${display(rc, "after", p)}`);
  const why = rc.action === "replace" ? (changes.length ? `${changes.join(", ")} forces a new resource` : `replaced${reason ? `: ${reason}` : ""}`) : `deleted${reason ? `: ${reason}` : ""}`;
  const order =
    rc.order === "create-before-destroy"
      ? " The new one is created before the old one is destroyed (create_before_destroy): the old one's data is not copied."
      : rc.order === "delete-before-create"
        ? " The old one is destroyed before the new one exists (delete, then create): unavailable in between."
        : "";
  return [
    {
      severity: "danger",
      kind: "data-loss",
      address: rc.address,
      action: rc.action,
      ...(first ? { attribute: pathText(first), before: display(rc, "before", first), after: display(rc, "after", first) } : {}),
      message: `${rc.action === "replace" ? "Replacing" : "Deleting"} it loses ${what}: ${why}.${order} ${guards(rc, stackJson, stateBucket).join(". ")}.`,
      rule: `review/data-loss/${rc.action}`,
    },
  ];
}
