/**
 * On-demand list prices used by `npm run cost`, per region, in USD, and the usage assumptions the
 * estimate needs where Terraform cannot know the numbers (data volumes, load).
 *
 * The prices were transcribed by hand from the public AWS pricing pages named in each `source`
 * (no live price lookup: the estimate must run offline and be reproducible in review). They are
 * list prices without free tier, Savings Plans, reserved instances or taxes. Check them against the
 * AWS Pricing Calculator (https://calculator.aws) before budgeting, and update `asOf` with the table.
 * Independent of lib/: nothing here reads the project's config.
 */

/** One price with where it came from. */
export interface Price {
  /** USD per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** The AWS page the value was transcribed from (and the dimension on it). */
  readonly source: string;
}

/** The prices of one region. */
export interface RegionPrices {
  readonly region: string;
  /** Date the table was transcribed (YYYY-MM-DD). */
  readonly asOf: string;
  readonly currency: "USD";
  readonly natGatewayHour: Price;
  readonly natGatewayGb: Price;
  readonly albHour: Price;
  readonly albLcuHour: Price;
  readonly publicIpv4Hour: Price;
  readonly fargateVcpuHour: { readonly X86_64: Price; readonly ARM64: Price };
  readonly fargateGbHour: { readonly X86_64: Price; readonly ARM64: Price };
  readonly fargateEphemeralGbHour: Price;
  /** RDS for MySQL, Single-AZ instance hour per class (Multi-AZ with one standby is exactly twice). */
  readonly rdsMysqlInstanceHour: Readonly<Record<string, Price>>;
  /** gp3 (and gp2) storage, Single-AZ; Multi-AZ is twice. */
  readonly rdsGp3GbMonth: Price;
  readonly rdsBackupGbMonth: Price;
  readonly logsIngestGb: Price;
  readonly logsStorageGbMonth: Price;
  readonly customMetricMonth: Price;
  readonly alarmStandardMetricMonth: Price;
  readonly alarmHighResMetricMonth: Price;
  readonly alarmCompositeMonth: Price;
  readonly dashboardMonth: Price;
  readonly secretMonth: Price;
  readonly kmsKeyMonth: Price;
  readonly s3StandardGbMonth: Price;
  readonly s3PutPer1000: Price;
  readonly ecrGbMonth: Price;
  readonly route53HostedZoneMonth: Price;
}

const PAGE = {
  vpc: "https://aws.amazon.com/vpc/pricing/",
  elb: "https://aws.amazon.com/elasticloadbalancing/pricing/",
  fargate: "https://aws.amazon.com/fargate/pricing/",
  rds: "https://aws.amazon.com/rds/mysql/pricing/",
  cloudwatch: "https://aws.amazon.com/cloudwatch/pricing/",
  secrets: "https://aws.amazon.com/secrets-manager/pricing/",
  kms: "https://aws.amazon.com/kms/pricing/",
  s3: "https://aws.amazon.com/s3/pricing/",
  ecr: "https://aws.amazon.com/ecr/pricing/",
  route53: "https://aws.amazon.com/route53/pricing/",
};

const p = (usd: number, unit: string, source: string): Price => ({ usd, unit, source });
const rds = (usd: number): Price => p(usd, "instance-hour", `${PAGE.rds} (On-Demand, Single-AZ deployment)`);

