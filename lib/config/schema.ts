/**
 * The environment file schema: one JSON file per environment in `config/`.
 *
 * Every field is optional in the file except the ones ZenML or AWS cannot guess (Pro IDs, image
 * version, domain, state bucket). Missing fields take the value of the selected `preset`
 * (see {@link PRESETS}), whose values come from the ZenML ECS hybrid guide.
 */
import { z } from "zod";
import { SECRET_NAME } from "../policy/rules/ecs/ecs-no-plaintext-secrets";
import { trivySensitiveEnvName } from "../policy/scanner-justifications";
import { DR_REGION_PAIRS, SUPPORTED_REGIONS, ZENML_PRO_IMAGE_REPOSITORY } from "../regions";
import { ZENML_LOGGING_LEVELS } from "../zenml-releases";

/** Fargate task sizes AWS accepts: CPU units → allowed memory (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/**
 * MySQL instance classes on which RDS rejects Performance Insights
 * (AWS RDS user guide, "Amazon RDS DB engine, Region, and instance class support for Performance Insights").
 */
export const PERFORMANCE_INSIGHTS_UNSUPPORTED_CLASSES: readonly string[] = [
  "db.t2.micro",
  "db.t2.small",
  "db.t3.micro",
  "db.t3.small",
  "db.t4g.micro",
  "db.t4g.small",
];

/** CloudWatch Logs retention values the API accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

const ipv4Cidr = z
  .string()
  .regex(
    /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(1[6-9]|2[0-8])$/,
    "must be an IPv4 CIDR block with a prefix from /16 to /28, e.g. 10.0.0.0/16",
  );
const domainName = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "must be a lower-case fully qualified domain name, e.g. zenml.mycompany.com",
  );
const nonEmpty = z.string().trim().min(1, "must not be empty");
/** What pydantic's `UUID` fields of `ServerProConfiguration` accept, in the canonical 8-4-4-4-12 form. */
const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID (8-4-4-4-12 hexadecimal digits, e.g. 0f2b5c1e-8d3a-4b7e-9c61-2a4d5e6f7a8b), as ZenML Pro shows it");
const arn = (service: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:.+$`), `must be an ${service} ARN`);
const resourceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/, "must be 2-24 characters: lower-case letters, digits and hyphens, starting with a letter");
const count = z.number().int().nonnegative();
const logRetention = z
  .number()
  .int()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    message: `must be one of the CloudWatch retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
  })
  .meta({ enum: [...LOG_RETENTION_DAYS] });

/**
 * Whether an environment variable name says it holds a secret: what trivy's AWS-0036 flags by name
 * (`is_sensitive_attr` of checks/cloud/aws/ecs/no_plaintext_secrets.rego), what the pack's ZNECS8 reads
 * as a secret name, or a `KEY` word (`..._KEY`, `APIKEY_...`).
 */
export function looksLikeSecretName(name: string): boolean {
  return trivySensitiveEnvName(name) || SECRET_NAME.test(name) || name.toUpperCase().split("_").some((w) => /KEYS?$/.test(w));
}

/** Extra plain variables of the server container; what the runtime contract sets is refused in lib/config/load.ts. */
const extraEnvironment = z
  .record(z.string(), z.string().max(4096, "must be at most 4096 characters"))
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: "must be an environment variable name: letters, digits and _, not starting with a digit" });
      } else if (looksLikeSecretName(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "looks like a secret (secret/password/token/key/credential in the name, as trivy AVD-AWS-0036 and policy ZNECS8 read it); plain task environment is readable by anyone who can describe the task definition and is kept in Terraform state, so secrets do not go here; allowed: names of settings that are not secret",
        });
      }
    }
  });

