import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { suppress } from "../lib/policy/suppress";
import { MIN_LOG_RETENTION_DAYS } from "../lib/policy/rules/logs/logs-retention-year";

/**
 * Records a configured retention shorter than a year as a deliberate exception to policy rule
 * ZNLOG3, naming the config field that chose it.
 */
export function suppressShortRetention(group: CloudwatchLogGroup, retentionDays: number, configField: string): void {
  if (retentionDays > 0 && retentionDays < MIN_LOG_RETENTION_DAYS) {
    suppress(group, "ZNLOG3", `Retention of ${retentionDays} days chosen by configuration (${configField}; the dev preset keeps 30 days).`);
  }
}

/** Props of {@link ServiceLogs}. */
export interface ServiceLogsProps {
  /**
   * Log group name (the guide's `/ecs/zenml-hybrid`).
   * @default none (required)
   */
  readonly logGroupName: string;
  /**
   * Retention in days.
   * @default none (required: the resolved config value; its default is in lib/config/schema.ts)
   */
  readonly retentionDays: number;
  /**
   * KMS key that encrypts the log group.
   * @default none (required)
   */
  readonly kmsKeyArn: string;
  /**
   * CloudWatch namespace of the error-count metric.
   * @default "ZenML"
   */
  readonly metricNamespace?: string;
}

/**
 * The container log group and the guide's "filter for ERROR or CRITICAL" as a metric filter, so
 * errors can be alarmed on.
 */
export class ServiceLogs extends Construct {
  /** The log group. */
  public readonly logGroup: CloudwatchLogGroup;
  /** Namespace of the error metric. */
  public readonly errorMetricNamespace: string;
  /** Name of the error metric (count of ERROR/CRITICAL lines), as a reference to its metric filter. */
  public readonly errorMetricName: string;

  constructor(scope: Construct, id: string, props: ServiceLogsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "group", {
      name: props.logGroupName,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    suppressShortRetention(this.logGroup, props.retentionDays, "observability.logRetentionDays");
    this.errorMetricNamespace = props.metricNamespace ?? "ZenML";
    const errors = new CloudwatchLogMetricFilter(this, "errors", {
      name: "zenml-error-or-critical",
      logGroupName: this.logGroup.name,
      pattern: "?ERROR ?CRITICAL",
      metricTransformation: {
        name: "ServerErrorLogLines",
        namespace: this.errorMetricNamespace,
        value: "1",
        defaultValue: "0",
      },
    });
    // A reference to the filter's metric, not the literal: alarms on it then name the filter, which is
    // how KICS pairs an alarm with a metric filter (contains(alarm.metric_name, <filter resource name>)
    // in assets/queries/terraform/aws/cloudwatch_*_alarm_missing/query.rego).
    this.errorMetricName = errors.metricTransformation.name;
  }
}
