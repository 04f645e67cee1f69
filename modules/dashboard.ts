import { Construct } from "constructs";
import { Fn } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";

/** A CloudWatch metric the dashboard graphs: namespace, name, dimensions, statistic and legend label. */
export interface DashboardMetric {
  /** CloudWatch namespace (e.g. `AWS/ECS`). */
  readonly namespace: string;
  /** Metric name. */
  readonly name: string;
  /** Dimension name → value (references to the stack's resources). */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** Statistic (`Average`, `Sum`, `Maximum`, `Minimum`, `p99`). */
  readonly stat: string;
  /** Legend label. */
  readonly label: string;
}

/** Props of {@link WorkspaceDashboard}. */
export interface WorkspaceDashboardProps {
  /**
   * Dashboard name (letters, digits, `-` and `_`).
   * @default none (required)
   */
  readonly name: string;
  /**
   * Region of the metrics (the stack's region; a metric widget must name one).
   * @default none (required)
   */
  readonly region: string;
  /**
   * ECS cluster and service names (the `ClusterName`/`ServiceName` dimensions).
   * @default none (required)
   */
  readonly ecs: { readonly clusterName: string; readonly serviceName: string };
  /**
   * ARN suffixes of the ALB and its target group (the `LoadBalancer`/`TargetGroup` dimensions).
   * @default none (required)
   */
  readonly alb: { readonly loadBalancerArnSuffix: string; readonly targetGroupArnSuffix: string };
  /**
   * RDS instance identifier (the `DBInstanceIdentifier` dimension).
   * @default none (required)
   */
  readonly dbInstanceIdentifier: string;
  /**
   * Metrics of the stack's log metric filters (failure signatures in the server log), as references to the filters.
   * @default none (required)
   */
  readonly logMetrics: readonly { readonly namespace: string; readonly name: string }[];
  /**
   * ARNs of the alarms whose states the dashboard shows.
   * @default none (required)
   */
  readonly alarmArns: readonly string[];
}

/** Sum over the period: counts (requests, errors, log lines). */
const SUM = "Sum";
const PERIOD_SECONDS = 300;
const FULL_WIDTH = 24;
const HALF_WIDTH = 12;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard per workspace: the guide's "Monitoring" items on one page. ECS service CPU,
 * memory and running vs desired tasks; ALB requests, 4xx/5xx, target response time and target health;
 * RDS CPU, connections, free storage and read/write latency; the log-signature metric filters; and the
 * state of every alarm. The body is `jsonencode` of Terraform references, so every widget names this
 * stack's resources (CloudWatch API reference, "Dashboard Body Structure and Syntax").
 */
export class WorkspaceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: CloudwatchDashboard;
  /** Console URL of the dashboard. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: WorkspaceDashboardProps) {
    super(scope, id);
    const ecs = { ClusterName: props.ecs.clusterName, ServiceName: props.ecs.serviceName };
    const lb = { LoadBalancer: props.alb.loadBalancerArnSuffix };
    const tg = { ...lb, TargetGroup: props.alb.targetGroupArnSuffix };
    const rds = { DBInstanceIdentifier: props.dbInstanceIdentifier };
    const m = (namespace: string, name: string, dimensions: Record<string, string>, stat: string, label: string): DashboardMetric => ({
      namespace,
      name,
      dimensions,
      stat,
      label,
    });

    const graphs: { title: string; width?: number; metrics: DashboardMetric[] }[] = [
      // AWS/ECS service metrics exist without Container Insights (Amazon ECS developer guide,
      // "Amazon ECS CloudWatch metrics": CPUUtilization and MemoryUtilization by ClusterName, ServiceName).
      {
        title: "ECS service CPU and memory (%)",
        metrics: [
          m("AWS/ECS", "CPUUtilization", ecs, "Average", "CPU"),
          m("AWS/ECS", "MemoryUtilization", ecs, "Average", "Memory"),
        ],
      },
      // Task counts are Container Insights metrics (ECS/ContainerInsights, "Amazon ECS Container Insights
      // metrics"); modules/service.ts enables containerInsights on the cluster.
      {
        title: "ECS tasks: running vs desired",
        metrics: [
          m("ECS/ContainerInsights", "RunningTaskCount", ecs, "Average", "Running"),
          m("ECS/ContainerInsights", "DesiredTaskCount", ecs, "Average", "Desired"),
        ],
      },
      // Elastic Load Balancing user guide, "CloudWatch metrics for your Application Load Balancer".
      {
        title: "ALB requests and errors",
        metrics: [
          m("AWS/ApplicationELB", "RequestCount", lb, SUM, "Requests"),
          m("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", lb, SUM, "ALB 4xx"),
          m("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, SUM, "ALB 5xx"),
          m("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tg, SUM, "Target 4xx"),
          m("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg, SUM, "Target 5xx"),
        ],
      },
      {
        title: "ALB target response time (s)",
        metrics: [
          m("AWS/ApplicationELB", "TargetResponseTime", tg, "Average", "Average"),
          m("AWS/ApplicationELB", "TargetResponseTime", tg, "p99", "p99"),
        ],
      },
      {
        title: "ALB targets: healthy vs unhealthy",
        metrics: [
          m("AWS/ApplicationELB", "HealthyHostCount", tg, "Minimum", "Healthy"),
          m("AWS/ApplicationELB", "UnHealthyHostCount", tg, "Maximum", "Unhealthy"),
        ],
      },
      // Amazon RDS user guide, "Amazon CloudWatch metrics for Amazon RDS" (AWS/RDS by DBInstanceIdentifier).
      {
        title: "RDS CPU (%) and connections",
        metrics: [
          m("AWS/RDS", "CPUUtilization", rds, "Average", "CPU"),
          m("AWS/RDS", "DatabaseConnections", rds, "Maximum", "Connections"),
        ],
      },
      { title: "RDS free storage (bytes)", metrics: [m("AWS/RDS", "FreeStorageSpace", rds, "Minimum", "Free storage")] },
      {
        title: "RDS read/write latency (s)",
        metrics: [
          m("AWS/RDS", "ReadLatency", rds, "Average", "Read"),
          m("AWS/RDS", "WriteLatency", rds, "Average", "Write"),
        ],
      },
      {
        title: "Failure signatures in the server log (lines)",
        width: FULL_WIDTH,
        metrics: props.logMetrics.map((l) => ({ namespace: l.namespace, name: l.name, stat: SUM, label: l.name })),
      },
    ];

    // A 24-column grid, two graphs a row unless a graph takes the whole row.
    let x = 0;
    let y = 0;
    const widgets: Record<string, unknown>[] = [];
    const place = (width: number) => {
      if (x + width > FULL_WIDTH) {
        x = 0;
        y += HEIGHT;
      }
      const at = { x, y, width, height: HEIGHT };
      x += width;
      return at;
    };
    widgets.push({
      type: "alarm",
      ...place(FULL_WIDTH),
      properties: { title: "Alarms", alarms: [...props.alarmArns], sortBy: "stateUpdatedTimestamp" },
    });
    for (const g of graphs) {
      widgets.push({
        type: "metric",
        ...place(g.width ?? HALF_WIDTH),
        properties: {
          title: g.title,
          region: props.region,
          view: "timeSeries",
          period: PERIOD_SECONDS,
          metrics: g.metrics.map((metric) => [
            metric.namespace,
            metric.name,
            ...Object.entries(metric.dimensions ?? {}).flat(),
            { stat: metric.stat, label: metric.label },
          ]),
        },
      });
    }

    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: Fn.jsonencode({ widgets }),
    });
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
