/**
 * What must exist in the emulated account before a stack can be applied, created through the AWS
 * API, and test copies of the environment files that point at it (config/*.json is never edited):
 *
 * - the S3 state bucket (and DynamoDB lock table) of the backend;
 * - `dns.certificateArn` → a self-signed certificate imported into ACM for `dns.domainName`;
 * - `dns.hostedZoneId` → a Route53 zone for the domain's parent (one per distinct configured ID);
 * - `network.existingVpc` → a VPC with an internet gateway and the listed subnets in their AZs;
 * - `zenml.oauth2ClientSecretArn` (and its KMS key) → an existing secret;
 * - `loadBalancer.webAclArn` → a regional WAF web ACL; `state.kmsKeyId` → a KMS key;
 * - features moto cannot emulate are switched off in the copy (EMULATOR_DISABLED_SETTINGS).
 */
import * as fs from "fs";
import * as path from "path";
import { disableUnemulatedFeatures } from "./emulator-gaps";
import { Aws } from "./harness";

/** A raw environment/platform file as JSON. */
export type RawConfig = Record<string, any>;

/** The test config dir and what was created for it. */
export interface Fixtures {
  readonly configDir: string;
  /** Human-readable list of what was created (for the report). */
  readonly created: string[];
}

/** Reads every `*.json` (not `*.schema.json`) of a config dir by stack name. */
export function readConfigDir(dir: string): Record<string, RawConfig> {
  const out: Record<string, RawConfig> = {};
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith(".json") && !f.endsWith(".schema.json")) out[path.basename(f, ".json")] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  }
  return out;
}

/** Copies a config dir, replacing the given files. */
export function writeConfigDir(fromDir: string, toDir: string, replaced: Record<string, RawConfig>): void {
  fs.rmSync(toDir, { recursive: true, force: true });
  fs.mkdirSync(toDir, { recursive: true });
  for (const f of fs.readdirSync(fromDir)) {
    if (f.endsWith(".json")) fs.copyFileSync(path.join(fromDir, f), path.join(toDir, f));
  }
  for (const [name, config] of Object.entries(replaced)) {
    fs.writeFileSync(path.join(toDir, `${name}.json`), `${JSON.stringify(config, null, 2)}\n`);
  }
}

function parentDomain(domain: string): string {
  const labels = domain.split(".");
  return labels.length > 2 ? labels.slice(1).join(".") : domain;
}

/**
 * Creates the fixtures of `stacks` (files of `sourceDir`) in the emulated account and writes the
 * patched copy of the config dir to `configDir`.
 */
