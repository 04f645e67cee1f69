import { Construct } from "constructs";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { NetworkRefs } from "./network";

/** A subnet of an existing VPC, with the AZ the config expects it in. */
export interface ExistingSubnet {
  /** Subnet ID. */
  readonly id: string;
  /** Expected availability zone. */
  readonly availabilityZone: string;
}

/** Props of {@link ExistingNetwork}. */
export interface ExistingNetworkProps {
  /**
   * The existing VPC.
   * @default none (required)
   */
  readonly vpcId: string;
  /**
   * Public subnets (ALB), in at least 2 AZs.
   * @default none (required)
   */
  readonly publicSubnets: readonly ExistingSubnet[];
  /**
   * Private subnets (ECS, RDS), routed through NAT, in at least 2 AZs.
   * @default none (required)
   */
  readonly privateSubnets: readonly ExistingSubnet[];
}

/**
 * Bring-your-own network: nothing is created. Each subnet is read with a data source whose
 * postconditions fail the plan if it is not in the VPC or not in the AZ the config says, so a typo
 * never spreads a workspace over one AZ.
 */
export class ExistingNetwork extends Construct implements NetworkRefs {
  /** VPC ID. */
  public readonly vpcId: string;
  /** Public subnet IDs. */
  public readonly publicSubnetIds: string[];
  /** Private subnet IDs. */
  public readonly privateSubnetIds: string[];

  constructor(scope: Construct, id: string, props: ExistingNetworkProps) {
    super(scope, id);
    for (const [tier, subnets] of [["public", props.publicSubnets], ["private", props.privateSubnets]] as const) {
      if (new Set(subnets.map((s) => s.availabilityZone)).size < 2) {
        throw new Error(`ExistingNetwork ${this.node.path}: ${tier} subnets must span at least 2 availability zones`);
      }
    }
    this.vpcId = props.vpcId;
    const lookup = (tier: string) => (subnet: ExistingSubnet, i: number) =>
      new DataAwsSubnet(this, `${tier}-${i}`, {
        id: subnet.id,
        lifecycle: {
          postcondition: [
            { condition: `\${self.vpc_id == "${props.vpcId}"}`, errorMessage: `${subnet.id} is not in ${props.vpcId}` },
            {
              condition: `\${self.availability_zone == "${subnet.availabilityZone}"}`,
              errorMessage: `${subnet.id} is not in ${subnet.availabilityZone} as configured`,
            },
          ],
        },
      }).id;
    this.publicSubnetIds = props.publicSubnets.map(lookup("public"));
    this.privateSubnetIds = props.privateSubnets.map(lookup("private"));
  }
}
