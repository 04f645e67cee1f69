import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EncryptionKey } from "../modules/kms";
import { BUCKET_EXCEPTIONS, SecureBucket, serverAccessLogDelivery } from "../modules/secure-bucket";

/** Name of the access-log bucket of a state bucket (S3 names are at most 63 characters). */
export const accessLogBucketName = (stateBucket: string) => `${stateBucket.slice(0, 51).replace(/[.-]+$/, "")}-access-logs`;

/** A named regional resource (state bucket or lock table). */
export interface RegionalName {
  /** Bucket or table name. */
  readonly name: string;
  /** Its region. */
  readonly region: string;
}

/** Props of {@link StateBootstrapStack}: the distinct state buckets and lock tables of all environments. */
export interface StateLocations {
  /**
   * State buckets to create.
   * @default none (required)
   */
  readonly buckets: readonly RegionalName[];
  /**
   * DynamoDB lock tables to create (environments that lock with DynamoDB instead of the S3 lockfile).
   * @default []
   */
  readonly lockTables?: readonly RegionalName[];
  /**
   * allowed_account_ids of every provider of the stack: the accounts the environment files allow
   * (the union of their `allowedAccountIds`, set only when every file sets it).
   * @default any account
   */
  readonly allowedAccountIds?: readonly string[];
}

/**
 * Creates what the environment stacks' S3 backends need, with local state (it must exist before any
 * remote state can): hardened, versioned buckets protected from `destroy`, and lock tables where
 * configured. Apply it once per account, before the first environment.
 */
export class StateBootstrapStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StateLocations) {
    super(scope, id);
    new LocalBackend(this, { path: "terraform.bootstrap.tfstate" });
    const providers = new Map<string, AwsProvider>();
    const providerFor = (region: string) => {
      let p = providers.get(region);
      if (!p) {
        p = new AwsProvider(this, `aws-${region}`, {
          region,
          alias: providers.size === 0 ? undefined : region.replace(/-/g, "_"),
          allowedAccountIds: props.allowedAccountIds ? [...props.allowedAccountIds] : undefined,
          defaultTags: [{ tags: { Project: "zenml-hybrid", Purpose: "terraform-state", ManagedBy: "cdktf" } }],
        });
        providers.set(region, p);
      }
      return p;
    };
    let accountId: string | undefined;
    const account = () => (accountId ??= new DataAwsCallerIdentity(this, "account", { provider: providerFor(props.buckets[0]?.region ?? "us-east-1") }).accountId);
    // One customer-managed key per region for the state buckets' default encryption and the lock tables.
    const keys = new Map<string, KmsKey>();
    const keyFor = (region: string) => {
      let key = keys.get(region);
      if (!key) {
        key = new EncryptionKey(this, `state-kms-${region}`, {
          name: "zenml-terraform-state",
          description: "Terraform state: default encryption of the state buckets, lock tables",
          accountId: account(),
          region,
          allowLogsAndAlarms: false,
          provider: providerFor(region),
        }).key;
        keys.set(region, key);
        new TerraformOutput(this, `state_kms_key_arn_${region.replace(/-/g, "_")}`, {
          value: key.arn,
          description: `KMS key of the state buckets in ${region}: set it as state.kmsKeyId in the environment files`,
        });
      }
      return key;
    };
    for (const { name, region } of props.buckets) {
      const provider = providerFor(region);
      const logs = new SecureBucket(this, `state-logs-${name}`, {
        bucketName: accessLogBucketName(name),
        provider,
        expirationDays: 365,
        // Like the ALB log bucket: removable with its logs; the state bucket's prevent_destroy still
        // refuses any plan that would destroy the bootstrap stack by accident.
        forceDestroy: true,
        policyStatements: (arn) => [serverAccessLogDelivery(arn, account(), [`arn:aws:s3:::${name}`])],
        suppressions: [
          { ruleId: "ZNBKT3", reason: "S3 server access log delivery only supports SSE-S3 (AES256) on the target bucket, not SSE-KMS." },
          { ruleId: "ZNBKT8", reason: "This is the access-log bucket of the state bucket: logging its own access would recurse." },
          BUCKET_EXCEPTIONS.noEventConsumers,
          { ruleId: "ZNBKT10", reason: "Access logs are audit data kept 365 days in the state bucket's region; no cross-region copy is required." },
        ],
      });
      const state = new SecureBucket(this, `state-${name}`, {
        bucketName: name,
        preventDestroy: true,
        provider,
        kmsKeyArn: keyFor(region).arn,
        accessLogs: { bucket: logs.bucket.id, prefix: `${name}/`, dependsOn: [logs.policy] },
        suppressions: [BUCKET_EXCEPTIONS.noEventConsumers, BUCKET_EXCEPTIONS.noReplication],
      });
      new TerraformOutput(this, `bucket-${name}`, { value: state.bucket.arn, description: `State bucket ${name}` });
    }
    for (const { name, region } of props.lockTables ?? []) {
      new DynamodbTable(this, `lock-${region}-${name}`, {
        provider: providerFor(region),
        name,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: keyFor(region).arn },
        deletionProtectionEnabled: true,
        lifecycle: { preventDestroy: true },
      });
    }
  }
}
