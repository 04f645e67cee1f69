/**
 * Monthly cost estimate of one synthesized stack: counts and sizes come from the Terraform JSON
 * (NAT gateways, ALBs, Fargate task sizes × task counts, RDS class / Multi-AZ / storage, secrets,
 * keys, alarms, public IPv4 addresses, ...), prices from ./prices.ts, usage volumes from its
 * stated assumptions. Works from whatever resources are present; types it does not price are listed
 * in the notes only when they are known to cost money.
 */
import { TfResource, TfStack, allResources, num, referencesIn, stackRegion } from "../common/tf-json";
import { Assumptions, DEFAULT_ASSUMPTIONS, EU_CENTRAL_1, PRICE_TABLES, Price, RegionPrices } from "./prices";

/** Order of the billing groups in every table. */
export const GROUP_ORDER = ["VPC", "ELB", "ECS", "RDS", "CloudWatch", "Security", "Storage", "DNS"];

/** One priced line. */
export interface CostLine {
  /** Billing group: VPC, ELB, ECS, RDS, CloudWatch, Security, Storage, DNS. */
  readonly group: string;
  /** What is billed; stable across stacks so that stacks can be compared row by row. */
  readonly item: string;
  /** Billed quantity, e.g. `2 × 730 h`. */
  readonly quantity: string;
  /** Unit price, e.g. `$0.052/NAT gateway-hour`. */
  readonly rate: string;
  /** USD per month; NaN when the price is unknown (see notes). */
  readonly monthly: number;
  /** True when the quantity is an assumption rather than read from the JSON. */
  readonly assumed: boolean;
}

/** The estimate of one stack. */
export interface StackCost {
  readonly stack: string;
  readonly region: string;
  /** Region whose price table was used (eu-central-1 when the stack's region has none). */
  readonly priceRegion: string;
  readonly pricesAsOf: string;
  readonly lines: CostLine[];
  /** Sum of the priced lines. */
  readonly total: number;
  /** Caveats: unpriced resources, scale-out headroom, what is not included. */
  readonly notes: string[];
}

const rate = (price: Price) => `$${price.usd}/${price.unit}`;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const lit = (v: unknown): string | undefined => (typeof v === "string" && !v.includes("${") ? v : undefined);