const zenmlSchema = z
  .strictObject({
    version: nonEmpty
      .refine((v) => v !== "latest", "must be a pinned version, not 'latest'")
      .describe("ZenML server version: the image tag of zenml-pro-server (the guide's <ZENML_OSS_VERSION>; the Pro image is tagged with ZenML OSS versions). 0.80.0 or later (Pro workspace releases); the runtime contract per release is in lib/zenml-releases.ts, read from the PyPI wheels (docs/runtime.md, \"ZenML releases\"); a release newer than the table gets the newest row's contract and a warning at synth."),
    image: nonEmpty.optional().describe("Server image repository without tag. @default the ZenML Pro ECR repository"),
    organizationId: uuid.describe("ZENML_SERVER_PRO_ORGANIZATION_ID, from ZenML Pro (Step 1); a UUID (ServerProConfiguration.organization_id: UUID)."),
    organizationName: nonEmpty.describe("ZENML_SERVER_PRO_ORGANIZATION_NAME."),
    workspaceId: uuid.describe("ZENML_SERVER_PRO_WORKSPACE_ID, from ZenML Support; a UUID (ServerProConfiguration.workspace_id: UUID)."),
    workspaceName: nonEmpty.describe("ZENML_SERVER_PRO_WORKSPACE_NAME."),
    apiUrl: z.url().optional().describe("ZENML_SERVER_PRO_API_URL. @default https://cloudapi.zenml.io"),
    dashboardUrl: z.url().optional().describe("ZENML_SERVER_PRO_DASHBOARD_URL. @default https://cloud.zenml.io"),
    oauth2Audience: z.url().optional().describe("ZENML_SERVER_PRO_OAUTH2_AUDIENCE. @default zenml.apiUrl (as ZenML's Helm chart sets it: pro_oauth2_audience from pro.apiURL)"),
    loggingLevel: z
      .enum(ZENML_LOGGING_LEVELS)
      .optional()
      .describe("Server log level: ZENML_LOGGING_VERBOSITY (what ZenML reads, src/zenml/constants.py) and the guide's ZENML_LOGGING_LEVEL. Must be a member of ZenML's LoggingLevels enum in zenml.version (src/zenml/enums.py): WARNING only from 0.85.0, WARN in every release (docs/runtime.md). @default INFO"),
    oauth2ClientSecretName: nonEmpty
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, "must be a Secrets Manager name: letters, digits and /_+=.@-")
      .optional()
      .describe("Name of the Secrets Manager secret this stack creates for the OAuth2 client secret. @default zenml/pro/oauth2-client-secret (the guide's name) when name is zenml-hybrid, else zenml/<name>/oauth2-client-secret"),
    oauth2ClientSecretArn: arn("secretsmanager")
      .optional()
      .describe("ARN of an existing secret holding the OAuth2 client secret; when set, no secret is created. @default none"),
    oauth2ClientSecretKmsKeyArn: arn("kms")
      .optional()
      .describe("KMS key that encrypts the existing secret (only with oauth2ClientSecretArn, if not the AWS-managed key). @default none"),
    oauth2ClientSecretVariable: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "must be a Terraform variable name: lower-case letters, digits and _").optional()
      .describe("Take the OAuth2 client secret at deploy time from this ephemeral Terraform variable (export TF_VAR_<name> before cdktf deploy/diff) instead of put-secret-value after the first deploy: one deploy brings up a working service, and the value is in no plan or state (written with secret_string_wo). Only for a secret this stack creates. @default none (set the value with put-secret-value)"),
    oauth2ClientSecretGeneration: z.number().int().min(1).optional()
      .describe("With oauth2ClientSecretVariable: raise by one to write a new value (after ZenML Pro rotated the client secret); the deploy also replaces the tasks. @default 1"),
    secretsStoreKeySecretArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
        "must be the full ARN of a Secrets Manager secret, ending in the 6-character suffix Secrets Manager adds (arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf, as describe-secret prints it), without a version",
      )
      .optional()
      .describe("Use this existing secret as ZENML_SECRETS_STORE_ENCRYPTION_KEY instead of generating one: the key of the environment whose database was restored (in the DR region, that key's replica there). Must be in this environment's region. Tasks read its current value (no version pin). @default none (a key is generated)"),
    secretsStoreKeyKmsKeyArn: arn("kms")
      .optional()
      .describe("KMS key that encrypts secretsStoreKeySecretArn (only with it; omit for the AWS-managed key aws/secretsmanager); the execution role may decrypt with it through Secrets Manager only. @default none"),
    extraEnvironment: extraEnvironment.optional()
      .describe("More plain environment variables for the server (and its migration) container, e.g. {\"ZENML_SERVER_RATE_LIMIT_ENABLED\": \"true\", \"ZENML_SERVER_THREAD_POOL_SIZE\": \"60\"}, for ZenML settings this file has no field for (ServerConfiguration reads ZENML_SERVER_<FIELD>: rate_limit_enabled, thread_pool_size, cors_allow_origins, secure_headers_*, ...; src/zenml/config/server_config.py). Refused: a name the runtime contract sets (lib/zenml-environment.ts; change those through their own field) and a name that looks like a secret. @default {}"),
    jwtSecretKeyGeneration: z.number().int().min(1).optional()
      .describe("Generation of ZENML_SERVER_JWT_SECRET_KEY, the key every task signs and checks API tokens with (secret `zenml/<name>/server-jwt-secret-key`, generated by Secrets Manager, never in state). Raise it by one to rotate the key: the next deploy writes a new value and replaces the tasks; every user and service account token is invalidated. @default 1"),
  })
  .describe("ZenML Pro workspace settings (the guide's Step 5 environment table).");

