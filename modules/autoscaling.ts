import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";

/** Props of {@link ServiceAutoscaling}. */
export interface ServiceAutoscalingProps {
  /**
   * Cluster name.
   * @default none (required)
   */
  readonly clusterName: string;
  /**
   * Service name.
   * @default none (required)
   */
  readonly serviceName: string;
  /**
   * Minimum tasks.
   * @default none (required)
   */
  readonly minCapacity: number;
  /**
   * Maximum tasks.
   * @default none (required)
   */
  readonly maxCapacity: number;
  /**
   * Target average CPU utilisation (percent).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly targetCpuPercent: number;
  /**
   * Seconds after a scale-in before another.
   * @default 300
   */
  readonly scaleInCooldownSeconds?: number;
  /**
   * Seconds after a scale-out before another.
   * @default 60
   */
  readonly scaleOutCooldownSeconds?: number;
}

/** The guide's "Auto Scaling": a scalable target and a target-tracking policy on service CPU. */
export class ServiceAutoscaling extends Construct {
  /** The scalable target. */
  public readonly target: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
    });
    new AppautoscalingPolicy(this, "cpu", {
      name: "cpu-target-tracking",
      policyType: "TargetTrackingScaling",
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetCpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleInCooldown: props.scaleInCooldownSeconds ?? 300,
        scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60,
      },
    });
  }
}