/** Estimates one stack. */
export function estimateStack(stack: TfStack, assumptions: Assumptions = DEFAULT_ASSUMPTIONS): StackCost {
  const region = stackRegion(stack.json) ?? "unknown";
  const prices: RegionPrices = PRICE_TABLES[region] ?? EU_CENTRAL_1;
  const a = assumptions;
  const H = a.hoursPerMonth;
  const resources = allResources(stack.json);
  const known = new Set(resources.map((r) => r.address));
  const managed = (...types: string[]) => resources.filter((r) => !r.isData && types.includes(r.type));
  const refs = (r: TfResource) => referencesIn(r.body, known);
  const refersTo = (r: TfResource, target: TfResource) => refs(r).some((x) => x.address === target.address);
  const lines: CostLine[] = [];
  const notes: string[] = [];
  const add = (group: string, item: string, quantity: string, price: Price | string, monthly: number, assumed = false) =>
    lines.push({ group, item, quantity, rate: typeof price === "string" ? price : rate(price), monthly, assumed });
  if (!PRICE_TABLES[region]) notes.push(`No price table for ${region}: eu-central-1 prices used.`);

  // ---------------------------------------------------------------- VPC: NAT gateways, public IPv4
  const nats = managed("aws_nat_gateway");
  if (nats.length) {
    add("VPC", "NAT gateway hours", `${nats.length} × ${H} h`, prices.natGatewayHour, nats.length * H * prices.natGatewayHour.usd);
    add("VPC", "NAT data processing", `${a.natProcessedGb} GB`, prices.natGatewayGb, a.natProcessedGb * prices.natGatewayGb.usd, true);
  }
  const eips = managed("aws_eip");
  const albs = managed("aws_lb", "aws_alb").filter((lb) => (lb.body.load_balancer_type ?? "application") === "application");
  const otherLbs = managed("aws_lb", "aws_alb").filter((lb) => !albs.includes(lb));
  const albIps = albs
    .filter((lb) => lb.body.internal !== true)
    .reduce((n, lb) => n + (Array.isArray(lb.body.subnets) ? lb.body.subnets.length : Array.isArray(lb.body.subnet_mapping) ? lb.body.subnet_mapping.length : 2), 0);
  const ipv4 = eips.length + albIps;
  if (ipv4) {
    const parts = [eips.length ? `${eips.length} EIP` : "", albIps ? `${albIps} ALB AZs` : ""].filter(Boolean).join(" + ");
    add("VPC", "public IPv4 addresses", `(${parts}) × ${H} h`, prices.publicIpv4Hour, ipv4 * H * prices.publicIpv4Hour.usd);
  }

  // ---------------------------------------------------------------- ELB
  if (albs.length) {
    add("ELB", "ALB hours", `${albs.length} × ${H} h`, prices.albHour, albs.length * H * prices.albHour.usd);
    add("ELB", "ALB LCUs", `${albs.length} × ${a.albLcu} LCU × ${H} h`, prices.albLcuHour, albs.length * a.albLcu * H * prices.albLcuHour.usd, true);
  }
  if (otherLbs.length) notes.push(`${otherLbs.length} network/gateway load balancer(s) not priced.`);

  // ---------------------------------------------------------------- ECS Fargate
  const services = managed("aws_ecs_service");
  for (const service of services) {
    const strategy: any[] = Array.isArray(service.body.capacity_provider_strategy) ? service.body.capacity_provider_strategy : [];
    const fargate = service.body.launch_type === "FARGATE" || strategy.some((s) => /^FARGATE/.test(String(s.capacity_provider)));
    const name = lit(service.body.name) ?? service.name;
    if (!fargate) {
      notes.push(`ECS service ${name} does not run on Fargate: its EC2 capacity is not priced.`);
      continue;
    }
    if (strategy.some((s) => s.capacity_provider === "FARGATE_SPOT")) notes.push(`ECS service ${name} uses FARGATE_SPOT: priced at on-demand rates (an upper bound).`);
    const tdRef = refs(service).find((x) => x.at === "task_definition");
    const td = resources.find((r) => r.address === tdRef?.address);
    const scaling = managed("aws_appautoscaling_target").find((t) => refersTo(t, service));
    const min = num(scaling?.body.min_capacity);
    const max = num(scaling?.body.max_capacity);
    const desired = num(service.body.desired_count);
    let count = min ?? desired;
    if (count === undefined) {
      count = 1;
      notes.push(`ECS service ${name}: task count is computed; 1 task assumed.`);
    }
    const countText = `${count} ${count === 1 ? "task" : "tasks"}${min !== undefined ? " (autoscaling min)" : ""}`;
    const cpu = num(td?.body.cpu);
    const memory = num(td?.body.memory);
    if (!td || cpu === undefined || memory === undefined) {
      notes.push(`ECS service ${name}: task size unknown, not priced.`);
      continue;
    }
    const arch = td.body.runtime_platform?.cpu_architecture === "ARM64" ? "ARM64" : "X86_64";
    const vcpu = cpu / 1024;
    const gb = memory / 1024;
    const suffix = services.length > 1 ? ` (${name})` : "";
    add("ECS", `Fargate vCPU${suffix}`, `${countText} × ${vcpu} vCPU × ${H} h`, prices.fargateVcpuHour[arch], count * vcpu * H * prices.fargateVcpuHour[arch].usd);
    add("ECS", `Fargate memory${suffix}`, `${countText} × ${gb} GB × ${H} h`, prices.fargateGbHour[arch], count * gb * H * prices.fargateGbHour[arch].usd);
    const ephemeral = num(td.body.ephemeral_storage?.size_in_gib);
    if (ephemeral !== undefined && ephemeral > 20) {
      add("ECS", `Fargate ephemeral storage${suffix}`, `${count} × ${ephemeral - 20} GB × ${H} h`, prices.fargateEphemeralGbHour, count * (ephemeral - 20) * H * prices.fargateEphemeralGbHour.usd);
    }
    if (max !== undefined && max > count) {
      const perTask = (vcpu * prices.fargateVcpuHour[arch].usd + gb * prices.fargateGbHour[arch].usd) * H;
      notes.push(`ECS service ${name} can scale out to ${max} tasks: up to +$${(perTask * (max - count)).toFixed(2)}/month at full scale.`);
    }
  }
  const clusters = managed("aws_ecs_cluster").filter((c) => (c.body.setting ?? []).some((s: any) => s.name === "containerInsights" && s.value !== "disabled"));
  if (clusters.some((c) => (c.body.setting ?? []).some((s: any) => s.value === "enhanced"))) {
    notes.push("Container Insights with enhanced observability is billed per observation; priced here as standard Container Insights.");
  }
  if (clusters.length) {
    const m = a.containerInsightsMetrics;
    const own = (c: TfResource) => services.filter((s) => refersTo(s, c));
    const families = (c: TfResource) =>
      new Set(own(c).flatMap((s) => refs(s).filter((x) => x.at === "task_definition").map((x) => x.address))).size;
    const metrics = clusters.reduce((n, c) => n + m.perCluster + own(c).length * m.perService + families(c) * m.perTaskFamily, 0);
    add("CloudWatch", "Container Insights metrics", `~${metrics} metrics`, prices.customMetricMonth, metrics * prices.customMetricMonth.usd, true);
    add("CloudWatch", "Container Insights logs", `${clusters.length} × ${a.containerInsightsLogGb} GB`, prices.logsIngestGb, clusters.length * a.containerInsightsLogGb * prices.logsIngestGb.usd, true);
  }

  // ---------------------------------------------------------------- RDS
  let logStorageGb = 0;
  const retentionMonths = (days: unknown) => {
    const d = num(days);
    return Math.min(d === undefined || d === 0 ? a.logsStorageMonthsCap : d / 30.4, a.logsStorageMonthsCap);
  };
  const dbs = managed("aws_db_instance");
  let provisionedDbGb = 0;
  const backupGb: number[] = [];
  for (const db of dbs) {
    const id = lit(db.body.identifier) ?? db.name;
    const suffix = dbs.length > 1 ? ` (${id})` : "";
    const multiAz = db.body.multi_az === true;
    const copies = multiAz ? 2 : 1;
    const cls = lit(db.body.instance_class) ?? "?";
    const engine = String(db.body.engine ?? "mysql");
    const price = prices.rdsMysqlInstanceHour[cls];
    if (!/mysql/.test(engine)) notes.push(`RDS ${id} runs ${engine}: priced with the MySQL table.`);
    if (price) {
      add("RDS", `RDS instance${suffix}`, `${cls}${multiAz ? " Multi-AZ (2 instances)" : ""} × ${H} h`, price, copies * H * price.usd);
    } else {
      add("RDS", `RDS instance${suffix}`, `${cls}${multiAz ? " Multi-AZ" : ""} × ${H} h`, "no price", Number.NaN);
      notes.push(`RDS class ${cls} is not in the price table (scripts/cost/prices.ts): add it.`);
    }
    const storage = num(db.body.allocated_storage) ?? 20;
    const type = String(db.body.storage_type ?? "gp2");
    if (!/^gp[23]$/.test(type)) notes.push(`RDS ${id}: ${type} storage and its IOPS are not priced (gp3 rate used).`);
    provisionedDbGb += storage;
    add("RDS", `RDS storage ${type}${suffix}`, `${storage} GB${multiAz ? " × 2 (Multi-AZ)" : ""}`, prices.rdsGp3GbMonth, storage * copies * prices.rdsGp3GbMonth.usd);
    const maxStorage = num(db.body.max_allocated_storage);
    if (maxStorage && maxStorage > storage) {
      notes.push(`RDS ${id} storage autoscales to ${maxStorage} GB: up to +$${((maxStorage - storage) * copies * prices.rdsGp3GbMonth.usd).toFixed(2)}/month when full.`);
    }
    const retention = num(db.body.backup_retention_period) ?? 1;
    if (retention > 0) backupGb.push(Math.min(a.dbUsedGb, storage) * (1 + a.dbDailyChange * retention));
    if (db.body.performance_insights_enabled === true) {
      const piDays = num(db.body.performance_insights_retention_period) ?? 7;
      if (piDays <= 7) add("RDS", `Performance Insights${suffix}`, "7-day retention", "free tier", 0);
      else notes.push(`RDS ${id}: Performance Insights retention ${piDays} days is billed and not priced here.`);
    }
    const interval = num(db.body.monitoring_interval) ?? 0;
    if (interval > 0) {
      const gb = ((H * 3600) / interval) * a.enhancedMonitoringSampleKb / (1024 * 1024);
      add("RDS", `enhanced monitoring${suffix}`, `${interval} s → ${round(gb)} GB logs`, prices.logsIngestGb, gb * prices.logsIngestGb.usd, true);
      logStorageGb += gb * retentionMonths(30) * a.logsCompression; // RDSOSMetrics keeps 30 days by default
    }
    const exportsList: string[] = Array.isArray(db.body.enabled_cloudwatch_logs_exports) ? db.body.enabled_cloudwatch_logs_exports : [];
    if (exportsList.length) {
      const gb = exportsList.reduce((s, t) => s + (a.rdsLogExportGb[t] ?? 0.1), 0);
      add("CloudWatch", `Logs: RDS log exports${suffix}`, `${exportsList.join(", ")}: ${round(gb)} GB`, prices.logsIngestGb, gb * prices.logsIngestGb.usd, true);
      logStorageGb += gb * retentionMonths(0) * a.logsCompression; // /aws/rds/... groups never expire by default
    }
    if (/^8\.0/.test(String(db.body.engine_version ?? "")) && /mysql/.test(engine)) {
      notes.push(`RDS ${id} runs MySQL 8.0, past standard support: RDS Extended Support is billed per vCPU-hour and not included.`);
    }
  }
  if (backupGb.length) {
    const total = backupGb.reduce((s, g) => s + g, 0);
    const billable = Math.max(0, total - provisionedDbGb);
    add("RDS", "RDS backup storage", `~${round(total, 1)} GB, ${provisionedDbGb} GB free`, prices.rdsBackupGbMonth, billable * prices.rdsBackupGbMonth.usd, true);
  }
  if (managed("aws_rds_cluster").length) notes.push("Aurora clusters are not priced.");

  // ---------------------------------------------------------------- CloudWatch Logs from ECS and flow logs
  const groups = managed("aws_cloudwatch_log_group");
  const taskGroups = new Map<string, number>();
  for (const service of services) {
    const tdRef = refs(service).find((x) => x.at === "task_definition");
    const td = resources.find((r) => r.address === tdRef?.address);
    if (!td) continue;
    const scaling = managed("aws_appautoscaling_target").find((t) => refersTo(t, service));
    const count = num(scaling?.body.min_capacity) ?? num(service.body.desired_count) ?? 1;
    for (const g of groups.filter((grp) => refersTo(td, grp))) taskGroups.set(g.address, (taskGroups.get(g.address) ?? 0) + count);
  }
  const ecsGb = [...taskGroups.values()].reduce((s, n) => s + n * a.ecsLogGbPerTask, 0);
  if (ecsGb) {
    const tasks = [...taskGroups.values()].reduce((s, n) => s + n, 0);
    add("CloudWatch", "Logs: ECS containers", `${tasks} ${tasks === 1 ? "task" : "tasks"} × ${a.ecsLogGbPerTask} GB`, prices.logsIngestGb, ecsGb * prices.logsIngestGb.usd, true);
    for (const [address, tasks] of taskGroups) {
      logStorageGb += tasks * a.ecsLogGbPerTask * retentionMonths(resources.find((r) => r.address === address)?.body.retention_in_days) * a.logsCompression;
    }
  }
  const flowLogs = managed("aws_flow_log").filter((f) => (f.body.log_destination_type ?? "cloud-watch-logs") === "cloud-watch-logs");
  if (flowLogs.length) {
    add("CloudWatch", "Logs: VPC flow logs", `${flowLogs.length} × ${a.flowLogGb} GB`, prices.logsIngestGb, flowLogs.length * a.flowLogGb * prices.logsIngestGb.usd, true);
    for (const f of flowLogs) {
      const group = groups.find((g) => refersTo(f, g));
      logStorageGb += a.flowLogGb * retentionMonths(group?.body.retention_in_days) * a.logsCompression;
    }
  }
  if (clusters.length) logStorageGb += clusters.length * a.containerInsightsLogGb * retentionMonths(1) * a.logsCompression;
  if (logStorageGb > 0) {
    add("CloudWatch", "Logs storage", `~${round(logStorageGb, 1)} GB stored (steady state)`, prices.logsStorageGbMonth, logStorageGb * prices.logsStorageGbMonth.usd, true);
  }

  // ---------------------------------------------------------------- CloudWatch alarms
  const alarms = managed("aws_cloudwatch_metric_alarm");
  if (alarms.length) {
    let standard = 0;
    let highRes = 0;
    for (const alarm of alarms) {
      const queries: any[] = Array.isArray(alarm.body.metric_query) ? alarm.body.metric_query : [];
      const metrics = queries.length ? queries.filter((q) => q.metric).length : 1;
      const periods = [num(alarm.body.period), ...queries.map((q) => num(q.metric?.period))].filter((x): x is number => x !== undefined);
      if (periods.some((s) => s < 60)) highRes += metrics;
      else standard += metrics;
    }
    const mathNote = alarms.length !== standard + highRes ? ` = ${standard + highRes} alarm metrics` : "";
    if (mathNote) notes.push("Metric-math alarms are billed per metric they read.");
    add("CloudWatch", "alarms", `${alarms.length} alarms${mathNote}`, prices.alarmStandardMetricMonth, standard * prices.alarmStandardMetricMonth.usd + highRes * prices.alarmHighResMetricMonth.usd);
    if (highRes) notes.push(`${highRes} alarm metrics are high resolution (${rate(prices.alarmHighResMetricMonth)}).`);
  }
  const composite = managed("aws_cloudwatch_composite_alarm");
  if (composite.length) add("CloudWatch", "composite alarms", `${composite.length}`, prices.alarmCompositeMonth, composite.length * prices.alarmCompositeMonth.usd);
  const dashboards = managed("aws_cloudwatch_dashboard");
  if (dashboards.length) add("CloudWatch", "dashboards", `${dashboards.length}`, prices.dashboardMonth, dashboards.length * prices.dashboardMonth.usd);

  // ---------------------------------------------------------------- Secrets Manager, KMS
  const secrets = managed("aws_secretsmanager_secret").length;
  const rdsSecrets = managed("aws_db_instance", "aws_rds_cluster").filter((d) => d.body.manage_master_user_password === true).length;
  if (secrets + rdsSecrets) {
    const parts = [secrets ? `${secrets} created` : "", rdsSecrets ? `${rdsSecrets} RDS-managed` : ""].filter(Boolean).join(" + ");
    add("Security", "Secrets Manager secrets", parts, prices.secretMonth, (secrets + rdsSecrets) * prices.secretMonth.usd);
  }
  const keys = managed("aws_kms_key", "aws_kms_replica_key").length;
  if (keys) add("Security", "KMS keys", `${keys}`, prices.kmsKeyMonth, keys * prices.kmsKeyMonth.usd);

  // ---------------------------------------------------------------- S3, ECR, DynamoDB, Route53
  const buckets = managed("aws_s3_bucket");
  if (buckets.length) {
    let gb = 0;
    let puts = 0;
    const parts: string[] = [];
    for (const bucket of buckets) {
      const lb = albs.find((l) => referencesIn(l.body.access_logs ?? {}, known).some((x) => x.address === bucket.address));
      if (lb) {
        const lifecycle = managed("aws_s3_bucket_lifecycle_configuration").find((l) => refersTo(l, bucket));
        const days = num(lifecycle?.body.rule?.[0]?.expiration?.days ?? lifecycle?.body.rule?.[0]?.expiration?.[0]?.days);
        const months = Math.min(days ? days / 30.4 : 12, 12);
        gb += a.albAccessLogGb * months;
        const azs = Array.isArray(lb.body.subnets) ? lb.body.subnets.length : 2;
        puts += azs * 12 * 24 * 30.4; // one log object per ALB node every 5 minutes
        parts.push(`ALB logs ~${round(a.albAccessLogGb * months, 1)} GB`);
      } else {
        gb += a.s3OtherGbPerBucket;
        parts.push(`${a.s3OtherGbPerBucket} GB`);
      }
    }
    const monthly = gb * prices.s3StandardGbMonth.usd + (puts / 1000) * prices.s3PutPer1000.usd;
    add("Storage", "S3 storage + requests (minor)", `${buckets.length} ${buckets.length === 1 ? "bucket" : "buckets"}: ${parts.join(", ")}`, prices.s3StandardGbMonth, monthly, true);
  }
  const repos = managed("aws_ecr_repository").length;
  if (repos) add("Storage", "ECR image storage", `${repos} × ${a.ecrGbPerRepository} GB`, prices.ecrGbMonth, repos * a.ecrGbPerRepository * prices.ecrGbMonth.usd, true);
  const tables = managed("aws_dynamodb_table");
  if (tables.length) {
    const onDemand = tables.every((t) => (t.body.billing_mode ?? "PROVISIONED") === "PAY_PER_REQUEST");
    add("Storage", "DynamoDB tables (minor)", `${tables.length}${onDemand ? ", pay per request" : ""}`, "per request", 0, true);
    if (!onDemand) notes.push("A DynamoDB table uses provisioned capacity, which is not priced.");
  }
  const zones = managed("aws_route53_zone").length;
  if (zones) add("DNS", "Route53 hosted zones", `${zones}`, prices.route53HostedZoneMonth, zones * prices.route53HostedZoneMonth.usd);

  notes.push(
    "Not included: data transfer out to the internet and across AZs, API requests (KMS, Secrets Manager) beyond free tiers, " +
      "SNS beyond its free tier, Route53 queries (alias queries to the ALB are free), taxes; ACM public certificates are free.",
  );
  lines.sort((x, y) => GROUP_ORDER.indexOf(x.group) - GROUP_ORDER.indexOf(y.group)); // stable: keeps the order within a group
  const total = lines.reduce((s, l) => s + (Number.isFinite(l.monthly) ? l.monthly : 0), 0);
  return { stack: stack.name, region, priceRegion: prices.region, pricesAsOf: prices.asOf, lines, total, notes };
}