const azName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, "must be an AZ name such as eu-central-1a");
const subnetRef = z.strictObject({
  id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "must be a subnet ID such as subnet-0123456789abcdef0"),
  availabilityZone: azName.describe("AZ of the subnet (checked against AWS at plan time)."),
});
const existingVpcSchema = z
  .strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC ID such as vpc-0123456789abcdef0"),
    publicSubnets: z.array(subnetRef).min(2, "must list at least 2 public subnets").describe("Subnets for the ALB (routed to an internet gateway)."),
    privateSubnets: z.array(subnetRef).min(2, "must list at least 2 private subnets").describe("Subnets for ECS tasks and RDS (with a NAT route)."),
  })
  .describe("An existing VPC and subnets: no network is created.");

/** Stack and file names: lower-case letters, digits, hyphens. */
export const ENV_NAME = /^[a-z][a-z0-9-]{0,30}$/;

const networkSchema = z
  .strictObject({
    existingVpc: existingVpcSchema.optional()
      .describe("Bring your own VPC and subnets (each tier in at least 2 AZs); then no network is created. @default none (a network is created)"),
    platform: z.string().regex(ENV_NAME, "must be the name of a platform file in the same folder").optional()
      .describe("Use the VPC of the platform stack defined by `<platform>.json` (kind: platform) in the same folder. @default none (a network is created)"),
    vpcCidr: ipv4Cidr.optional().describe("VPC CIDR; subnets are carved from it with cidrsubnet(). @default 10.0.0.0/16"),
    azCount: z.number().int().min(2, "must be at least 2 (the guide needs 2 AZs)").max(6).optional()
      .describe("How many availability zones get a public and a private subnet. @default 2"),
    availabilityZones: z.array(azName)
      .min(2, "must list at least 2 availability zones")
      .optional()
      .describe("Explicit AZ names (overrides azCount); default is the first azCount AZs the region reports. @default looked up"),
    natGateways: z.enum(["single", "perAz"]).optional()
      .describe("One NAT gateway for all private subnets, or one per AZ. @default dev: single, prod: perAz"),
    subnetNewBits: z.number().int().min(1).max(12).optional()
      .describe("Bits added to the VPC prefix for each subnet (cidrsubnet newbits). @default 4"),
    flowLogRetentionDays: logRetention.optional().describe("Retention of the VPC flow log group. @default dev: 30, prod: 365"),
  })
  .describe("VPC layout (the guide's Step 1).");

