import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { suppress } from "../lib/policy/suppress";
import { DEFAULT_RDS_CA } from "../lib/rds-ca";
import { serviceTrustPolicy } from "../lib/trust-policy";

/** Props of {@link Database}. */
export interface DatabaseProps {
  /**
   * Base name; the instance is `<name>-db` (the guide's `zenml-hybrid-db`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * Private subnets of the DB subnet group.
   * @default none (required)
   */
  readonly subnetIds: string[];
  /**
   * The RDS security group.
   * @default none (required)
   */
  readonly securityGroupId: string;
  /**
   * KMS key for storage, Performance Insights and the RDS-managed master secret.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * AWS account ID (scopes the enhanced-monitoring role's trust policy to this instance).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region of the instance (scopes the enhanced-monitoring role's trust policy).
   * @default none (required)
   */
  readonly region: string;
  /**
   * MySQL major version ("8.0" or "8.4"); also selects the parameter-group family.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly engineVersion: string;
  /**
   * Instance class.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly instanceClass: string;
  /**
   * Initial storage in GiB.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly allocatedStorageGb: number;
  /**
   * Storage autoscaling ceiling in GiB (greater than allocated).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly maxAllocatedStorageGb: number;
  /**
   * Multi-AZ standby.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly multiAz: boolean;
  /**
   * Automated backup retention in days.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly backupRetentionDays: number;
  /**
   * Deletion protection.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly deletionProtection: boolean;
  /**
   * Skip the final snapshot on delete; when false the snapshot is `<name>-db-final`.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly skipFinalSnapshot: boolean;
  /**
   * Performance Insights (KMS-encrypted, 7 days retention).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly performanceInsights: boolean;
  /**
   * Enhanced monitoring interval in seconds; 0 disables it.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly monitoringIntervalSeconds: number;
  /**
   * Initial database.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly databaseName: string;
  /**
   * Master user; RDS generates its password and keeps it in Secrets Manager.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly username: string;
  /**
   * Set `require_secure_transport` so only TLS connections are accepted.
   * @default true
   */
  readonly requireTls?: boolean;
  /**
   * Daily backup window (UTC).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly backupWindow: string;
  /**
   * Weekly maintenance window (UTC).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly maintenanceWindow: string;
  /**
   * Certificate authority of the server certificate (pinned so a CA change is a reviewed change; the
   * server verifies it against the region's RDS CA bundle, which contains every current RDS CA).
   * @default "rds-ca-rsa2048-g1"
   */
  readonly caCertIdentifier?: string;
}

/** Slow query threshold (seconds) for the slow query log exported to CloudWatch. */
const LONG_QUERY_TIME_SECONDS = "2";

/**
 * The guide's Step 2 database: RDS MySQL in private subnets, encrypted with the environment's KMS
 * key, storage autoscaling, backups, error/general/slowquery logs to CloudWatch, and a master
 * password generated and stored by RDS in Secrets Manager (it never enters Terraform state).
 */
export class Database extends Construct {
  /** The instance. */
  public readonly instance: DbInstance;
  /** ARN of the RDS-managed secret holding `{"username","password"}`. */
  public readonly masterSecretArn: string;
  /** Database name. */
  public readonly databaseName: string;
  /** CA of the instance's server certificate (`ca_cert_identifier`). */
  public readonly caCertIdentifier: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const version = props.engineVersion;
    this.databaseName = props.databaseName;
    const subnetGroup = new DbSubnetGroup(this, "subnets", {
      name: `${props.name}-db`,
      description: "ZenML RDS: private subnets",
      subnetIds: props.subnetIds,
    });
    const parameters = new DbParameterGroup(this, "parameters", {
      name: `${props.name}-mysql${version.replace(".", "")}`,
      family: `mysql${version}`,
      description: `ZenML MySQL ${version}: TLS, slow and general logs`,
      parameter: [
        { name: "require_secure_transport", value: props.requireTls === false ? "0" : "1" },
        { name: "general_log", value: "1" },
        { name: "slow_query_log", value: "1" },
        { name: "long_query_time", value: LONG_QUERY_TIME_SECONDS },
        { name: "log_output", value: "FILE" },
      ],
      lifecycle: { createBeforeDestroy: true },
    });

    const identifier = `${props.name}-db`;
    const interval = props.monitoringIntervalSeconds;
    let monitoringRoleArn: string | undefined;
    if (interval > 0) {
      // aws:SourceArn is the DB instance (Amazon RDS user guide, "Setting up and enabling Enhanced
      // Monitoring": protecting against the confused deputy problem). The instance names this role,
      // so its ARN is built from the identifier instead of referenced (that would be a cycle).
      const role = new IamRole(this, "monitoring-role", {
        name: `${props.name}-rds-monitoring`,
        assumeRolePolicy: serviceTrustPolicy(this, "monitoring-assume", "monitoring.rds.amazonaws.com", {
          accountId: props.accountId,
          sourceArn: `arn:aws:rds:${props.region}:${props.accountId}:db:${identifier}`,
        }),
      });
      new IamRolePolicyAttachment(this, "monitoring-policy", {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      });
      monitoringRoleArn = role.arn;
    }

    const pi = props.performanceInsights;
    const skipFinal = props.skipFinalSnapshot;
    this.caCertIdentifier = props.caCertIdentifier ?? DEFAULT_RDS_CA;
    this.instance = new DbInstance(this, "instance", {
      identifier,
      engine: "mysql",
      engineVersion: version,
      instanceClass: props.instanceClass,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.maxAllocatedStorageGb,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbName: this.databaseName,
      username: props.username,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      iamDatabaseAuthenticationEnabled: true,
      multiAz: props.multiAz,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      port: 3306,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: props.deletionProtection,
      skipFinalSnapshot: skipFinal,
      finalSnapshotIdentifier: skipFinal ? undefined : `${props.name}-db-final`,
      enabledCloudwatchLogsExports: ["error", "general", "slowquery"],
      autoMinorVersionUpgrade: true,
      performanceInsightsEnabled: pi,
      performanceInsightsKmsKeyId: pi ? props.kmsKeyArn : undefined,
      performanceInsightsRetentionPeriod: pi ? 7 : undefined,
      monitoringInterval: interval,
      monitoringRoleArn,
      caCertIdentifier: this.caCertIdentifier,
      applyImmediately: false,
    });
    // Configured opt-outs (the dev preset's cost profile) are recorded as explicit policy exceptions.
    const optOuts: [boolean, string, string][] = [
      [!props.multiAz, "ZNRDS6", "Single-AZ by configuration (database.multiAz=false, the dev preset default)."],
      [!props.deletionProtection, "ZNRDS5", "Deletion protection off by configuration (database.deletionProtection=false, the dev preset default)."],
      [!pi, "ZNRDS9", "Performance Insights off by configuration (database.performanceInsights; unsupported on micro/small classes)."],
      [interval === 0, "ZNRDS8", "Enhanced monitoring off by configuration (database.monitoringIntervalSeconds=0)."],
      [props.requireTls === false, "ZNRDS14", "TLS not required by configuration (database.requireTls=false)."],
    ];
    for (const [applies, ruleId, reason] of optOuts) if (applies) suppress(this.instance, ruleId, reason);
    this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;
  }
}