/** The assumptions as sentences, for the text under each table. */
export function describeAssumptions(a: Assumptions = DEFAULT_ASSUMPTIONS): string[] {
  const exportsText = Object.entries(a.rdsLogExportGb)
    .map(([k, v]) => `${k} ${v} GB`)
    .join(", ");
  return [
    `${a.hoursPerMonth} hours per month; on-demand list prices, no free tier, Savings Plans or reservations.`,
    `Task count = autoscaling minimum when autoscaling exists, else desired_count.`,
    `NAT: ${a.natProcessedGb} GB/month processed per stack (image pulls, ZenML Cloud, AWS APIs). ALB: ${a.albLcu} LCU on average.`,
    `Logs ingested per month: ${a.ecsLogGbPerTask} GB per ECS task, ${a.flowLogGb} GB per VPC flow log, RDS exports ${exportsText}, ` +
      `enhanced monitoring ${a.enhancedMonitoringSampleKb} KB per sample, Container Insights ${a.containerInsightsLogGb} GB per cluster.`,
    `Logs storage: steady state after ${a.logsStorageMonthsCap} months (or the retention, if shorter), stored compressed at ${a.logsCompression * 100} % of ingested size.`,
    `Container Insights: ~${a.containerInsightsMetrics.perCluster} metrics per cluster, ${a.containerInsightsMetrics.perService} per service, ${a.containerInsightsMetrics.perTaskFamily} per task family.`,
    `RDS backups: ${a.dbUsedGb} GB of data, ${a.dbDailyChange * 100} % changing per day over the retention period; free up to the provisioned storage.`,
    `S3: ${a.albAccessLogGb} GB ALB access logs per month kept for the lifecycle period; ${a.s3OtherGbPerBucket} GB in other buckets. ECR: ${a.ecrGbPerRepository} GB per repository.`,
  ];
}