const databaseSchema = z
  .strictObject({
    engineVersion: z.enum(["8.0", "8.4"]).optional()
      .describe("MySQL major version. 8.0 left RDS standard support in July 2026 (extended-support fees). @default 8.4"),
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.t3.micro").optional()
      .describe("RDS instance class. @default dev: db.t3.micro, prod: db.m6g.large"),
    allocatedStorageGb: z.number().int().min(20).max(65536).optional().describe("Initial storage (GiB). @default 100"),
    maxAllocatedStorageGb: z.number().int().min(20).max(65536).optional()
      .describe("Storage autoscaling ceiling (GiB); must be > allocated. @default dev: 200, prod: 1000"),
    multiAz: z.boolean().optional().describe("Multi-AZ standby. @default dev: false, prod: true"),
    backupRetentionDays: z.number().int().min(0).max(35).optional()
      .describe("Automated backup retention (RDS allows 0-35 days; the policy pack requires at least 7, the guide asks for 30). @default 30"),
    deletionProtection: z.boolean().optional().describe("RDS deletion protection. @default dev: false, prod: true"),
    skipFinalSnapshot: z.boolean().optional().describe("Skip the final snapshot on destroy. @default dev: true, prod: false"),
    performanceInsights: z.boolean().optional()
      .describe("Performance Insights (KMS-encrypted, 7 days). Not available on micro/small classes. @default true where the class supports it"),
    monitoringIntervalSeconds: z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).optional()
      .describe("Enhanced monitoring interval; 0 disables it. @default 60"),
    databaseName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "must be a MySQL identifier").optional()
      .describe("Initial database. @default zenml_hybrid"),
    username: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, "must be 1-16 letters, digits or _, starting with a letter").optional()
      .describe("Master user name; its password is generated and kept by RDS in Secrets Manager. @default zenml"),
    requireTls: z.boolean().optional()
      .describe("require_secure_transport=ON in the parameter group and TLS (verify-ca) from the server. @default true"),
    backupWindow: z.string().regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, "must be hh24:mi-hh24:mi in UTC").optional()
      .describe("Daily backup window (UTC). @default 02:00-03:00"),
    maintenanceWindow: z.string().regex(/^[a-z]{3}:\d{2}:\d{2}-[a-z]{3}:\d{2}:\d{2}$/, "must be ddd:hh24:mi-ddd:hh24:mi").optional()
      .describe("Weekly maintenance window (UTC). @default sun:03:30-sun:04:30"),
    backupReplication: z.boolean().optional()
      .describe("Copy the automated backups (snapshots and transaction logs) to database.backupReplicationRegion, encrypted with a KMS key of that region (aws_db_instance_automated_backups_replication). @default dev: false, prod: true"),
    backupReplicationRegion: z.enum(SUPPORTED_REGIONS).optional()
      .describe(`Region that receives the backup copies (only with backupReplication); must differ from region. @default the paired region: ${Object.entries(DR_REGION_PAIRS).map(([a, b]) => `${a}→${b}`).join(", ")}; required elsewhere`),
    restoreTesting: z.boolean().optional()
      .describe("AWS Backup takes a daily snapshot of the database into a backup vault, and a restore testing plan restores the latest one on restoreTestingSchedule and deletes it after validation. @default dev: false, prod: true"),
    restoreTestingSchedule: z.string().regex(/^cron\([^)]+\)$/, "must be an AWS cron expression such as cron(0 5 ? * SAT *)").optional()
      .describe("When the restore test runs (UTC). @default cron(0 5 ? * SAT *) (Saturdays 05:00)"),
  })
  .describe("RDS MySQL (the guide's Step 2 and Database Maintenance).");

const serviceSchema = z
  .strictObject({
    cpu: z.number().int().meta({ enum: Object.keys(FARGATE_MEMORY_BY_CPU).map(Number) }).optional()
      .describe("Fargate task CPU units. @default 512"),
    memory: z.number().int().optional()
      .describe("Fargate task memory (MiB) valid for the CPU: 256→512-2048, 512→1024-4096, 1024→2048-8192, 2048→4096-16384, 4096→8192-30720 (1 GiB steps), 8192→16-60 GiB (4 GiB steps), 16384→32-120 GiB (8 GiB steps). @default 1024"),
    desiredCount: count.max(100).optional().describe("Tasks to run (the initial count when autoscaling). @default dev: 1, prod: 2"),
    minCapacity: count.max(100).optional().describe("Autoscaling minimum tasks. @default dev: 1, prod: 2"),
    maxCapacity: count.max(100).optional().describe("Autoscaling maximum tasks; 0 or equal to min disables autoscaling. @default dev: 1, prod: 6"),
    targetCpuPercent: z.number().int().min(10).max(95).optional().describe("Target-tracking CPU utilisation. @default 70"),
    healthCheckGracePeriodSeconds: count.max(2147483647).optional()
      .describe("Seconds ECS ignores ALB health checks after a task starts. ZenML answers /health only after its store initialized and it reached the Pro control plane; the default also covers a first-start schema migration on the smallest class. @default 600"),
    containerPort: z.number().int().min(1).max(65535).optional()
      .describe("Port the server container listens on: port mapping, target group, health check, security groups and ZENML_SERVER_PORT. ZenML's server image (docker/base.Dockerfile: EXPOSE 8080, uvicorn --port 8080) and Helm chart (containerPort/targetPort 8080) use 8080; the guide's 8000 is an option for an image that listens there (docs/runtime.md). Check an image with `docker inspect --format '{{json .Config.Cmd}} {{json .Config.ExposedPorts}}' <image>`. @default 8080"),
    command: z.array(nonEmpty).min(1).optional()
      .describe("Server container command, replacing the image's CMD (the image's ENTRYPOINT stays), e.g. [\"uvicorn\", \"zenml.zen_server.zen_server_api:app\", \"--proxy-headers\", \"--forwarded-allow-ips\", \"*\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\"]. @default none (the image's CMD)"),
    migrationLockTimeoutSeconds: z.number().int().min(60).max(3600).optional()
      .describe("Seconds a task's migration container waits for the MySQL lock another task holds while it migrates the schema. @default 900"),
  })
  .describe("ECS Fargate service (the guide's Steps 5, 6 and Scaling).");

