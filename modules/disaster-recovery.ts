import { Construct } from "constructs";
import { BackupPlan } from "@cdktf/provider-aws/lib/backup-plan";
import { BackupRestoreTestingPlan } from "@cdktf/provider-aws/lib/backup-restore-testing-plan";
import { BackupRestoreTestingSelection } from "@cdktf/provider-aws/lib/backup-restore-testing-selection";
import { BackupSelection } from "@cdktf/provider-aws/lib/backup-selection";
import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import { DbInstanceAutomatedBackupsReplication } from "@cdktf/provider-aws/lib/db-instance-automated-backups-replication";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Fn } from "cdktf";
import { EncryptionKey } from "./kms";
import { serviceTrustPolicy } from "../lib/trust-policy";

/** AWS managed policies of the AWS Backup service role (backup jobs, and restores incl. restore tests). */
export const BACKUP_SERVICE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
] as const;

/** Props of {@link BackupReplication}. */
export interface BackupReplicationProps {
  /**
   * Base name; the key in the DR region gets the alias `alias/<name>-db-backups-dr`.
   * @default none (required)
   */
  readonly name: string;
  /**
   * AWS account ID (administers the DR key).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region that receives the copies.
   * @default none (required)
   */
  readonly region: string;
  /**
   * ARN of the source DB instance.
   * @default none (required)
   */
  readonly sourceDbInstanceArn: string;
  /**
   * Days RDS keeps the replicated backups.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly retentionDays: number;
  /**
   * Default tags of the DR-region provider (the stack's tags, so resources there are tagged alike).
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * The DR-region provider's allowed_account_ids (the stack's `allowedAccountIds`, so a plan with
   * credentials of another account fails in the DR region too).
   * @default any account
   */
  readonly allowedAccountIds?: readonly string[];
}

/**
 * The guide's backups in a second region: RDS replicates the automated backups (snapshots and
 * transaction logs, so point-in-time restore works there) of the instance to `region`, encrypted
 * with a customer-managed key of that region. Uses its own aliased AWS provider for the DR region.
 */
export class BackupReplication extends Construct {
  /** The provider of the DR region (alias `dr`). */
  public readonly provider: AwsProvider;
  /** The KMS key of the DR region that encrypts the copies. */
  public readonly key: EncryptionKey;
  /** The replication. */
  public readonly replication: DbInstanceAutomatedBackupsReplication;

  constructor(scope: Construct, id: string, props: BackupReplicationProps) {
    super(scope, id);
    this.provider = new AwsProvider(this, "provider", {
      alias: "dr",
      region: props.region,
      allowedAccountIds: props.allowedAccountIds ? [...props.allowedAccountIds] : undefined,
      defaultTags: props.tags ? [{ tags: { ...props.tags } }] : undefined,
    });
    this.key = new EncryptionKey(this, "kms", {
      name: `${props.name}-db-backups-dr`,
      accountId: props.accountId,
      region: props.region,
      allowLogsAndAlarms: false,
      description: `${props.name}: replicated RDS automated backups (disaster recovery copy)`,
      provider: this.provider,
    });
    this.replication = new DbInstanceAutomatedBackupsReplication(this, "replication", {
      provider: this.provider,
      sourceDbInstanceArn: props.sourceDbInstanceArn,
      kmsKeyId: this.key.key.arn,
      retentionPeriod: props.retentionDays,
    });
  }
}

