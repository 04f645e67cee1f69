/**
 * Config validation: every bad input is rejected with the file, the field path and what is allowed;
 * presets and defaults resolve as documented.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, loadEnvironments, parseEnvironment } from "../lib/config/load";
import { CONFIG_DOC_FILE, docWithReference, environmentJsonSchema, PLATFORM_SCHEMA_FILE, SCHEMA_FILE } from "../scripts/generate-schema";
import { configFrom, problemsOf, shippedFile, tempDir } from "./helpers";

/** An existing-VPC block with subnets in the given AZs. */
function byoVpc({ publicAzs = ["eu-central-1a", "eu-central-1b"], privateAzs = ["eu-central-1a", "eu-central-1b"] } = {}) {
  const subnets = (prefix: string, azs: string[]) => azs.map((az, i) => ({ id: `subnet-0${prefix}00000000000000${i}`, availabilityZone: az }));
  return { vpcId: "vpc-0a1b2c3d4e5f67890", publicSubnets: subnets("a", publicAzs), privateSubnets: subnets("b", privateAzs) };
}


const cases: [string, (d: any) => void, RegExp][] = [
  ["unknown top-level key", (d) => (d.colour = "blue"), /^config\/test\.json: \(root\): unknown field\(s\) 'colour'; allowed: \$schema, kind, preset, region, name, allowedAccountIds, protected, tags, zenml, network, database, service, loadBalancer, dns, observability, workloadManager, state$/],
  ["unknown nested key: the nearest allowed key is suggested", (d) => (d.database = { backupRetention: 30 }), /^config\/test\.json: database: unknown field\(s\) 'backupRetention' \(did you mean 'backupRetentionDays'\?\); allowed: engineVersion, .*backupRetentionDays/],
  ["a typo'd top-level key", (d) => (d.servce = { cpu: 512 }), /^config\/test\.json: \(root\): unknown field\(s\) 'servce' \(did you mean 'service'\?\); allowed: /],
  ["wrong type", (d) => (d.service = { cpu: "512" }), /^config\/test\.json: service\.cpu: .*expected number, received string/],
  ["malformed CIDR", (d) => (d.network = { vpcCidr: "10.0.0.0/33" }), /^config\/test\.json: network\.vpcCidr: must be an IPv4 CIDR block with a prefix from \/16 to \/28/],
  ["CIDR octet out of range", (d) => (d.network = { vpcCidr: "10.300.0.0/16" }), /network\.vpcCidr: must be an IPv4 CIDR/],
  ["unknown region", (d) => (d.region = "mars-north-1"), /^config\/test\.json: region: .*"eu-central-1"/],
  ["invalid Fargate memory for the CPU", (d) => (d.service = { cpu: 512, memory: 512 }), /^config\/test\.json: service\.memory: 512 MiB is not valid with 512 CPU; allowed: 1024, 2048, 3072, 4096$/],
  ["invalid Fargate CPU", (d) => (d.service = { cpu: 300 }), /service\.cpu: must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192, 16384/],
  ["fewer than 2 AZs (count)", (d) => (d.network = { azCount: 1 }), /network\.azCount: must be at least 2/],
  ["fewer than 2 AZs (list)", (d) => (d.network = { availabilityZones: ["eu-central-1a"] }), /network\.availabilityZones: must list at least 2 availability zones/],
  ["AZ outside the region", (d) => (d.network = { availabilityZones: ["eu-central-1a", "eu-west-1b"] }), /network\.availabilityZones\.1: 'eu-west-1b' is not in region eu-central-1/],
  ["repeated AZ", (d) => (d.network = { availabilityZones: ["eu-central-1a", "eu-central-1a"] }), /network\.availabilityZones: must not repeat/],
  ["account ID not 12 digits", (d) => (d.allowedAccountIds = ["12345"]), /^config\/test\.json: allowedAccountIds\.0: must be a 12-digit AWS account ID$/],
  ["empty allowedAccountIds", (d) => (d.allowedAccountIds = []), /^config\/test\.json: allowedAccountIds: must list at least one account ID$/],
  ["protected not a boolean", (d) => (d.protected = "yes"), /^config\/test\.json: protected: .*expected boolean/],
  ["backup retention above 35", (d) => (d.database = { backupRetentionDays: 36 }), /database\.backupRetentionDays: .*<=35/],
  ["backup retention below 0", (d) => (d.database = { backupRetentionDays: -1 }), /database\.backupRetentionDays: .*>=0/],
  ["malformed WAF ACL ARN", (d) => (d.loadBalancer = { webAclArn: "acl-1" }), /loadBalancer\.webAclArn: must be an wafv2 ARN/],
  ["max storage below allocated", (d) => (d.database = { allocatedStorageGb: 100, maxAllocatedStorageGb: 50 }), /database\.maxAllocatedStorageGb: must be greater than database\.allocatedStorageGb \(100\)/],
  ["bad domain name", (d) => (d.dns.domainName = "zenml..mycompany.com"), /dns\.domainName: must be a lower-case fully qualified domain name/],
  ["domain without a TLD", (d) => (d.dns.domainName = "localhost"), /dns\.domainName: must be a lower-case fully qualified domain name/],
  ["empty organization ID", (d) => (d.zenml.organizationId = ""), /^config\/test\.json: zenml\.organizationId: must be a UUID \(8-4-4-4-12 hexadecimal digits/],
  ["blank workspace ID", (d) => (d.zenml.workspaceId = "   "), /^config\/test\.json: zenml\.workspaceId: must be a UUID/],
  ["organization ID that is a name", (d) => (d.zenml.organizationId = "my-organization"), /^config\/test\.json: zenml\.organizationId: must be a UUID/],
  ["workspace ID one digit short", (d) => (d.zenml.workspaceId = "00000000-0000-0000-0000-00000000002"), /^config\/test\.json: zenml\.workspaceId: must be a UUID/],
  ["workspace ID with stray text", (d) => (d.zenml.workspaceId = "id: 00000000-0000-0000-0000-000000000002"), /^config\/test\.json: zenml\.workspaceId: must be a UUID/],
  ["log level WARNING where LoggingLevels has only WARN (before 0.85.0)", (d) => (d.zenml.loggingLevel = "WARNING"), /^config\/test\.json: zenml\.loggingLevel: 'WARNING' is not a member of LoggingLevels in ZenML 0\.84\.3 \(src\/zenml\/enums\.py; .*allowed for 0\.82\.0–0\.84\.3: CRITICAL, ERROR, WARN, INFO, DEBUG, NOTSET$/],
  ["log level that is no LoggingLevels member", (d) => (d.zenml.loggingLevel = "TRACE"), /^config\/test\.json: zenml\.loggingLevel: .*"WARN"/],
  ["version older than the table", (d) => (d.zenml.version = "0.55.0"), /^config\/test\.json: zenml\.version: ZenML 0\.55\.0 is older than every release in lib\/zenml-releases\.ts .*allowed: 0\.80\.0 and later \(read from the wheels up to \d+\.\d+\.\d+\)$/],
  ["version that is not a release number", (d) => (d.zenml.version = "0.84"), /^config\/test\.json: zenml\.version: '0\.84' is not a ZenML release version X\.Y\.Z/],
  ["pre-release tag", (d) => (d.zenml.version = "0.84.3rc1"), /zenml\.version: '0\.84\.3rc1' is not a ZenML release version X\.Y\.Z/],
  ["release that reads Pro tenant settings (git row)", (d) => (d.zenml.version = "0.74.0"), /^config\/test\.json: zenml\.version: ZenML 0\.74\.0 reads the Pro tenant settings \(ZENML_SERVER_PRO_TENANT_ID.*allowed: 0\.80\.0 and later/],
  ["release that reads Pro tenant settings (wheel row)", (d) => (d.zenml.version = "0.75.1"), /zenml\.version: ZenML 0\.75\.1 reads the Pro tenant settings/],
  ["empty version", (d) => (d.zenml.version = ""), /zenml\.version: must not be empty/],
  ["latest version", (d) => (d.zenml.version = "latest"), /zenml\.version: must be a pinned version, not 'latest'/],
  ["missing required field says required", (d) => delete d.zenml.workspaceName, /^config\/test\.json: zenml\.workspaceName: required \(a string\)$/],
  ["missing required enum says required and the values", (d) => delete d.preset, /^config\/test\.json: preset: required \(one of dev, prod\)$/],
  ["negative task count", (d) => (d.service = { desiredCount: -1 }), /service\.desiredCount: .*>=0/],
  ["fractional task count", (d) => (d.service = { desiredCount: 1.5 }), /service\.desiredCount: .*expected int/],
  ["desired outside min/max", (d) => (d.service = { desiredCount: 3, minCapacity: 1, maxCapacity: 2 }), /service\.desiredCount: must be between service\.minCapacity \(1\) and service\.maxCapacity \(2\)/],
  ["max below min", (d) => (d.service = { minCapacity: 3, maxCapacity: 2, desiredCount: 3 }), /service\.maxCapacity: must be >= service\.minCapacity \(3\)/],
  ["Performance Insights on db.t3.micro", (d) => (d.database = { performanceInsights: true }), /database\.performanceInsights: RDS does not support Performance Insights on db\.t3\.micro/],
  ["unknown MySQL version", (d) => (d.database = { engineVersion: "5.7" }), /database\.engineVersion: .*"8\.0".*"8\.4"/],
  ["log retention not accepted by CloudWatch", (d) => (d.observability = { logRetentionDays: 10 }), /observability\.logRetentionDays: must be one of the CloudWatch retention values: 1, 3, 5, 7, 14, 30/],
  ["route53 without a zone", (d) => (d.dns = { domainName: "zenml.mycompany.com", provider: "route53" }), /dns\.hostedZoneId: is required when dns\.provider is 'route53'/],
  ["external DNS without a certificate", (d) => delete d.dns.certificateArn, /dns\.certificateArn: is required when dns\.provider is 'external'/],
  ["certificate in another region", (d) => (d.dns.certificateArn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"), /dns\.certificateArn: must be a certificate in the ALB's region eu-central-1/],
  ["malformed certificate ARN", (d) => (d.dns.certificateArn = "my-cert"), /dns\.certificateArn: must be an acm ARN/],
  ["secret name and ARN together", (d) => Object.assign(d.zenml, { oauth2ClientSecretName: "a/b", oauth2ClientSecretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:x" }), /zenml\.oauth2ClientSecretName: cannot be combined with zenml\.oauth2ClientSecretArn/],
  ["bad resource name", (d) => (d.name = "ZenML_Prod"), /name: must be 2-24 characters/],
  ["bad alarm e-mail", (d) => (d.observability = { alarmEmail: "oncall" }), /observability\.alarmEmail: /],
  ["subnets do not fit", (d) => (d.network = { vpcCidr: "10.0.0.0/26", subnetNewBits: 4 }), /network\.subnetNewBits: VPC \/26 \+ 4 bits gives subnets smaller than \/28; allowed at most 2/],
  ["bad state bucket", (d) => (d.state.bucket = "My_Bucket"), /state\.bucket: must be an S3 bucket name/],
  ["existing VPC with subnets in one AZ", (d) => (d.network = { existingVpc: byoVpc({ privateAzs: ["eu-central-1a", "eu-central-1a"] }) }), /network\.existingVpc\.privateSubnets: must span at least 2 availability zones, found eu-central-1a$/],
  ["existing VPC with one subnet", (d) => (d.network = { existingVpc: { ...byoVpc(), publicSubnets: byoVpc().publicSubnets.slice(0, 1) } }), /network\.existingVpc\.publicSubnets: must list at least 2 public subnets/],
  ["existing VPC plus a CIDR", (d) => (d.network = { existingVpc: byoVpc(), vpcCidr: "10.1.0.0/16" }), /network\.vpcCidr: is only allowed when the stack creates its own network \(not with network\.existingVpc\)/],
  ["existing VPC and a platform", (d) => (d.network = { existingVpc: byoVpc(), platform: "platform" }), /network\.platform: cannot be combined with network\.existingVpc/],
  ["malformed subnet ID", (d) => (d.network = { existingVpc: { ...byoVpc(), privateSubnets: [{ id: "sn-1", availabilityZone: "eu-central-1a" }, byoVpc().privateSubnets[1]] } }), /network\.existingVpc\.privateSubnets\.0\.id: must be a subnet ID/],
  ["aws-kubernetes workload manager without a cluster", (d) => (d.workloadManager = { type: "aws-kubernetes" }), /workloadManager\.eksClusterName: is required when workloadManager\.type is 'aws-kubernetes'/],
  ["kubernetes workload manager without a runner image", (d) => (d.workloadManager = { type: "kubernetes" }), /workloadManager\.runnerImage: is required when workloadManager\.type is 'kubernetes'/],
  ["AWS-only workload manager field with kubernetes", (d) => (d.workloadManager = { type: "kubernetes", runnerImage: "img:1", podResources: {} }), /workloadManager\.podResources: is only allowed when workloadManager\.type is 'aws-kubernetes'/],
  ["bad pod resource quantity", (d) => (d.workloadManager = { type: "aws-kubernetes", eksClusterName: "c", podResources: { limits: { cpu: "two" } } }), /workloadManager\.podResources\.limits\.cpu: must be a Kubernetes quantity/],
  ["state key not .tfstate", (d) => (d.state.key = "zenml/dev"), /state\.key: must be an S3 key ending in \.tfstate/],
];

describe("bad environment files are rejected with file, field and what is allowed", () => {
  test.each(cases)("%s", (_name, mutate, expected) => {
    const problems = problemsOf(mutate);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => expected.test(p))).toBe(true);
  });

  test("the shipped dev file itself has no problems (the cases above fail for their own reason)", () => {
    expect(problemsOf(() => undefined)).toEqual([]);
    expect(problemsOf(() => undefined, "prod")).toEqual([]);
  });

  test("every problem of a file is reported at once", () => {
    const problems = problemsOf((d) => {
      d.region = "nowhere";
      d.zenml.version = "";
      d.database = { backupRetentionDays: 99 };
    });
    expect(problems).toHaveLength(3);
  });

  test("JSON syntax errors name the file, line and column", () => {
    const text = '{\n  "preset": "dev",\n  "region": "eu-central-1"\n  "zenml": {}\n}\n';
    expect(() => parseEnvironment("config/broken.json", text)).toThrow(
      /config\/broken\.json: invalid JSON at line 4, column 3: /,
    );
  });

  test("file names must be valid stack names, and the bootstrap name is reserved", () => {
    const text = JSON.stringify(shippedFile("dev"));
    expect(() => parseEnvironment("config/My Env.json", text)).toThrow(/file name 'My Env' is not a valid environment\/stack name/);
    expect(() => parseEnvironment("config/state-bootstrap.json", text)).toThrow(/reserved for the state bootstrap stack/);
  });
});

describe("across files", () => {
  let dir: string;
  beforeEach(() => (dir = tempDir("zenml-config-")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("problems in several files are all listed, each with its file", () => {
    const bad = (d: any) => JSON.stringify({ ...d, zenml: { ...d.zenml, version: "latest" } });
    fs.writeFileSync(path.join(dir, "a.json"), bad(shippedFile("dev")));
    fs.writeFileSync(path.join(dir, "b.json"), "{ nope");
    let error: ConfigError | undefined;
    try {
      loadEnvironments(dir);
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/a\.json: zenml\.version: must be a pinned version/),
      expect.stringMatching(/b\.json: invalid JSON at line 1, column 3/),
    ]);
  });

  test("two environments may not share a state object", () => {
    const doc = shippedFile("dev");
    doc.state.key = "zenml/shared.tfstate";
    fs.writeFileSync(path.join(dir, "a.json"), JSON.stringify(doc));
    fs.writeFileSync(path.join(dir, "b.json"), JSON.stringify(doc));
    expect(() => loadEnvironments(dir)).toThrow(/b\.json: state\.key: s3:\/\/mycompany-zenml-tfstate\/zenml\/shared\.tfstate is already used by .*a\.json/);
  });

  test("a workspace must name an existing platform file in its region", () => {
    const doc = shippedFile("dev");
    doc.network = { platform: "shared" };
    fs.writeFileSync(path.join(dir, "ws.json"), JSON.stringify(doc));
    expect(() => loadEnvironments(dir)).toThrow(/ws\.json: network\.platform: no platform file 'shared\.json' \(kind: platform\) in this folder; platforms here: none/);
    const platform = { kind: "platform", preset: "dev", region: "eu-west-1", state: { bucket: "mycompany-zenml-tfstate", region: "eu-central-1" } };
    fs.writeFileSync(path.join(dir, "shared.json"), JSON.stringify(platform));
    expect(() => loadEnvironments(dir)).toThrow(/ws\.json: region: must be eu-west-1, the region of platform 'shared'/);
  });

  test("workspaces on one platform need distinct names, secrets, log groups and domains", () => {
    const platform = { kind: "platform", preset: "dev", region: "eu-central-1", state: { bucket: "mycompany-zenml-tfstate" } };
    fs.writeFileSync(path.join(dir, "shared.json"), JSON.stringify(platform));
    const doc = shippedFile("dev");
    doc.network = { platform: "shared" };
    fs.writeFileSync(path.join(dir, "ws-a.json"), JSON.stringify(doc));
    fs.writeFileSync(path.join(dir, "ws-b.json"), JSON.stringify(doc));
    let error: ConfigError | undefined;
    try {
      loadEnvironments(dir);
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([
      expect.stringMatching(/ws-b\.json: dns\.domainName: 'zenml-dev\.mycompany\.com' is already used by .*ws-a\.json on platform 'shared'/),
      expect.stringMatching(/ws-b\.json: name: 'zenml-hybrid-dev' gives .*IAM role zenml-hybrid-dev-task-execution.*, which .*ws-a\.json also creates in the same account/),
      expect.stringMatching(/ws-b\.json: zenml\.oauth2ClientSecretName: 'zenml\/zenml-hybrid-dev\/oauth2-client-secret' gives secret .*, which .*ws-a\.json also creates/),
      expect.stringMatching(/ws-b\.json: observability\.logGroupName: '\/ecs\/zenml-hybrid-dev' gives log group \/ecs\/zenml-hybrid-dev, which .*ws-a\.json also creates/),
    ]);
  });

  /** Writes `files` (name → document) into the temp dir and returns the problems loadEnvironments reports. */
  function problemsOf(files: Record<string, unknown>): readonly string[] {
    for (const [name, doc] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(doc));
    try {
      loadEnvironments(dir);
    } catch (e) {
      return (e as ConfigError).problems;
    }
    return [];
  }
  const prodNamed = (name: string | undefined, extra: Record<string, unknown> = {}) => {
    const doc = { ...shippedFile("prod"), ...extra };
    if (name === undefined) delete doc.name;
    else doc.name = name;
    return doc;
  };

  test("the shipped dev and prod share a state bucket (one account) and no account-scoped name", () => {
    expect(problemsOf({ dev: shippedFile("dev"), prod: shippedFile("prod") })).toEqual([]);
  });

  test("two files in one account (shared state bucket) with the same name are rejected, naming both files and the field", () => {
    const dev = shippedFile("dev");
    delete dev.name;
    expect(problemsOf({ dev, prod: shippedFile("prod") })).toEqual([
      expect.stringMatching(
        /^.*prod\.json: name: 'zenml-hybrid' gives IAM role zenml-hybrid-flow-logs, IAM role zenml-hybrid-rds-monitoring, IAM role zenml-hybrid-task-execution, IAM role zenml-hybrid-task and \d+ more, which .*dev\.json also creates in the same account \(both keep their state in bucket mycompany-zenml-tfstate, region eu-central-1\); give one of the files a distinct name, or set disjoint allowedAccountIds if they deploy to different accounts$/,
      ),
      expect.stringMatching(/prod\.json: zenml\.oauth2ClientSecretName: 'zenml\/pro\/oauth2-client-secret' gives secret zenml\/pro\/oauth2-client-secret, which .*dev\.json also creates/),
      expect.stringMatching(/prod\.json: observability\.logGroupName: '\/ecs\/zenml-hybrid' gives log group \/ecs\/zenml-hybrid, which .*dev\.json also creates/),
    ]);
  });

  test("an explicit name that another file derives collides too: secret and log group names are compared, not only name", () => {
    const prod = prodNamed("zenml-hybrid", { observability: { logGroupName: "/ecs/zenml-hybrid-dev" } });
    const problems = problemsOf({ dev: shippedFile("dev"), prod });
    expect(problems).toEqual([expect.stringMatching(/prod\.json: observability\.logGroupName: '\/ecs\/zenml-hybrid-dev' gives log group \/ecs\/zenml-hybrid-dev, which .*dev\.json also creates/)]);
  });

  test("IAM names collide across regions; regional names do not", () => {
    const dev = shippedFile("dev");
    const other = prodNamed("zenml-hybrid-dev", {
      region: "eu-west-1",
      dns: { domainName: "zenml.mycompany.com", provider: "external", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" },
      state: { bucket: "mycompany-zenml-tfstate", region: "eu-central-1" },
      zenml: { ...shippedFile("prod").zenml, oauth2ClientSecretName: "zenml/eu-west/oauth2-client-secret" },
    });
    const problems = problemsOf({ dev, prod: other });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/prod\.json: name: 'zenml-hybrid-dev' gives IAM role zenml-hybrid-dev-flow-logs, IAM role zenml-hybrid-dev-rds-monitoring, IAM role zenml-hybrid-dev-task-execution, IAM role zenml-hybrid-dev-task and 2 more, which .*dev\.json also creates in the same account \(both keep their state in bucket mycompany-zenml-tfstate\);/);
  });

  test("files with disjoint allowedAccountIds may repeat names; overlapping ones may not, even with separate state buckets", () => {
    const dev = { ...shippedFile("dev"), allowedAccountIds: ["111111111111"] };
    delete dev.name;
    expect(problemsOf({ dev, prod: prodNamed(undefined, { allowedAccountIds: ["222222222222"] }) })).toEqual([]);
    const prod = prodNamed(undefined, { allowedAccountIds: ["222222222222", "111111111111"], state: { bucket: "mycompany-zenml-prod-tfstate" } });
    expect(problemsOf({ dev, prod })[0]).toMatch(/prod\.json: name: 'zenml-hybrid' gives .*, which .*dev\.json also creates in the same account \(allowedAccountIds of both list 111111111111, region eu-central-1\)/);
  });

  test("separate state buckets without allowedAccountIds count as separate accounts", () => {
    const dev = shippedFile("dev");
    delete dev.name;
    expect(problemsOf({ dev, prod: prodNamed(undefined, { state: { bucket: "mycompany-zenml-prod-tfstate" } }) })).toEqual([]);
  });

  test("a workspace named like its platform collides with the platform's network names", () => {
    const platform = { kind: "platform", preset: "dev", region: "eu-central-1", name: "zenml-hybrid-dev", state: { bucket: "other-tfstate" } };
    const ws = { ...shippedFile("dev"), network: { platform: "shared" }, state: { bucket: "mycompany-zenml-tfstate" } };
    const problems = problemsOf({ shared: platform, ws });
    expect(problems).toEqual([expect.stringMatching(/ws\.json: name: 'zenml-hybrid-dev' gives KMS alias alias\/zenml-hybrid-dev, which .*shared\.json also creates in the same account \(both use platform 'shared', region eu-central-1\)/)]);
  });

  test("platform files are validated with their own schema", () => {
    fs.writeFileSync(path.join(dir, "p.json"), JSON.stringify({ kind: "platform", preset: "dev", region: "eu-central-1", zenml: {}, state: { bucket: "mycompany-zenml-tfstate" } }));
    expect(() => loadEnvironments(dir)).toThrow(/p\.json: \(root\): unknown field\(s\) 'zenml'; allowed: \$schema, kind, preset, region, name, allowedAccountIds, tags, network, state/);
  });

  test("an empty or missing directory is an error", () => {
    expect(() => loadEnvironments(dir)).toThrow(/no environment files/);
    expect(() => loadEnvironments(path.join(dir, "missing"))).toThrow(/config directory not found/);
  });
});

describe("presets and defaults", () => {
  const dev = configFrom(shippedFile("dev"), "dev");
  const prod = configFrom(shippedFile("prod"), "prod");

  test("the guide's values are the defaults of both presets", () => {
    const unnamed = (env: string) => {
      const doc = shippedFile(env);
      delete doc.name;
      return configFrom(doc, env);
    };
    for (const c of [unnamed("dev"), prod]) {
      expect(c.name).toBe("zenml-hybrid");
      expect(c.service).toMatchObject({ cpu: 512, memory: 1024, targetCpuPercent: 70 });
      expect(c.database).toMatchObject({ engineVersion: "8.4", allocatedStorageGb: 100, backupRetentionDays: 30, databaseName: "zenml_hybrid", requireTls: true });
      expect(c.observability).toMatchObject({ logGroupName: "/ecs/zenml-hybrid", cpuAlarmPercent: 80 });
      expect(c.zenml).toMatchObject({ apiUrl: "https://cloudapi.zenml.io", dashboardUrl: "https://cloud.zenml.io", oauth2Audience: "https://cloudapi.zenml.io", loggingLevel: "INFO", oauth2ClientSecretName: "zenml/pro/oauth2-client-secret" });
      expect(c.service.containerPort).toBe(8080);
    }
  });

  test("oauth2Audience follows apiUrl unless set, as the chart's pro_oauth2_audience does", () => {
    const withApi = (zenml: Record<string, string>) => {
      const doc = shippedFile("dev");
      Object.assign(doc.zenml, zenml);
      return configFrom(doc).zenml;
    };
    expect(withApi({ apiUrl: "https://eu.cloudapi.example.com" }).oauth2Audience).toBe("https://eu.cloudapi.example.com");
    expect(withApi({ apiUrl: "https://eu.cloudapi.example.com", oauth2Audience: "https://aud.example.com" }).oauth2Audience).toBe("https://aud.example.com");
    expect(withApi({}).oauth2Audience).toBe("https://cloudapi.zenml.io");
  });

  test("log levels: every member of the release's LoggingLevels is accepted, the guide's WARN included", () => {
    for (const level of ["CRITICAL", "ERROR", "WARN", "INFO", "DEBUG", "NOTSET"]) {
      expect(problemsOf((d) => (d.zenml.loggingLevel = level))).toEqual([]);
    }
  });

  test("UUIDs as ZenML Pro shows them are accepted, in either case", () => {
    expect(problemsOf((d) => Object.assign(d.zenml, { organizationId: "0F2B5C1E-8D3A-4B7E-9C61-2A4D5E6F7A8B", workspaceId: "0f2b5c1e-8d3a-4b7e-9c61-2a4d5e6f7a8c" }))).toEqual([]);
  });

  test("every workspace release of the table is accepted, the edges included, and so is a release newer than the table", () => {
    for (const version of ["0.80.0", "0.84.3", "0.94.9", "0.98.0", "0.99.0", "1.0.0"]) expect(problemsOf((d) => (d.zenml.version = version))).toEqual([]);
  });

  test("WARNING is accepted from 0.85.0, the first release whose LoggingLevels has it", () => {
    for (const version of ["0.85.0", "0.98.0"]) expect(problemsOf((d) => Object.assign(d.zenml, { version, loggingLevel: "WARNING" }))).toEqual([]);
    expect(problemsOf((d) => Object.assign(d.zenml, { version: "0.84.3", loggingLevel: "WARNING" }))).toHaveLength(1);
  });

  test("prod: Multi-AZ, protection, 2+ tasks, NAT per AZ; dev: single NAT, one task, small DB", () => {
    expect(prod.database).toMatchObject({ multiAz: true, deletionProtection: true, skipFinalSnapshot: false, instanceClass: "db.m6g.large", performanceInsights: true });
    expect(prod.service).toMatchObject({ desiredCount: 2, minCapacity: 2 });
    expect(prod.network.natGateways).toBe("perAz");
    expect(prod.loadBalancer.deletionProtection).toBe(true);
    expect(dev.database).toMatchObject({ multiAz: false, deletionProtection: false, skipFinalSnapshot: true, instanceClass: "db.t3.micro", performanceInsights: false });
    expect(dev.service).toMatchObject({ desiredCount: 1, maxCapacity: 1 });
    expect(dev.network.natGateways).toBe("single");
  });

  test("a file value overrides the preset; MySQL 8.0 stays selectable", () => {
    const doc = shippedFile("prod");
    doc.database = { engineVersion: "8.0", multiAz: false };
    const c = configFrom(doc);
    expect(c.database).toMatchObject({ engineVersion: "8.0", multiAz: false, deletionProtection: true });
  });

  test("protected: on in the prod preset, off in dev, a file value wins", () => {
    expect([dev.protected, prod.protected]).toEqual([false, true]);
    const doc = shippedFile("prod");
    doc.protected = false;
    expect(configFrom(doc).protected).toBe(false);
  });

  test("names: the guide's defaults for the default name; secret and log group derived from any other name", () => {
    expect(prod).toMatchObject({ name: "zenml-hybrid", allowedAccountIds: ["123456789012"] });
    expect(prod.zenml.oauth2ClientSecretName).toBe("zenml/pro/oauth2-client-secret");
    expect(dev.name).toBe("zenml-hybrid-dev");
    expect(dev.allowedAccountIds).toBeUndefined();
    expect(dev.zenml.oauth2ClientSecretName).toBe("zenml/zenml-hybrid-dev/oauth2-client-secret");
    expect(dev.observability.logGroupName).toBe("/ecs/zenml-hybrid-dev");
  });

  test("state key and region default per environment", () => {
    expect(dev.state).toEqual({ bucket: "mycompany-zenml-tfstate", key: "zenml/dev.tfstate", region: "eu-central-1" });
  });
});

test("config/environment.schema.json and the config reference in docs/configuration.md are generated from the zod schema (run `npm run schema`)", () => {
  expect(fs.readFileSync(SCHEMA_FILE, "utf8")).toBe(environmentJsonSchema("environment"));
  expect(fs.readFileSync(PLATFORM_SCHEMA_FILE, "utf8")).toBe(environmentJsonSchema("platform"));
  const doc = fs.readFileSync(CONFIG_DOC_FILE, "utf8");
  expect(doc).toBe(docWithReference(doc));
  expect(doc).toContain("| `database.backupRetentionDays` | no | integer, 0–35 | 30 |");
});