const podQuantity = z.string().regex(/^\d+(\.\d+)?(m|Mi|Gi|Ki|M|G)?$/, "must be a Kubernetes quantity such as 500m or 2Gi");
const podResources = z.strictObject({ cpu: podQuantity.optional(), memory: podQuantity.optional() });

const workloadManagerSchema = z
  .strictObject({
    type: z.enum(["aws-kubernetes", "kubernetes"])
      .describe("aws-kubernetes: the guide's Option A (runner images built and pushed to ECR, logs in S3); kubernetes: Option B (prebuilt runner image)."),
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name").optional()
      .describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_NAMESPACE. @default zenml-workload-manager"),
    serviceAccount: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "must be a Kubernetes service account name").optional()
      .describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_SERVICE_ACCOUNT. @default zenml-runner"),
    eksClusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, "must be an EKS cluster name").optional()
      .describe("EKS cluster the runners run on (aws-kubernetes): the task role may eks:DescribeCluster on it only. @default none (required for aws-kubernetes)"),
    buildRunnerImage: z.boolean().optional().describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_BUILD_RUNNER_IMAGE (aws-kubernetes). @default true"),
    enableExternalLogs: z.boolean().optional().describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_ENABLE_EXTERNAL_LOGS (aws-kubernetes). @default true"),
    maxConcurrentTemplateRuns: z.number().int().min(1).max(100).optional()
      .describe("ZENML_SERVER_MAX_CONCURRENT_TEMPLATE_RUNS (aws-kubernetes). @default 2"),
    podResources: z.strictObject({ requests: podResources.optional(), limits: podResources.optional() }).optional()
      .describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_POD_RESOURCES, encoded as JSON (aws-kubernetes). @default requests 500m/512Mi, limits 2000m/2Gi"),
    runnerImage: nonEmpty.optional()
      .describe("ZENML_KUBERNETES_WORKLOAD_MANAGER_RUNNER_IMAGE: prebuilt runner image (kubernetes; required there). @default none"),
  })
  .describe("Pipeline snapshots from the UI (the guide's optional workload manager). Experimental on ECS.");

const healthCheckSchema = z
  .strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]{0,1023}$/, "must be a URL path starting with /, at most 1024 printable characters").optional()
      .describe("Path the ALB requests on each task (ZenML's server answers GET and HEAD /health with OK once it started: the HEALTH route of src/zenml/zen_server/zen_server_api.py). @default /health"),
    intervalSeconds: z.number().int().min(5).max(300).optional().describe("Seconds between checks of a task. @default 30"),
    timeoutSeconds: z.number().int().min(2).max(120).optional().describe("Seconds without an answer that fail a check; must be below intervalSeconds. @default 5"),
    healthyThreshold: z.number().int().min(2).max(10).optional().describe("Consecutive passed checks that make a task healthy. @default 2"),
    unhealthyThreshold: z.number().int().min(2).max(10).optional().describe("Consecutive failed checks that make a task unhealthy (ECS then replaces it). @default 3"),
    matcher: z.string().regex(/^[1-5]\d\d(-[1-5]\d\d)?(,[1-5]\d\d(-[1-5]\d\d)?)*$/, "must be HTTP codes such as 200, 200,204 or 200-299").optional()
      .describe("HTTP codes that pass a check. @default 200"),
  })
  .describe("Target group health check of the server tasks (the guide's Step 7).");

const loadBalancerSchema = z
  .strictObject({
    deletionProtection: z.boolean().optional().describe("ALB deletion protection. @default dev: false, prod: true"),
    sslPolicy: z.string().regex(/^ELBSecurityPolicy-TLS13-1-[23]-/, "must be a TLS 1.3 ELBSecurityPolicy-TLS13-1-2-* or -1-3-* policy").optional()
      .describe("HTTPS listener security policy. @default ELBSecurityPolicy-TLS13-1-2-2021-06"),
    idleTimeoutSeconds: z.number().int().min(1).max(4000).optional().describe("ALB idle timeout. @default 60"),
    accessLogRetentionDays: z.number().int().min(1).max(3650).optional().describe("Expiry of ALB access log objects. @default dev: 30, prod: 365"),
    healthCheck: healthCheckSchema.optional(),
    webAclArn: arn("wafv2").optional()
      .describe("AWS WAF web ACL (regional) to associate with the ALB. @default none (no WAF; the policy finding ZNALB10 is suppressed as optional)"),
  })
  .describe("Application Load Balancer (the guide's Step 7).");

