import { Construct } from "constructs";
import { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { ResolvedHealthCheck } from "../lib/config/schema";
import { suppress } from "../lib/policy/suppress";
import { BUCKET_EXCEPTIONS, SecureBucket } from "./secure-bucket";

/** Props of {@link LoadBalancer}. */
export interface LoadBalancerProps {
  /**
   * Base name (`<name>-alb`, `<name>-tg`, access-log bucket `<name>-alb-logs-<account>-<region>`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * AWS account ID (access-log bucket name and delivery policy).
   * @default none (required)
   */
  readonly accountId: string;
  /**
   * Region of the ALB.
   * @default none (required)
   */
  readonly region: string;
  /**
   * The region's ELB log-delivery account, or null for regions that deliver with the
   * `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
   * @default none (required)
   */
  readonly elbLogDeliveryAccountId: string | null;
  /**
   * VPC of the target group.
   * @default none (required)
   */
  readonly vpcId: string;
  /**
   * Public subnets (at least 2 AZs).
   * @default none (required)
   */
  readonly subnetIds: string[];
  /**
   * The ALB security group.
   * @default none (required)
   */
  readonly securityGroupId: string;
  /**
   * Certificate of the HTTPS listener.
   * @default none (required)
   */
  readonly certificateArn: string;
  /**
   * HTTPS listener security policy.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly sslPolicy: string;
  /**
   * Port of the targets and of their health check (ZenML's server image listens on 8080).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly targetPort: number;
  /**
   * ALB deletion protection.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly deletionProtection: boolean;
  /**
   * Idle timeout in seconds.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly idleTimeoutSeconds: number;
  /**
   * Days access logs are kept.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly accessLogRetentionDays: number;
  /**
   * Health check of the target group: path, interval, timeout, thresholds and matcher (the config's
   * `loadBalancer.healthCheck`, resolved).
   * @default none (required)
   */
  readonly healthCheck: ResolvedHealthCheck;
  /**
   * ARN of an AWS WAFv2 web ACL (scope REGIONAL) to associate with the ALB.
   * @default no WAF (policy rule ZNALB10 is suppressed as optional)
   */
  readonly webAclArn?: string;
}

/**
 * The guide's Step 7: an internet-facing ALB in the public subnets with access logs, an `ip` target
 * group on the server's port with the configured health check (the guide's: /health, 30 s interval, 5 s timeout, 2 healthy,
 * 3 unhealthy), an HTTPS listener forwarding to it and an HTTP listener redirecting to HTTPS.
 */
export class LoadBalancer extends Construct {
  /** The load balancer. */
  public readonly alb: Lb;
  /** The target group of the ZenML server tasks. */
  public readonly targetGroup: LbTargetGroup;
  /** The HTTPS listener (the service depends on it). */
  public readonly httpsListener: LbListener;
  /** The HTTP → HTTPS redirect listener. */
  public readonly httpListener: LbListener;
  /** The access-log bucket. */
  public readonly accessLogs: SecureBucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const port = props.targetPort;
    const prefix = "alb";
    this.accessLogs = new SecureBucket(this, "access-logs", {
      bucketName: `${props.name}-alb-logs-${props.accountId}-${props.region}`,
      expirationDays: props.accessLogRetentionDays,
      forceDestroy: true,
      policyStatements: (bucketArn) => logDeliveryStatements(bucketArn, prefix, props),
      suppressions: [
        { ruleId: "ZNBKT3", reason: "ALB access-log delivery only supports SSE-S3 (AES256) on the target bucket, not SSE-KMS." },
        { ruleId: "ZNBKT8", reason: "This is a log bucket: logging its own access would recurse; reads are audited by CloudTrail." },
        BUCKET_EXCEPTIONS.noEventConsumers,
        { ruleId: "ZNBKT10", reason: "Access logs are operational data with a retention limit; no cross-region copy is required." },
      ],
    });

    this.alb = new Lb(this, "alb", {
      name: `${props.name}-alb`,
      loadBalancerType: "application",
      internal: false,
      subnets: props.subnetIds,
      securityGroups: [props.securityGroupId],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: props.deletionProtection,
      idleTimeout: props.idleTimeoutSeconds,
      accessLogs: { bucket: this.accessLogs.bucket.id, prefix, enabled: true },
      dependsOn: [this.accessLogs.policy],
    });
    suppress(this.alb, "ZNALB4", "The guide's design: the workspace API and dashboard are served to clients on the internet (HTTPS 443, HTTP 80 redirected).");
    if (props.webAclArn) {
      new Wafv2WebAclAssociation(this, "waf", { resourceArn: this.alb.arn, webAclArn: props.webAclArn });
    } else {
      suppress(this.alb, "ZNALB10", "AWS WAF is optional in the guide; pass webAclArn to associate a web ACL.");
    }
    if (!props.deletionProtection) {
      suppress(this.alb, "ZNALB3", "Deletion protection is off by configuration (loadBalancer.deletionProtection=false, the dev preset default).");
    }
    this.targetGroup = new LbTargetGroup(this, "tg", {
      name: `${props.name}-tg`,
      port,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: props.vpcId,
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        path: props.healthCheck.path,
        port: String(port),
        interval: props.healthCheck.intervalSeconds,
        timeout: props.healthCheck.timeoutSeconds,
        healthyThreshold: props.healthCheck.healthyThreshold,
        unhealthyThreshold: props.healthCheck.unhealthyThreshold,
        matcher: props.healthCheck.matcher,
      },
      lifecycle: { createBeforeDestroy: true },
    });
    suppress(
      this.targetGroup,
      "ZNALB7",
      `The guide's design: TLS terminates at the ALB; targets are reached over HTTP on port ${port} inside the VPC, only from the ALB security group.`,
    );
    this.httpsListener = new LbListener(this, "https", {
      loadBalancerArn: this.alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: props.sslPolicy,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
    });
    this.httpListener = new LbListener(this, "http", {
      loadBalancerArn: this.alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } }],
    });
  }
}

/** Bucket policy statement that lets the region's ELB service write access logs. */
function logDeliveryStatements(bucketArn: string, prefix: string, props: LoadBalancerProps): DataAwsIamPolicyDocumentStatement[] {
  const principal = props.elbLogDeliveryAccountId
    ? { type: "AWS", identifiers: [`arn:aws:iam::${props.elbLogDeliveryAccountId}:root`] }
    : { type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] };
  return [
    {
      sid: "ElbLogDelivery",
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/${prefix}/AWSLogs/${props.accountId}/*`],
      principals: [principal],
    },
  ];
}