export async function createFixtures(aws: Aws, sourceDir: string, stacks: readonly string[], configDir: string): Promise<Fixtures> {
  const all = readConfigDir(sourceDir);
  const created: string[] = [];
  const patched: Record<string, RawConfig> = {};
  const buckets = new Set<string>();
  const tables = new Set<string>();
  const zones = new Map<string, string>();
  let vpcCount = 0;

  for (const stack of stacks) {
    const raw = all[stack];
    if (!raw) continue; // e.g. state-bootstrap has no file
    const c: RawConfig = JSON.parse(JSON.stringify(raw));
    const region: string = c.region;
    const stateRegion: string = c.state?.region ?? region;

    if (c.state?.bucket && !buckets.has(c.state.bucket)) {
      buckets.add(c.state.bucket);
      await aws.call("s3", "create_bucket", {
        Bucket: c.state.bucket,
        ...(stateRegion === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: stateRegion } }),
      }, stateRegion);
      await aws.call("s3", "put_bucket_versioning", { Bucket: c.state.bucket, VersioningConfiguration: { Status: "Enabled" } }, stateRegion);
      created.push(`S3 state bucket ${c.state.bucket} (${stateRegion})`);
    }
    if (c.state?.kmsKeyId) {
      const key = await aws.call("kms", "create_key", { Description: "e2e: state encryption key" }, stateRegion);
      c.state.kmsKeyId = key.KeyMetadata.Arn;
      created.push(`KMS key ${key.KeyMetadata.Arn} (state.kmsKeyId)`);
    }
    if (c.state?.dynamodbTable && !tables.has(c.state.dynamodbTable)) {
      tables.add(c.state.dynamodbTable);
      await aws.call("dynamodb", "create_table", {
        TableName: c.state.dynamodbTable,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "LockID", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "LockID", KeyType: "HASH" }],
      }, stateRegion);
      created.push(`DynamoDB lock table ${c.state.dynamodbTable}`);
    }
    if (c.kind === "platform") {
      patched[stack] = c;
      continue;
    }

    created.push(...disableUnemulatedFeatures(c).map((line) => `${stack}: ${line}`));
    if (c.dns?.hostedZoneId) {
      const original: string = c.dns.hostedZoneId;
      let id = zones.get(original);
      if (!id) {
        const zoneName = parentDomain(c.dns.domainName);
        const zone = await aws.call("route53", "create_hosted_zone", { Name: zoneName, CallerReference: `e2e-${stack}-${Date.now()}` });
        id = String(zone.HostedZone.Id).replace(/^\/hostedzone\//, "");
        if (!/^Z[A-Z0-9]{4,31}$/.test(id)) throw new Error(`moto hosted zone ID ${id} does not look like a Route53 ID (is e2e/moto_server.py's patch active?)`);
        zones.set(original, id);
        created.push(`Route53 zone ${zoneName} ${id} (for ${original})`);
      }
      c.dns.hostedZoneId = id;
    }
    if (c.dns?.certificateArn) {
      const pem = await aws.call("fixture", "self_signed_certificate", { domain: c.dns.domainName });
      const cert = await aws.call("acm", "import_certificate", { Certificate: pem.certificate, PrivateKey: pem.privateKey }, region);
      created.push(`ACM certificate for ${c.dns.domainName} ${cert.CertificateArn} (for ${c.dns.certificateArn})`);
      c.dns.certificateArn = cert.CertificateArn;
    }
    const existing = c.network?.existingVpc;
    if (existing) {
      const base = 70 + vpcCount++;
      const vpc = await aws.call("ec2", "create_vpc", { CidrBlock: `10.${base}.0.0/16` }, region);
      const vpcId: string = vpc.Vpc.VpcId;
      const igw = await aws.call("ec2", "create_internet_gateway", {}, region);
      await aws.call("ec2", "attach_internet_gateway", { InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpcId }, region);
      let n = 0;
      for (const tier of ["publicSubnets", "privateSubnets"] as const) {
        for (const s of existing[tier] as Array<{ id: string; availabilityZone: string }>) {
          const subnet = await aws.call("ec2", "create_subnet", { VpcId: vpcId, CidrBlock: `10.${base}.${n++}.0/24`, AvailabilityZone: s.availabilityZone }, region);
          s.id = subnet.Subnet.SubnetId;
        }
      }
      existing.vpcId = vpcId;
      created.push(`existing VPC ${vpcId} with an internet gateway and ${n} subnets`);
    }
    if (c.loadBalancer?.webAclArn) {
      const acl = await aws.call("wafv2", "create_web_acl", {
        Name: `e2e-${stack}`,
        Scope: "REGIONAL",
        DefaultAction: { Allow: {} },
        VisibilityConfig: { SampledRequestsEnabled: false, CloudWatchMetricsEnabled: false, MetricName: `e2e-${stack}` },
      }, region);
      c.loadBalancer.webAclArn = acl.Summary.ARN;
      created.push(`WAF web ACL ${acl.Summary.ARN}`);
    }
    if (c.zenml?.oauth2ClientSecretKmsKeyArn) {
      const key = await aws.call("kms", "create_key", { Description: "e2e: existing OAuth2 secret key" }, region);
      c.zenml.oauth2ClientSecretKmsKeyArn = key.KeyMetadata.Arn;
      created.push(`KMS key ${key.KeyMetadata.Arn} (existing OAuth2 secret key)`);
    }
    if (c.zenml?.oauth2ClientSecretArn) {
      const secret = await aws.call("secretsmanager", "create_secret", {
        Name: `e2e/${stack}/existing-oauth2-client-secret`,
        ...(c.zenml.oauth2ClientSecretKmsKeyArn ? { KmsKeyId: c.zenml.oauth2ClientSecretKmsKeyArn } : {}),
      }, region);
      c.zenml.oauth2ClientSecretArn = secret.ARN;
      created.push(`existing OAuth2 secret ${secret.ARN}`);
    }
    patched[stack] = c;
  }
  writeConfigDir(sourceDir, configDir, patched);
  return { configDir, created };
}

/**
 * The documented way to remove a protected environment (docs/environments.md): set `protected=false`,
 * `database.deletionProtection=false`, `loadBalancer.deletionProtection=false` and
 * `database.skipFinalSnapshot=true` in its file, apply, then destroy. Writes that copy.
 */
export function writeUnprotectedConfigDir(fromDir: string, toDir: string, stacks: readonly string[]): void {
  const all = readConfigDir(fromDir);
  const replaced: Record<string, RawConfig> = {};
  for (const stack of stacks) {
    const c = JSON.parse(JSON.stringify(all[stack])) as RawConfig;
    c.protected = false;
    c.database = { ...(c.database ?? {}), deletionProtection: false, skipFinalSnapshot: true };
    c.loadBalancer = { ...(c.loadBalancer ?? {}), deletionProtection: false };
    replaced[stack] = c;
  }
  writeConfigDir(fromDir, toDir, replaced);
}