const dnsSchema = z
  .strictObject({
    domainName: domainName.describe("Public host name of the workspace; sets ZENML_SERVER_SERVER_URL."),
    provider: z.enum(["route53", "external"]).describe("route53: certificate and alias record in a hosted zone; external: you create the CNAME."),
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,31}$/, "must be a Route53 hosted zone ID such as Z0123456789ABCDEFGHIJ").optional()
      .describe("Route53 hosted zone for the domain (provider route53). @default none"),
    certificateArn: arn("acm").optional()
      .describe("Existing ACM certificate (required for provider external, optional for route53). @default none"),
  })
  .describe("DNS and TLS (the guide's Steps 7-8).");

const observabilitySchema = z
  .strictObject({
    logGroupName: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, "must be a CloudWatch log group name").optional()
      .describe("Container log group. @default /ecs/<name>"),
    logRetentionDays: logRetention.optional().describe("Retention of the container log group. @default dev: 30, prod: 365"),
    alarmEmail: z.email().optional().describe("E-mail subscribed to the alarm topic (confirm the subscription mail). @default none"),
    cpuAlarmPercent: z.number().int().min(1).max(100).optional().describe("ECS CPU alarm threshold. @default 80"),
    dbCpuAlarmPercent: z.number().int().min(1).max(100).optional().describe("RDS CPU alarm threshold. @default 80"),
    dbFreeStorageAlarmGb: z.number().int().min(1).optional().describe("RDS free storage alarm threshold (GiB). @default 10"),
    dbConnectionsAlarm: z.number().int().min(1).optional().describe("RDS connection count alarm threshold. @default 80"),
    logSubscriptionDestinationArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:(kinesis|firehose|lambda|logs):[a-z0-9-]+:\d{12}:.+$/, "must be a Kinesis stream, Firehose stream, Lambda function or CloudWatch Logs destination ARN")
      .optional()
      .describe("Forward every container log event to this destination (the guide's centralized logging system) with a subscription filter. @default none (no forwarding)"),
    logSubscriptionRoleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "must be an IAM role ARN")
      .optional()
      .describe("Role CloudWatch Logs assumes to put records into a Kinesis or Firehose destination (required for those, not allowed for Lambda). @default none"),
  })
  .describe("Logs and alarms (the guide's Monitoring & Logging).");

