import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { PlatformConfig } from "../lib/config/schema";
import { EncryptionKey } from "../modules/kms";
import { Network } from "../modules/network";
import { awsProviderAndState, createNetwork } from "./common";

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
    this.network = createNetwork(this, c.name, c.network, kms.arn, { accountId, region: c.region });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId, description: "Shared VPC" });
  }
}
