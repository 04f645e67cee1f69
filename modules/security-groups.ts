import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { suppress } from "../lib/policy/suppress";

/** Props of {@link SecurityGroups}. */
export interface SecurityGroupsProps {
  /**
   * Base name of the three groups (`<name>-alb`, `<name>-ecs`, `<name>-rds`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * VPC of the groups.
   * @default none (required)
   */
  readonly vpcId: string;
  /**
   * Port the ZenML server container listens on.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly appPort: number;
  /**
   * MySQL port.
   * @default 3306
   */
  readonly dbPort?: number;
}

/**
 * The guide's three security groups with exactly its rules, each a separate described rule resource:
 *
 * | group | direction | port | peer |
 * |-------|-----------|------|------|
 * | ALB | in  | 443, 80 | 0.0.0.0/0 |
 * | ALB | out | app port (8080) | ECS group |
 * | ECS | in  | app port (8080) | ALB group |
 * | ECS | out | 443 | 0.0.0.0/0 (ZenML control plane, ECR, Secrets Manager via NAT) |
 * | ECS | out | 3306 | RDS group |
 * | RDS | in  | 3306 | ECS group |
 *
 * The RDS group has no egress rule: RDS never opens connections, and Terraform-created groups start
 * without AWS's default allow-all egress.
 */
export class SecurityGroups extends Construct {
  /** Group of the load balancer. */
  public readonly alb: SecurityGroup;
  /** Group of the ECS tasks. */
  public readonly ecs: SecurityGroup;
  /** Group of the RDS instance. */
  public readonly rds: SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const appPort = props.appPort;
    const dbPort = props.dbPort ?? 3306;
    const group = (key: string, description: string) =>
      new SecurityGroup(this, key, {
        name: `${props.name}-${key}`,
        description,
        vpcId: props.vpcId,
        tags: { Name: `${props.name}-${key}` },
        lifecycle: { createBeforeDestroy: true },
      });
    this.alb = group("alb", "ZenML ALB: HTTPS/HTTP from clients, to ECS tasks");
    this.ecs = group("ecs", "ZenML ECS tasks: from ALB, to RDS and HTTPS egress");
    this.rds = group("rds", "ZenML RDS MySQL: from ECS tasks only");

    const rule = (
      key: string,
      sg: SecurityGroup,
      type: "ingress" | "egress",
      port: number,
      description: string,
      peer: { cidr: string } | { group: SecurityGroup },
    ) =>
      new SecurityGroupRule(this, key, {
        securityGroupId: sg.id,
        type,
        protocol: "tcp",
        fromPort: port,
        toPort: port,
        description,
        ...("cidr" in peer ? { cidrBlocks: [peer.cidr] } : { sourceSecurityGroupId: peer.group.id }),
      });
    const https = rule("alb-in-https", this.alb, "ingress", 443, "HTTPS from clients", { cidr: "0.0.0.0/0" });
    suppress(https, "ZNVPC5", "The guide's design: the public ALB serves the workspace to clients on the internet over HTTPS.");
    const http = rule("alb-in-http", this.alb, "ingress", 80, "HTTP from clients (redirected to HTTPS)", { cidr: "0.0.0.0/0" });
    suppress(http, "ZNVPC5", "The guide's design: port 80 on the public ALB only answers with a redirect to HTTPS (HTTP_301).");
    rule("alb-out-app", this.alb, "egress", appPort, "To ZenML server tasks", { group: this.ecs });
    rule("ecs-in-app", this.ecs, "ingress", appPort, "From the ALB", { group: this.alb });
    const egress = rule("ecs-out-https", this.ecs, "egress", 443, "HTTPS to ZenML Cloud, ECR, Secrets Manager, CloudWatch", { cidr: "0.0.0.0/0" });
    suppress(
      egress,
      "ZNVPC6",
      "The guide's design: the server calls the ZenML Pro control plane (cloudapi.zenml.io) and AWS APIs over HTTPS 443 through NAT; only port 443 is open.",
    );
    rule("ecs-out-mysql", this.ecs, "egress", dbPort, "MySQL to RDS", { group: this.rds });
    rule("rds-in-mysql", this.rds, "ingress", dbPort, "MySQL from ZenML server tasks", { group: this.ecs });
  }
}