const stateSchema = z
  .strictObject({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)")
      .describe("S3 bucket for remote state (created by the bootstrap stack)."),
    key: z.string().regex(/^[A-Za-z0-9!_.*'()/-]+\.tfstate$/, "must be an S3 key ending in .tfstate").optional()
      .describe("State object key. @default zenml/<environment>.tfstate"),
    region: z.enum(SUPPORTED_REGIONS).optional().describe("Region of the state bucket. @default the environment's region"),
    kmsKeyId: arn("kms").optional()
      .describe("KMS key the S3 backend encrypts state objects with (the state-bootstrap output state_kms_key_arn_<region with underscores>). @default none (SSE-S3 headers from the backend)"),
    dynamodbTable: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name").optional()
      .describe("Lock with a DynamoDB table (created by bootstrap) instead of the S3-native lockfile. @default none (use_lockfile)"),
  })
  .describe("Remote state backend.");

const accountIds = z
  .array(z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account ID"))
  .min(1, "must list at least one account ID")
  .optional()
  .describe("AWS accounts this file may be applied to (the provider's allowed_account_ids): a plan with credentials of any other account fails before anything is read or changed. Files with disjoint lists are in different accounts, so their resource names may repeat. @default none (any account; files sharing a state bucket count as one account)");

const editorSchema = z.string().optional().describe("Editor hint: path to this JSON Schema.");
const tags = z.record(z.string().min(1).max(128), z.string().max(256)).optional().describe("Extra tags on every resource. @default {}");

/** Schema of one environment file as written by users (preset-dependent fields optional). */
export const EnvironmentFileSchema = z
  .strictObject({
    $schema: editorSchema,
    kind: z.literal("workspace").optional().describe("File kind: a workspace environment. @default workspace"),
    preset: z.enum(["dev", "prod"]).describe("Defaults profile: dev (single NAT, one task, small DB) or prod (HA, protection on)."),
    region: z.enum(SUPPORTED_REGIONS).describe("AWS region of the deployment."),
    name: resourceName.optional()
      .describe("Base name every account-scoped resource name derives from (cluster, task family, DB, ALB, roles, KMS alias, log groups, secrets, alarms; see docs/environments.md). Environments sharing an account need distinct names. @default zenml-hybrid"),
    allowedAccountIds: accountIds,
    protected: z.boolean().optional()
      .describe("Refuse at plan time any plan that would delete or replace the database, its KMS key, the OAuth2 and JWT secrets or the ALB (lifecycle.prevent_destroy). To tear the environment down, set false (with database.deletionProtection and loadBalancer.deletionProtection false), deploy, then destroy. @default dev: false, prod: true"),
    tags,
    zenml: zenmlSchema,
    network: networkSchema.optional(),
    database: databaseSchema.optional(),
    service: serviceSchema.optional(),
    loadBalancer: loadBalancerSchema.optional(),
    dns: dnsSchema,
    observability: observabilitySchema.optional(),
    workloadManager: workloadManagerSchema.optional().describe("Pipeline snapshots (experimental on ECS). @default off"),
    state: stateSchema,
  })
  .describe("A ZenML Pro Hybrid workspace on AWS ECS: one environment.");

/** Schema of a platform file: a shared network for several workspace environments. */
export const PlatformFileSchema = z
  .strictObject({
    $schema: editorSchema,
    kind: z.literal("platform").describe("File kind: a shared network that workspace files reference with network.platform."),
    preset: z.enum(["dev", "prod"]).describe("Defaults profile of the network (NAT per AZ in prod)."),
    region: z.enum(SUPPORTED_REGIONS).describe("AWS region; workspaces on this platform must use the same one."),
    name: resourceName.optional().describe("Base name of the network resources (KMS alias, flow-log role and log group). @default zenml-platform"),
    allowedAccountIds: accountIds,
    tags,
    network: networkSchema.omit({ existingVpc: true, platform: true }).optional(),
    state: stateSchema,
  })
  .describe("A shared VPC (subnets, NAT, flow logs) for several ZenML workspaces.");

export type PlatformFile = z.infer<typeof PlatformFileSchema>;

export type EnvironmentFile = z.infer<typeof EnvironmentFileSchema>;

/** What every resolved file has: identity, region, naming, tags, network and state. */
interface ResolvedFileBase {
  /** File name without .json: the stack name. */
  readonly envName: string;
  /** Path of the file, for messages. */
  readonly sourceFile: string;
  readonly preset: "dev" | "prod";
  readonly region: string;
  readonly name: string;
  /** Accounts the provider may use (allowed_account_ids); undefined: any. */
  readonly allowedAccountIds?: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly network: ResolvedNetwork;
  readonly state: ResolvedState;
}

/** `zenml` fields without a default: existing secrets, their keys, the deploy-time variable. */
type ExternalSecretFields =
  | "oauth2ClientSecretArn"
  | "oauth2ClientSecretKmsKeyArn"
  | "oauth2ClientSecretVariable"
  | "secretsStoreKeySecretArn"
  | "secretsStoreKeyKmsKeyArn";

/** Fully resolved configuration of one environment: every default applied. */
export interface EnvironmentConfig extends ResolvedFileBase {
  readonly zenml: Required<Omit<EnvironmentFile["zenml"], ExternalSecretFields>> & Pick<EnvironmentFile["zenml"], ExternalSecretFields>;
  readonly kind: "workspace";
  /** lifecycle.prevent_destroy on the database, its KMS key, the secrets and the ALB. */
  readonly protected: boolean;
  readonly database: Required<Omit<NonNullable<EnvironmentFile["database"]>, "backupReplicationRegion">> &
    Pick<NonNullable<EnvironmentFile["database"]>, "backupReplicationRegion">;
  readonly service: Required<Omit<NonNullable<EnvironmentFile["service"]>, "command">> &
    Pick<NonNullable<EnvironmentFile["service"]>, "command">;
  readonly loadBalancer: Required<Omit<NonNullable<EnvironmentFile["loadBalancer"]>, "webAclArn" | "healthCheck">> &
    Pick<NonNullable<EnvironmentFile["loadBalancer"]>, "webAclArn"> & { readonly healthCheck: ResolvedHealthCheck };
  readonly dns: EnvironmentFile["dns"];
  readonly observability: Required<Omit<NonNullable<EnvironmentFile["observability"]>, "alarmEmail" | "logSubscriptionDestinationArn" | "logSubscriptionRoleArn">> &
    Pick<NonNullable<EnvironmentFile["observability"]>, "alarmEmail" | "logSubscriptionDestinationArn" | "logSubscriptionRoleArn">;
  readonly workloadManager?: ResolvedWorkloadManager;
}

type NetworkFile = NonNullable<EnvironmentFile["network"]>;
/** Network settings with defaults applied. */
export type ResolvedNetwork = Required<Omit<NetworkFile, "availabilityZones" | "existingVpc" | "platform">> &
  Pick<NetworkFile, "availabilityZones" | "existingVpc" | "platform">;
/** Target group health check with defaults applied. */
export type ResolvedHealthCheck = Required<NonNullable<NonNullable<EnvironmentFile["loadBalancer"]>["healthCheck"]>>;
/** State backend settings with defaults applied. */
export type ResolvedState = Required<Omit<EnvironmentFile["state"], "dynamodbTable" | "kmsKeyId">> &
  Pick<EnvironmentFile["state"], "dynamodbTable" | "kmsKeyId">;
/** Workload manager settings with defaults applied. */
export type ResolvedWorkloadManager = Required<Omit<NonNullable<EnvironmentFile["workloadManager"]>, "eksClusterName" | "runnerImage">> &
  Pick<NonNullable<EnvironmentFile["workloadManager"]>, "eksClusterName" | "runnerImage">;

/** Fully resolved platform file. */
export interface PlatformConfig extends ResolvedFileBase {
  readonly kind: "platform";
}

/** Any resolved config file. */
export type AnyConfig = EnvironmentConfig | PlatformConfig;

/** Preset-dependent defaults. Anything not listed here has one default for both presets. */
export const PRESETS = {
  dev: {
    protected: false,
    network: { natGateways: "single", flowLogRetentionDays: 30 },
    database: {
      instanceClass: "db.t3.micro",
      maxAllocatedStorageGb: 200,
      multiAz: false,
      deletionProtection: false,
      skipFinalSnapshot: true,
      backupReplication: false,
      restoreTesting: false,
    },
    service: { desiredCount: 1, minCapacity: 1, maxCapacity: 1 },
    loadBalancer: { deletionProtection: false, accessLogRetentionDays: 30 },
    observability: { logRetentionDays: 30 },
  },
  prod: {
    protected: true,
    network: { natGateways: "perAz", flowLogRetentionDays: 365 },
    database: {
      instanceClass: "db.m6g.large",
      maxAllocatedStorageGb: 1000,
      multiAz: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      backupReplication: true,
      restoreTesting: true,
    },
    service: { desiredCount: 2, minCapacity: 2, maxCapacity: 6 },
    loadBalancer: { deletionProtection: true, accessLogRetentionDays: 365 },
    observability: { logRetentionDays: 365 },
  },
} as const;

/** Defaults shared by both presets, from the ZenML guide. */
export const DEFAULTS = {
  name: "zenml-hybrid",
  zenml: {
    image: ZENML_PRO_IMAGE_REPOSITORY,
    apiUrl: "https://cloudapi.zenml.io",
    dashboardUrl: "https://cloud.zenml.io",
    loggingLevel: "INFO",
    oauth2ClientSecretName: "zenml/pro/oauth2-client-secret",
    oauth2ClientSecretGeneration: 1,
    jwtSecretKeyGeneration: 1,
    extraEnvironment: {},
  },
  network: { vpcCidr: "10.0.0.0/16", azCount: 2, subnetNewBits: 4 },
  database: {
    engineVersion: "8.4",
    allocatedStorageGb: 100,
    backupRetentionDays: 30,
    monitoringIntervalSeconds: 60,
    databaseName: "zenml_hybrid",
    username: "zenml",
    requireTls: true,
    backupWindow: "02:00-03:00",
    maintenanceWindow: "sun:03:30-sun:04:30",
    restoreTestingSchedule: "cron(0 5 ? * SAT *)",
  },
  service: {
    cpu: 512,
    memory: 1024,
    targetCpuPercent: 70,
    healthCheckGracePeriodSeconds: 600,
    containerPort: 8080,
    migrationLockTimeoutSeconds: 900,
  },
  loadBalancer: {
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    idleTimeoutSeconds: 60,
    // The guide's Step 7 health check.
    healthCheck: { path: "/health", intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200" },
  },
  observability: { cpuAlarmPercent: 80, dbCpuAlarmPercent: 80, dbFreeStorageAlarmGb: 10, dbConnectionsAlarm: 80 },
  workloadManager: {
    namespace: "zenml-workload-manager",
    serviceAccount: "zenml-runner",
    buildRunnerImage: true,
    enableExternalLogs: true,
    maxConcurrentTemplateRuns: 2,
    podResources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
  },
  platformName: "zenml-platform",
} as const;
