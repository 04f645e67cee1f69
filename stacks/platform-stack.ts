import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { PlatformConfig, ResolvedNetwork } from "../lib/config/schema";
import { EncryptionKey } from "../modules/kms";
import { Network } from "../modules/network";
import { awsProviderAndState } from "./common";

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  /**
   * The validated platform file.
   * @default none (required)
   */
  readonly config: PlatformConfig;
}

/**
 * A network shared by several workspace stacks (files with `"network": { "platform": "<this>" }`):
 * VPC, subnets, NAT and flow logs. Workspaces consume {@link PlatformStack.network} through cdktf
 * cross-stack references (outputs here, `terraform_remote_state` there), so deploy this stack first.
 */
export class PlatformStack extends TerraformStack {
  /** The shared network. */
  public readonly network: Network;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const c = props.config;
    awsProviderAndState(this, c);
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const kms = new EncryptionKey(this, "kms", { name: c.name, accountId, region: c.region }).key;
    this.network = new Network(this, "network", {
      name: c.name,
      cidr: c.network.vpcCidr,
      availabilityZones: availabilityZones(this, c.network),
      subnetNewBits: c.network.subnetNewBits,
      natGateways: c.network.natGateways,
      flowLogRetentionDays: c.network.flowLogRetentionDays,
      kmsKeyArn: kms.arn,
    });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "Shared VPC" });
  }
}

/** The configured AZs, or the first `azCount` AZs the region reports. */
export function availabilityZones(scope: Construct, n: ResolvedNetwork): string[] {
  if (n.availabilityZones) return [...n.availabilityZones];
  const available = new DataAwsAvailabilityZones(scope, "azs", { state: "available" });
  return Array.from({ length: n.azCount }, (_, i) => Fn.element(available.names, i));
}
