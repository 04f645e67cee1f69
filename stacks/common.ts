import { Construct } from "constructs";
import { Fn, S3Backend, TerraformStack } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ResolvedNetwork, ResolvedState } from "../lib/config/schema";
import { Network } from "../modules/network";

/** What every environment or platform stack sets up first. */
export interface StackBase {
  readonly envName: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: ResolvedState;
  /** The provider's allowed_account_ids; undefined: any account. */
  readonly allowedAccountIds?: readonly string[];
}

/** Default tags of every AWS provider of a stack (the project's tags, then the file's `tags`). */
export function stackTags(c: StackBase): Record<string, string> {
  return { Project: "zenml-hybrid", Environment: c.envName, ManagedBy: "cdktf", ...c.tags };
}

/**
 * The AWS provider (region, allowed accounts, default tags) and the S3 backend (encrypted; S3-native lockfile unless a
 * DynamoDB lock table is configured) of a stack.
 */
export function awsProviderAndState(stack: TerraformStack, c: StackBase): AwsProvider {
  const provider = new AwsProvider(stack, "aws", {
    region: c.region,
    allowedAccountIds: c.allowedAccountIds ? [...c.allowedAccountIds] : undefined,
    defaultTags: [{ tags: stackTags(c) }],
  });
  new S3Backend(stack, {
    bucket: c.state.bucket,
    key: c.state.key,
    region: c.state.region,
    encrypt: true,
    kmsKeyId: c.state.kmsKeyId,
    dynamodbTable: c.state.dynamodbTable,
  });
  if (!c.state.dynamodbTable) stack.addOverride("terraform.backend.s3.use_lockfile", true);
  return provider;
}

/** Where a new network is created: the account (from the caller identity) and region of its stack. */
export interface NetworkPlacement {
  readonly accountId: string;
  readonly region: string;
}

/** A new network from the resolved settings (AZs as configured, or the first `azCount` the region reports). */
export function createNetwork(scope: Construct, name: string, n: ResolvedNetwork, kmsKeyArn: string, placement: NetworkPlacement): Network {
  let azs = n.availabilityZones ? [...n.availabilityZones] : undefined;
  if (!azs) {
    const available = new DataAwsAvailabilityZones(scope, "azs", { state: "available" });
    azs = Array.from({ length: n.azCount }, (_, i) => Fn.element(available.names, i));
  }
  return new Network(scope, "network", {
    name,
    cidr: n.vpcCidr,
    availabilityZones: azs,
    subnetNewBits: n.subnetNewBits,
    natGateways: n.natGateways,
    flowLogRetentionDays: n.flowLogRetentionDays,
    kmsKeyArn,
    ...placement,
  });
}