/** Props of {@link RestoreTesting}. */
export interface RestoreTestingProps {
  /**
   * Base name of the vault, plan, role (`<name>-db-backup`) and restore testing plan
   * (`<name>_db_restore_test`, hyphens become underscores as AWS Backup requires).
   * @default none (required)
   */
  readonly name: string;
  /**
   * ARN of the DB instance to back up and test.
   * @default none (required)
   */
  readonly dbInstanceArn: string;
  /**
   * AWS account ID (scopes the AWS Backup role's trust policy to this account).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * DB subnet group the test restores into (the environment's own, never the default VPC).
   * @default none (required)
   */
  readonly dbSubnetGroupName: string;
  /**
   * VPC of that subnet group; the restored instance gets a security group of its own there.
   * @default none (required)
   */
  readonly vpcId: string;
  /**
   * Hours AWS Backup keeps the restored instance for validation before deleting it (1-168).
   * @default 1
   */
  readonly validationWindowHours?: number;
  /**
   * KMS key of the backup vault.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * Days AWS Backup keeps each recovery point.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly retentionDays: number;
  /**
   * When AWS Backup takes the daily snapshot (UTC), after the RDS backup window.
   * @default "cron(0 4 * * ? *)"
   */
  readonly backupSchedule?: string;
  /**
   * When the restore test runs (UTC).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly restoreTestingSchedule: string;
}

/**
 * The guide's periodic restore test: AWS Backup snapshots the database daily into a vault, and an
 * AWS Backup restore testing plan restores the latest recovery point on a schedule (into a new,
 * temporary instance it deletes after the validation window), reporting each job's status.
 */
export class RestoreTesting extends Construct {
  /** The backup vault. */
  public readonly vault: BackupVault;
  /** The backup plan. */
  public readonly plan: BackupPlan;
  /** Service role of backups and restore tests. */
  public readonly role: IamRole;
  /** The restore testing plan. */
  public readonly testingPlan: BackupRestoreTestingPlan;
  /** The restore testing selection (the DB instance). */
  public readonly testingSelection: BackupRestoreTestingSelection;
  /** Security group of the test-restored instance: no ingress, no egress. */
  public readonly restoreSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: RestoreTestingProps) {
    super(scope, id);
    const base = `${props.name}-db-backup`;
    this.vault = new BackupVault(this, "vault", { name: base, kmsKeyArn: props.kmsKeyArn });
    this.role = new IamRole(this, "role", {
      name: base,
      description: "AWS Backup: daily snapshots of the ZenML database and scheduled restore tests",
      // aws:SourceAccount only: AWS Backup documents aws:SourceArn for resource policies (the vault,
      // for SNS notifications), not for the service role it assumes for backup plans, restores and
      // restore tests (AWS Backup developer guide, "Cross-service confused deputy prevention").
      assumeRolePolicy: serviceTrustPolicy(this, "assume", "backup.amazonaws.com", { accountId: props.accountId }),
    });
    BACKUP_SERVICE_POLICIES.forEach((policyArn, i) =>
      new IamRolePolicyAttachment(this, `role-policy-${i}`, { role: this.role.name, policyArn }));

    this.plan = new BackupPlan(this, "plan", {
      name: base,
      rule: [
        {
          ruleName: "daily",
          targetVaultName: this.vault.name,
          schedule: props.backupSchedule ?? "cron(0 4 * * ? *)",
          lifecycle: { deleteAfter: props.retentionDays },
        },
      ],
    });
    new BackupSelection(this, "selection", {
      name: base,
      planId: this.plan.id,
      iamRoleArn: this.role.arn,
      resources: [props.dbInstanceArn],
    });

    const testName = `${props.name.replace(/-/g, "_")}_db_restore_test`;
    this.testingPlan = new BackupRestoreTestingPlan(this, "testing-plan", {
      name: testName,
      scheduleExpression: props.restoreTestingSchedule,
      recoveryPointSelection: [
        {
          algorithm: "LATEST_WITHIN_WINDOW",
          includeVaults: [this.vault.arn],
          recoveryPointTypes: ["SNAPSHOT"],
          selectionWindowDays: 7,
        },
      ],
    });
    // Nothing connects to the test instance: AWS Backup only checks that the restore completes. Terraform
    // removes AWS's default allow-all egress rule from groups it creates, so this group has no rules.
    this.restoreSecurityGroup = new SecurityGroup(this, "restore-test-sg", {
      name: `${props.name}-db-restore-test`,
      description: "ZenML DB restore tests: no ingress, no egress",
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-db-restore-test` },
    });
    this.testingSelection = new BackupRestoreTestingSelection(this, "testing-selection", {
      name: "zenml_db",
      restoreTestingPlanName: this.testingPlan.name,
      protectedResourceType: "RDS",
      protectedResourceArns: [props.dbInstanceArn],
      iamRoleArn: this.role.arn,
      validationWindowHours: props.validationWindowHours ?? 1,
      // AWS Backup infers the default VPC and its default security group otherwise, and the restore fails
      // where the default VPC was deleted (AWS Backup guide, "Restore testing inferred metadata": RDS
      // instances accept the overrides dbSubnetGroupName and vpcSecurityGroupIds; the latter, like every
      // restore metadata value, is a string: a JSON array of group IDs).
      restoreMetadataOverrides: {
        dbSubnetGroupName: props.dbSubnetGroupName,
        vpcSecurityGroupIds: Fn.jsonencode([this.restoreSecurityGroup.id]),
      },
    });
  }
}
