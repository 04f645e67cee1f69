import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { suppressShortRetention } from "./logging";
import { serviceTrustPolicy } from "../lib/trust-policy";

/** What the rest of a stack needs from a network, however it was made. */
export interface NetworkRefs {
  /** VPC ID. */
  readonly vpcId: string;
  /** Public subnet IDs (ALB), at least 2 AZs. */
  readonly publicSubnetIds: string[];
  /** Private subnet IDs (ECS tasks, RDS), at least 2 AZs. */
  readonly privateSubnetIds: string[];
}

/** Props of {@link Network}. */
export interface NetworkProps {
  /**
   * Base name for Name tags and the flow-log group.
   * @default none (required)
   */
  readonly name: string;
  /**
   * VPC CIDR block.
   * @default none (required)
   */
  readonly cidr: string;
  /**
   * Availability zones; one public and one private subnet is created in each (at least 2).
   * @default none (required)
   */
  readonly availabilityZones: readonly string[];
  /**
   * Bits added to the VPC prefix for each subnet; public subnets take netnums 0..n-1, private
   * subnets n..2n-1 (computed by Terraform's cidrsubnet()).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly subnetNewBits: number;
  /**
   * One NAT gateway shared by all private subnets, or one per AZ (no cross-AZ dependency).
   * @default "single"
   */
  readonly natGateways?: "single" | "perAz";
  /**
   * Retention (days) of the VPC flow-log group.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly flowLogRetentionDays: number;
  /**
   * KMS key ARN that encrypts the flow-log group.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * AWS account ID (scopes the flow-log role's trust policy to this account's flow logs).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region of the VPC (scopes the flow-log role's trust policy).
   * @default none (required)
   */
  readonly region: string;
}

/**
 * The guide's Step 1 network: VPC, public subnets with an internet gateway, private subnets routed
 * through NAT, a default security group stripped of all rules, and VPC flow logs (all traffic) to
 * CloudWatch. Subnets never assign public IPs on launch.
 */
export class Network extends Construct implements NetworkRefs {
  /** The VPC. */
  public readonly vpc: Vpc;
  /** VPC ID. */
  public readonly vpcId: string;
  /** Public subnet IDs, one per AZ (for the ALB and NAT gateways). */
  public readonly publicSubnetIds: string[];
  /** Private subnet IDs, one per AZ (for ECS tasks and RDS). */
  public readonly privateSubnetIds: string[];
  /** NAT gateways (one, or one per AZ). */
  public readonly natGateways: NatGateway[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { name, availabilityZones: azs } = props;
    if (azs.length < 2) throw new Error(`Network ${this.node.path}: at least 2 availability zones are required, got ${azs.length}`);
    const newBits = props.subnetNewBits;

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: `${name}-vpc` },
    });
    this.vpcId = this.vpc.id;
    new DefaultSecurityGroup(this, "default-sg", {
      vpcId: this.vpc.id,
      tags: { Name: `${name}-default-deny` },
    });
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: `${name}-igw` } });

    const subnet = (tier: "public" | "private", index: number, az: string) =>
      new Subnet(this, `${tier}-${index}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: Fn.cidrsubnet(props.cidr, newBits, tier === "public" ? index : azs.length + index),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier}-${index}`, Tier: tier },
      });
    const publicSubnets = azs.map((az, i) => subnet("public", i, az));
    const privateSubnets = azs.map((az, i) => subnet("private", i, az));
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const publicRt = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, "public-default", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
    publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: s.id, routeTableId: publicRt.id }));

    const natCount = props.natGateways === "perAz" ? azs.length : 1;
    this.natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.id,
        subnetId: publicSubnets[i].id,
        tags: { Name: `${name}-nat-${i}` },
        dependsOn: [igw],
      });
    });
    privateSubnets.forEach((s, i) => {
      const rt = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: { Name: `${name}-private-${i}` } });
      new Route(this, `private-default-${i}`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: this.natGateways[Math.min(i, natCount - 1)].id,
      });
      new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: s.id, routeTableId: rt.id });
    });

    const flowLogGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: `/vpc/${name}/flow-logs`,
      retentionInDays: props.flowLogRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    suppressShortRetention(flowLogGroup, props.flowLogRetentionDays, "network.flowLogRetentionDays");
    const role = new IamRole(this, "flow-log-role", {
      name: `${name}-flow-logs`,
      // The flow log names the role, so its ID is unknown here: any flow log of this account and region
      // (Amazon VPC user guide, "IAM role for publishing flow logs to CloudWatch Logs").
      assumeRolePolicy: serviceTrustPolicy(this, "flow-log-assume", "vpc-flow-logs.amazonaws.com", {
        accountId: props.accountId,
        sourceArn: `arn:aws:ec2:${props.region}:${props.accountId}:vpc-flow-log/*`,
      }),
    });
    const write = new DataAwsIamPolicyDocument(this, "flow-log-write", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [flowLogGroup.arn, `${flowLogGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-policy", { name: "write-flow-logs", role: role.id, policy: write.json });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${name}-flow-logs` },
    });
  }
}
