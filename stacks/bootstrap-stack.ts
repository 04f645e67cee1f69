import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecureBucket } from "../modules/secure-bucket";

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
          defaultTags: [{ tags: { Project: "zenml-hybrid", Purpose: "terraform-state", ManagedBy: "cdktf" } }],
        });
        providers.set(region, p);
      }
      return p;
    };
    for (const { name, region } of props.buckets) {
      const state = new SecureBucket(this, `state-${name}`, { bucketName: name, preventDestroy: true, provider: providerFor(region) });
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
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: true,
        lifecycle: { preventDestroy: true },
      });
    }
  }
}
