import { Construct } from "constructs";
import { ANY_IN_FIVE_MINUTES } from "../lib/alarm-defaults";
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";

/** Props of {@link Alarms}. */
export interface AlarmsProps {
  /**
   * Base name of the topic and alarms.
   * @default none (required)
   */
  readonly name: string;
  /**
   * KMS key that encrypts the SNS topic.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * E-mail address subscribed to the topic.
   * @default no subscription
   */
  readonly alarmEmail?: string;
  /**
   * ECS cluster name.
   * @default none (required)
   */
  readonly clusterName: string;
  /**
   * ECS service name.
   * @default none (required)
   */
  readonly serviceName: string;
  /**
   * ALB ARN suffix (the `LoadBalancer` metric dimension).
   * @default none (required)
   */
  readonly loadBalancerArnSuffix: string;
  /**
   * Target group ARN suffix (the `TargetGroup` metric dimension).
   * @default none (required)
   */
  readonly targetGroupArnSuffix: string;
  /**
   * RDS instance identifier.
   * @default none (required)
   */
  readonly dbInstanceIdentifier: string;
  /**
   * Namespace and name of the ERROR/CRITICAL log-line metric.
   * @default none (required)
   */
  readonly errorMetric: { readonly namespace: string; readonly name: string };
  /**
   * ECS service average CPU alarm threshold (percent).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly cpuPercent: number;
  /**
   * RDS CPU alarm threshold (percent).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly dbCpuPercent: number;
  /**
   * RDS free storage alarm threshold (GiB).
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly dbFreeStorageGb: number;
  /**
   * RDS connection count alarm threshold.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly dbConnections: number;
}

/**
 * The guide's CloudWatch alarms (high CPU, tasks exiting, unhealthy targets) and its database
 * monitoring items (CPU, connections, free storage), plus server ERROR/CRITICAL log lines, all
 * notifying one KMS-encrypted SNS topic.
 */
export class Alarms extends Construct {
  /** The notification topic. */
  public readonly topic: SnsTopic;
  /** Alarms by short key (ecs-cpu, ecs-running-tasks, alb-unhealthy-targets, rds-cpu, ...). */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, "topic", { name: `${props.name}-alarms`, kmsMasterKeyId: props.kmsKeyArn });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.alarmEmail });
    }
    const actions = { alarmActions: [this.topic.arn], okActions: [this.topic.arn] };
    const alarm = (key: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmName">) => {
      this.alarms[key] = new CloudwatchMetricAlarm(this, key, { alarmName: `${props.name}-${key}`, ...actions, ...config });
    };
    const ecs = { ClusterName: props.clusterName, ServiceName: props.serviceName };
    const rds = { DBInstanceIdentifier: props.dbInstanceIdentifier };

    alarm("ecs-cpu", {
      alarmDescription: "ZenML server average CPU above threshold",
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      dimensions: ecs,
      statistic: "Average",
      period: 300,
      evaluationPeriods: 2,
      threshold: props.cpuPercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("ecs-running-tasks", {
      alarmDescription: "Fewer ZenML server tasks running than desired (tasks exiting unexpectedly)",
      evaluationPeriods: 5,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "breaching",
      metricQuery: [
        {
          id: "missing",
          expression: "desired - running",
          label: "Desired minus running tasks",
          returnData: true,
        },
        ...(["desired", "running"] as const).map((qid) => ({
          id: qid,
          metric: {
            namespace: "ECS/ContainerInsights",
            metricName: qid === "desired" ? "DesiredTaskCount" : "RunningTaskCount",
            dimensions: ecs,
            period: 60,
            stat: "Average",
          },
        })),
      ],
    });
    alarm("alb-unhealthy-targets", {
      alarmDescription: "ALB marks ZenML server tasks unhealthy",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("server-error-logs", {
      alarmDescription: "ERROR or CRITICAL lines in the ZenML server log",
      namespace: props.errorMetric.namespace,
      metricName: props.errorMetric.name,
      ...ANY_IN_FIVE_MINUTES,
    });
    alarm("rds-cpu", {
      alarmDescription: "RDS CPU above threshold",
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      dimensions: rds,
      statistic: "Average",
      period: 300,
      evaluationPeriods: 3,
      threshold: props.dbCpuPercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("rds-free-storage", {
      alarmDescription: "RDS free storage below threshold",
      namespace: "AWS/RDS",
      metricName: "FreeStorageSpace",
      dimensions: rds,
      statistic: "Minimum",
      period: 300,
      evaluationPeriods: 1,
      threshold: (props.dbFreeStorageGb) * 1024 ** 3,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "notBreaching",
    });
    alarm("rds-connections", {
      alarmDescription: "RDS connection count above threshold",
      namespace: "AWS/RDS",
      metricName: "DatabaseConnections",
      dimensions: rds,
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      threshold: props.dbConnections,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }
}