/** EU (Frankfurt). */
export const EU_CENTRAL_1: RegionPrices = {
  region: "eu-central-1",
  asOf: "2026-11-26",
  currency: "USD",
  natGatewayHour: p(0.052, "NAT gateway-hour", `${PAGE.vpc} (NAT gateway: price per NAT gateway-hour)`),
  natGatewayGb: p(0.052, "GB processed", `${PAGE.vpc} (NAT gateway: price per GB data processed)`),
  albHour: p(0.027, "ALB-hour", `${PAGE.elb} (Application Load Balancer: per ALB-hour)`),
  albLcuHour: p(0.008, "LCU-hour", `${PAGE.elb} (Application Load Balancer: per LCU-hour)`),
  publicIpv4Hour: p(0.005, "public IPv4 address-hour", `${PAGE.vpc} (Public IPv4 address: in-use address per hour)`),
  fargateVcpuHour: {
    X86_64: p(0.04656, "vCPU-hour", `${PAGE.fargate} (Linux/x86: per vCPU per hour)`),
    ARM64: p(0.03725, "vCPU-hour", `${PAGE.fargate} (Linux/ARM: per vCPU per hour)`),
  },
  fargateGbHour: {
    X86_64: p(0.00511, "GB-hour", `${PAGE.fargate} (Linux/x86: per GB per hour)`),
    ARM64: p(0.00409, "GB-hour", `${PAGE.fargate} (Linux/ARM: per GB per hour)`),
  },
  fargateEphemeralGbHour: p(0.000127, "GB-hour above 20 GB", `${PAGE.fargate} (ephemeral storage beyond the 20 GB included)`),
  rdsMysqlInstanceHour: {
    "db.t3.micro": rds(0.02),
    "db.t3.small": rds(0.04),
    "db.t3.medium": rds(0.08),
    "db.t3.large": rds(0.16),
    "db.t4g.micro": rds(0.018),
    "db.t4g.small": rds(0.036),
    "db.t4g.medium": rds(0.072),
    "db.t4g.large": rds(0.144),
    "db.m5.large": rds(0.198),
    "db.m5.xlarge": rds(0.396),
    "db.m6i.large": rds(0.198),
    "db.m6i.xlarge": rds(0.396),
    "db.m6g.large": rds(0.176),
    "db.m6g.xlarge": rds(0.352),
    "db.m6g.2xlarge": rds(0.704),
    "db.m7g.large": rds(0.194),
    "db.m7g.xlarge": rds(0.388),
    "db.r6g.large": rds(0.248),
    "db.r6g.xlarge": rds(0.496),
  },
  rdsGp3GbMonth: p(0.137, "GB-month", `${PAGE.rds} (General Purpose gp3 storage, Single-AZ)`),
  rdsBackupGbMonth: p(0.095, "GB-month over free", `${PAGE.rds} (backup storage beyond 100 % of provisioned storage)`),
  logsIngestGb: p(0.63, "GB ingested", `${PAGE.cloudwatch} (Logs: Standard log class, collect/ingest; vended logs' first tier is the same)`),
  logsStorageGbMonth: p(0.0324, "GB-month stored (compressed)", `${PAGE.cloudwatch} (Logs: store/archive)`),
  customMetricMonth: p(0.3, "metric-month", `${PAGE.cloudwatch} (Metrics: first 10,000 metrics)`),
  alarmStandardMetricMonth: p(0.1, "alarm metric-month", `${PAGE.cloudwatch} (Alarms: standard resolution, per metric of the alarm)`),
  alarmHighResMetricMonth: p(0.3, "alarm metric-month", `${PAGE.cloudwatch} (Alarms: high resolution, per metric of the alarm)`),
  alarmCompositeMonth: p(0.5, "alarm-month", `${PAGE.cloudwatch} (Alarms: composite)`),
  dashboardMonth: p(3.0, "dashboard-month", `${PAGE.cloudwatch} (Dashboards: per dashboard per month; the account's first 3 dashboards of up to 50 metrics each are free, not assumed here)`),
  secretMonth: p(0.4, "secret-month", `${PAGE.secrets} (per secret per month; RDS-managed secrets included)`),
  kmsKeyMonth: p(1.0, "key-month", `${PAGE.kms} (customer managed key per month; requests within the 20,000/month free tier assumed)`),
  s3StandardGbMonth: p(0.0245, "GB-month", `${PAGE.s3} (S3 Standard, first 50 TB)`),
  s3PutPer1000: p(0.0054, "1,000 PUT requests", `${PAGE.s3} (S3 Standard: PUT, COPY, POST, LIST requests)`),
  ecrGbMonth: p(0.1, "GB-month", `${PAGE.ecr} (private repository storage)`),
  route53HostedZoneMonth: p(0.5, "hosted zone-month", `${PAGE.route53} (first 25 hosted zones)`),
};

/** Regions with a transcribed table. */
export const PRICE_TABLES: Readonly<Record<string, RegionPrices>> = { "eu-central-1": EU_CENTRAL_1 };

/**
 * Usage the JSON cannot tell: stated under every table printed, and overridable in one place.
 * Volumes are per month unless named otherwise.
 */
export interface Assumptions {
  /** Hours in a billing month (AWS's convention). */
  readonly hoursPerMonth: number;
  /** Data processed by the stack's NAT gateways together (image pulls, ZenML Cloud, AWS APIs). */
  readonly natProcessedGb: number;
  /** Average LCUs per ALB (light interactive use stays well under one LCU's 25 new connections/s and 1 GB/h). */
  readonly albLcu: number;
  /** Container log volume per running task. */
  readonly ecsLogGbPerTask: number;
  /** VPC flow log volume per flow log (ALL traffic, 1-minute aggregation, light traffic). */
  readonly flowLogGb: number;
  /** RDS log export volume per exported log type and instance. */
  readonly rdsLogExportGb: Readonly<Record<string, number>>;
  /** Size of one enhanced-monitoring sample (RDSOSMetrics JSON incl. process list), KB. */
  readonly enhancedMonitoringSampleKb: number;
  /** Container Insights custom metrics per cluster, per service and per task definition family (approximate). */
  readonly containerInsightsMetrics: { readonly perCluster: number; readonly perService: number; readonly perTaskFamily: number };
  /** Container Insights performance log events per cluster. */
  readonly containerInsightsLogGb: number;
  /** Data actually stored in the database (backups are incremental over it). */
  readonly dbUsedGb: number;
  /** Share of the database that changes per day (grows the automated backups). */
  readonly dbDailyChange: number;
  /** CloudWatch Logs stores compressed data; stored size as a share of the ingested size. */
  readonly logsCompression: number;
  /** Months of log retention that count for storage: the steady state after one year. */
  readonly logsStorageMonthsCap: number;
  /** ALB access logs written to S3 per ALB. */
  readonly albAccessLogGb: number;
  /** Other S3 objects per bucket (state files, runner logs). */
  readonly s3OtherGbPerBucket: number;
  /** Images kept per ECR repository. */
  readonly ecrGbPerRepository: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  hoursPerMonth: 730,
  natProcessedGb: 20,
  albLcu: 1,
  ecsLogGbPerTask: 1,
  flowLogGb: 5,
  rdsLogExportGb: { error: 0.05, slowquery: 0.2, general: 3, audit: 1, iam_db_auth_error: 0.01 },
  enhancedMonitoringSampleKb: 10,
  containerInsightsMetrics: { perCluster: 12, perService: 12, perTaskFamily: 8 },
  containerInsightsLogGb: 0.5,
  dbUsedGb: 10,
  dbDailyChange: 0.05,
  logsCompression: 0.15,
  logsStorageMonthsCap: 12,
  albAccessLogGb: 1,
  s3OtherGbPerBucket: 0.1,
  ecrGbPerRepository: 2,
};
