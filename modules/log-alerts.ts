import { Construct } from "constructs";
import { ANY_IN_FIVE_MINUTES } from "../lib/alarm-defaults";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
// The phrases live in lib/, shared with `npm run verify`'s diagnosis (scripts/verify/signatures.ts).
import { CONTROL_PLANE_AUTH_FAILURE_TERMS, DB_CONNECTION_ERROR_TERMS } from "../lib/log-signatures";

/** A CloudWatch Logs filter pattern matching any of the exact phrases. */
export function anyPhrasePattern(terms: readonly string[]): string {
  return terms.map((t) => `?"${t}"`).join(" ");
}

/** Props of {@link LogAlerts}. */
export interface LogAlertsProps {
  /**
   * Base name of the alarms (`<name>-control-plane-auth-failures`, `<name>-db-connection-errors`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * Container log group name.
   * @default none (required)
   */
  readonly logGroupName: string;
  /**
   * SNS topic the alarms notify (alarm and OK).
   * @default none (required)
   */
  readonly alarmTopicArn: string;
  /**
   * CloudWatch namespace of the metrics.
   * @default "ZenML"
   */
  readonly metricNamespace?: string;
  /**
   * Forward every log event to this Kinesis, Firehose, Lambda or CloudWatch Logs destination ARN.
   * @default no subscription filter
   */
  readonly subscriptionDestinationArn?: string;
  /**
   * Role CloudWatch Logs assumes to write to a Kinesis or Firehose destination.
   * @default none
   */
  readonly subscriptionRoleArn?: string;
}

/**
 * The guide's "Application Logs" alerts: metric filters and alarms for failed authentication
 * towards the ZenML Pro control plane and for database connection errors, and an optional
 * subscription filter that forwards the container logs to a central logging system.
 */
export class LogAlerts extends Construct {
  /** Metric filters by key (control-plane-auth-failures, db-connection-errors). */
  public readonly filters: Record<string, CloudwatchLogMetricFilter> = {};
  /** Alarms by the same keys. */
  public readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** The subscription filter, when a destination is configured. */
  public readonly subscription?: CloudwatchLogSubscriptionFilter;

  constructor(scope: Construct, id: string, props: LogAlertsProps) {
    super(scope, id);
    const namespace = props.metricNamespace ?? "ZenML";
    const alerts: [string, string, readonly string[], string][] = [
      ["control-plane-auth-failures", "ControlPlaneAuthFailures", CONTROL_PLANE_AUTH_FAILURE_TERMS,
        "The ZenML server failed to authenticate to the ZenML Pro control plane (check the OAuth2 client secret)"],
      ["db-connection-errors", "DatabaseConnectionErrors", DB_CONNECTION_ERROR_TERMS,
        "The ZenML server could not connect to or lost its MySQL connection (network, RDS state, or credentials)"],
    ];
    for (const [key, metricName, terms, description] of alerts) {
      this.filters[key] = new CloudwatchLogMetricFilter(this, key, {
        name: `${props.name}-${key}`,
        logGroupName: props.logGroupName,
        pattern: anyPhrasePattern(terms),
        metricTransformation: { name: metricName, namespace, value: "1", defaultValue: "0" },
      });
      // The alarm reads the metric name and namespace from its filter: the reference makes the pairing
      // explicit for Terraform and for KICS, which pairs an alarm with a filter when the alarm's
      // metric_name contains the filter's resource name (assets/queries/terraform/aws/cloudwatch_*_alarm_missing/query.rego).
      const transformation = this.filters[key].metricTransformation;
      this.alarms[key] = new CloudwatchMetricAlarm(this, `${key}-alarm`, {
        alarmName: `${props.name}-${key}`,
        alarmDescription: description,
        namespace: transformation.namespace,
        metricName: transformation.name,
        ...ANY_IN_FIVE_MINUTES,
        alarmActions: [props.alarmTopicArn],
        okActions: [props.alarmTopicArn],
      });
    }
    if (props.subscriptionDestinationArn) {
      this.subscription = new CloudwatchLogSubscriptionFilter(this, "forward", {
        name: `${props.name}-central-logging`,
        logGroupName: props.logGroupName,
        filterPattern: "",
        destinationArn: props.subscriptionDestinationArn,
        roleArn: props.subscriptionRoleArn,
      });
    }
  }
}
