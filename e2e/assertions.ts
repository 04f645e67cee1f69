/**
 * Checks of what was really created, read back through the AWS API from the emulator. Each check
 * throws with a precise message; each function returns the list of checks it made (for the report).
 */
import { CONTROL_PLANE_AUTH_FAILURE_TERMS, DB_CONNECTION_ERROR_TERMS } from "../lib/log-signatures";
import { anyPhrasePattern } from "../modules/log-alerts";
import { ZENML_STORE_CA_FILE } from "../lib/zenml-environment";
import type { EnvironmentConfig, PlatformConfig } from "../lib/config/schema";
import { Aws, AwsError, StackJson } from "./harness";

/** Terraform outputs (`terraform output -json`), values only. */
export type Outputs = Record<string, any>;

class Checks {
  readonly done: string[] = [];
  constructor(private readonly scope: string) {}
  /** Records `what` when `ok`, else throws with `detail`. */
  that(ok: boolean, what: string, detail: () => string = () => ""): void {
    if (!ok) throw new Error(`[${this.scope}] ${what}: FAILED ${detail()}`);
    this.done.push(what);
  }
  equal(actual: unknown, expected: unknown, what: string): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    this.that(a === e, what, () => `\n  expected ${e}\n  actual   ${a}`);
  }
}

const sorted = (xs: readonly string[]) => [...xs].sort();
/** A JSON value with object keys sorted (the provider normalizes JSON documents, e.g. event patterns). */
const sortedKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortedKeys)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]))
    : v;
const stripDot = (s: string) => s.toLowerCase().replace(/\.$/, "");

/** "in tcp 443 0.0.0.0/0", "out tcp 8080 sg:<name>" for every permission of a group. */
function ruleStrings(group: any, nameById: Map<string, string>): { rules: string[]; undescribed: string[] } {
  const rules: string[] = [];
  const undescribed: string[] = [];
  for (const [dir, perms] of [["in", group.IpPermissions ?? []], ["out", group.IpPermissionsEgress ?? []]] as const) {
    for (const p of perms) {
      const ports = p.FromPort === undefined ? "all" : p.FromPort === p.ToPort ? String(p.FromPort) : `${p.FromPort}-${p.ToPort}`;
      const head = `${dir} ${p.IpProtocol === "-1" ? "all" : p.IpProtocol} ${ports}`;
      const peers: Array<[string, string | undefined]> = [
        ...(p.IpRanges ?? []).map((r: any) => [r.CidrIp, r.Description] as [string, string | undefined]),
        ...(p.Ipv6Ranges ?? []).map((r: any) => [r.CidrIpv6, r.Description] as [string, string | undefined]),
        ...(p.PrefixListIds ?? []).map((r: any) => [`pl:${r.PrefixListId}`, r.Description] as [string, string | undefined]),
        ...(p.UserIdGroupPairs ?? []).map((r: any) => [`sg:${nameById.get(r.GroupId) ?? r.GroupId}`, r.Description] as [string, string | undefined]),
      ];
      for (const [peer, description] of peers) {
        rules.push(`${head} ${peer}`);
        if (!description) undescribed.push(`${head} ${peer}`);
      }
    }
  }
  return { rules: sorted(rules), undescribed };
}

/** Parses the synthesized container definitions of the stack's task definition. */
function synthesizedContainers(stack: StackJson): any[] {
  const tds = Object.values(stack.resource?.aws_ecs_task_definition ?? {});
  if (tds.length !== 1) throw new Error(`expected one aws_ecs_task_definition in the synthesized stack, found ${tds.length}`);
  return JSON.parse(tds[0].container_definitions as string) as any[];
}

/** A synthesized value with `${...}` references as a regular expression for the deployed value. */
function synthPattern(value: string): RegExp {
  const parts = value.split(/\$\{[^}]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`);
}

/** The guide's workspace: network, security groups, ALB, target group, service, task, database, DNS. */
export async function assertEnvironment(aws: Aws, c: EnvironmentConfig, stack: StackJson, outputs: Outputs): Promise<string[]> {
  const check = new Checks(c.envName);
  const n = c.name;
  const port = c.service.containerPort;

  // --- Security groups: exactly the guide's rules, each described (the app port is service.containerPort)
  const sgNames = { alb: `${n}-alb`, ecs: `${n}-ecs`, rds: `${n}-rds` };
  const { SecurityGroups: groups } = await aws.call("ec2", "describe_security_groups", {
    Filters: [{ Name: "group-name", Values: Object.values(sgNames) }],
  });
  check.equal(sorted(groups.map((g: any) => g.GroupName)), sorted(Object.values(sgNames)), "security groups alb/ecs/rds exist");
  const nameById = new Map<string, string>(groups.map((g: any) => [g.GroupId, String(g.GroupName).slice(n.length + 1)]));
  const byKey = (k: keyof typeof sgNames) => groups.find((g: any) => g.GroupName === sgNames[k]);
  const expectedRules: Record<keyof typeof sgNames, string[]> = {
    alb: ["in tcp 443 0.0.0.0/0", "in tcp 80 0.0.0.0/0", `out tcp ${port} sg:ecs`],
    ecs: [`in tcp ${port} sg:alb`, "out tcp 443 0.0.0.0/0", "out tcp 3306 sg:rds"],
    rds: ["in tcp 3306 sg:ecs"],
  };
  for (const k of ["alb", "ecs", "rds"] as const) {
    const { rules, undescribed } = ruleStrings(byKey(k), nameById);
    check.equal(rules, sorted(expectedRules[k]), `SG ${k} rules exactly ${expectedRules[k].join("; ")}${k === "rds" ? " (no egress)" : ""}`);
    check.equal(undescribed, [], `SG ${k} rules all have a description`);
  }
  const vpcId: string = byKey("alb").VpcId;

  // --- Load balancer, listeners, target group
  const { LoadBalancers: [alb] } = await aws.call("elbv2", "describe_load_balancers", { Names: [`${n}-alb`] });
  // moto leaves Scheme empty when CreateLoadBalancer omits it (the provider does for internal=false);
  // AWS's default is internet-facing, so an absent scheme is read as that.
  check.equal([alb.Scheme ?? "internet-facing", alb.Type, alb.VpcId], ["internet-facing", "application", vpcId], "ALB internet-facing application in the VPC");
  check.equal(alb.SecurityGroups, [byKey("alb").GroupId], "ALB uses only the ALB security group");
  const { Attributes: attrList } = await aws.call("elbv2", "describe_load_balancer_attributes", { LoadBalancerArn: alb.LoadBalancerArn });
  const attrs = Object.fromEntries(attrList.map((a: any) => [a.Key, a.Value]));
  check.equal(attrs["deletion_protection.enabled"], String(c.loadBalancer.deletionProtection), `ALB deletion protection ${c.loadBalancer.deletionProtection ? "on" : "off"}`);
  check.equal(attrs["routing.http.drop_invalid_header_fields.enabled"], "true", "ALB drops invalid header fields");
  check.equal(attrs["access_logs.s3.enabled"], "true", "ALB access logs enabled");
  check.equal(attrs["idle_timeout.timeout_seconds"], String(c.loadBalancer.idleTimeoutSeconds), "ALB idle timeout");

  const { TargetGroups: [tg] } = await aws.call("elbv2", "describe_target_groups", { Names: [`${n}-tg`] });
  const hc = c.loadBalancer.healthCheck;
  check.equal(
    {
      protocol: tg.Protocol, port: tg.Port, targetType: tg.TargetType, vpc: tg.VpcId, enabled: tg.HealthCheckEnabled,
      path: tg.HealthCheckPath, hcPort: tg.HealthCheckPort, hcProtocol: tg.HealthCheckProtocol, interval: tg.HealthCheckIntervalSeconds,
      timeout: tg.HealthCheckTimeoutSeconds, healthy: tg.HealthyThresholdCount, unhealthy: tg.UnhealthyThresholdCount, matcher: tg.Matcher?.HttpCode,
    },
    {
      protocol: "HTTP", port, targetType: "ip", vpc: vpcId, enabled: true,
      path: hc.path, hcPort: String(port), hcProtocol: "HTTP", interval: hc.intervalSeconds,
      timeout: hc.timeoutSeconds, healthy: hc.healthyThreshold, unhealthy: hc.unhealthyThreshold, matcher: hc.matcher,
    },
    `target group HTTP:${port} ip, health check ${hc.path} port ${port} interval ${hc.intervalSeconds} timeout ${hc.timeoutSeconds} healthy ${hc.healthyThreshold} unhealthy ${hc.unhealthyThreshold} matcher ${hc.matcher}`,
  );

  const { Listeners: listeners } = await aws.call("elbv2", "describe_listeners", { LoadBalancerArn: alb.LoadBalancerArn });
  check.equal(sorted(listeners.map((l: any) => `${l.Protocol}:${l.Port}`)), ["HTTP:80", "HTTPS:443"], "exactly two listeners, HTTPS:443 and HTTP:80");
  const https = listeners.find((l: any) => l.Port === 443);
  const http = listeners.find((l: any) => l.Port === 80);
  check.equal(
    https.DefaultActions.map((a: any) => ({ type: a.Type, tg: a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn })),
    [{ type: "forward", tg: tg.TargetGroupArn }],
    "443 forwards to the target group",
  );
  check.equal(https.SslPolicy, c.loadBalancer.sslPolicy, `443 SSL policy ${c.loadBalancer.sslPolicy}`);
  check.equal(
    http.DefaultActions.map((a: any) => ({ type: a.Type, protocol: a.RedirectConfig?.Protocol, port: a.RedirectConfig?.Port, code: a.RedirectConfig?.StatusCode })),
    [{ type: "redirect", protocol: "HTTPS", port: "443", code: "HTTP_301" }],
    "80 redirects to HTTPS:443 with HTTP_301",
  );
  const certArn: string = https.Certificates?.[0]?.CertificateArn;
  if (c.dns.certificateArn) {
    check.equal(certArn, c.dns.certificateArn, "443 uses the configured certificate");
  } else {
    const { Certificate: cert } = await aws.call("acm", "describe_certificate", { CertificateArn: certArn });
    check.equal([cert.DomainName, cert.Status, cert.Type], [c.dns.domainName, "ISSUED", "AMAZON_ISSUED"], "443 uses an issued ACM certificate for the domain");
  }

  // --- DNS
  if (c.dns.provider === "route53" && c.dns.hostedZoneId) {
    const { ResourceRecordSets: records } = await aws.call("route53", "list_resource_record_sets", { HostedZoneId: c.dns.hostedZoneId });
    const alias = records.find((r: any) => stripDot(r.Name) === c.dns.domainName && r.Type === "A");
    check.that(Boolean(alias?.AliasTarget), `alias A record ${c.dns.domainName} exists`, () => JSON.stringify(records));
    check.equal(stripDot(alias.AliasTarget.DNSName), stripDot(alb.DNSName), "alias A record points at the ALB");
    if (!c.dns.certificateArn) {
      const { Certificate: cert } = await aws.call("acm", "describe_certificate", { CertificateArn: certArn });
      const rr = cert.DomainValidationOptions?.[0]?.ResourceRecord;
      check.that(
        Boolean(rr) && records.some((r: any) => stripDot(r.Name) === stripDot(rr.Name) && r.Type === rr.Type),
        "ACM DNS validation record exists in the zone",
        () => JSON.stringify({ rr, records: records.map((r: any) => `${r.Type} ${r.Name}`) }),
      );
    }
  }

  // --- Database
  const { DBInstances: [db] } = await aws.call("rds", "describe_db_instances", { DBInstanceIdentifier: `${n}-db` });
  const { KeyMetadata: key } = await aws.call("kms", "describe_key", { KeyId: `alias/${n}` });
  check.equal(db.Engine, "mysql", "DB engine mysql");
  check.that(String(db.EngineVersion).startsWith(c.database.engineVersion), `DB engine version ${c.database.engineVersion}`, () => db.EngineVersion);
  check.equal(db.MultiAZ, c.database.multiAz, `DB multi-AZ ${c.database.multiAz}`);
  check.equal(db.BackupRetentionPeriod, c.database.backupRetentionDays, `DB backup retention ${c.database.backupRetentionDays} days`);
  check.equal([db.StorageEncrypted, db.KmsKeyId], [true, key.Arn], "DB storage encrypted with the environment's KMS key");
  check.equal(sorted(db.EnabledCloudwatchLogsExports ?? []), ["error", "general", "slowquery"], "DB exports error/general/slowquery logs");
  check.equal(db.DeletionProtection, c.database.deletionProtection, `DB deletion protection ${c.database.deletionProtection ? "on" : "off"}`);
  check.equal(db.PubliclyAccessible, false, "DB not publicly accessible");
  check.equal((db.VpcSecurityGroups ?? []).map((g: any) => g.VpcSecurityGroupId), [byKey("rds").GroupId], "DB uses only the RDS security group");
  check.that(Boolean(db.MasterUserSecret?.SecretArn), "DB master password managed by RDS in Secrets Manager", () => JSON.stringify(db.MasterUserSecret));
  check.equal(db.MasterUserSecret.KmsKeyId, key.Arn, "DB master secret encrypted with the environment's KMS key");
  check.equal(db.DBName, c.database.databaseName, `DB name ${c.database.databaseName}`);
  const dbSecretArn: string = db.MasterUserSecret.SecretArn;

  // --- OAuth2 secret
  const oauth2SecretArn: string = c.zenml.oauth2ClientSecretArn ?? outputs.oauth2_secret_arn;
  check.that(Boolean(oauth2SecretArn), "OAuth2 client secret ARN known");
  if (!c.zenml.oauth2ClientSecretArn) {
    const secret = await aws.call("secretsmanager", "describe_secret", { SecretId: oauth2SecretArn });
    check.equal([secret.Name, secret.KmsKeyId === key.Arn || secret.KmsKeyId === key.KeyId], [c.zenml.oauth2ClientSecretName, true], "OAuth2 secret created, KMS-encrypted, without a value in Terraform");
  }

  // --- ECS service and task definition
  const { services: [svc] } = await aws.call("ecs", "describe_services", { cluster: n, services: ["zenml-server"] });
  const net = svc.networkConfiguration?.awsvpcConfiguration ?? {};
  check.equal([svc.launchType, svc.status], ["FARGATE", "ACTIVE"], "ECS service on Fargate, active");
  check.equal(svc.desiredCount, c.service.desiredCount, `ECS desired count ${c.service.desiredCount}`);
  check.equal([net.assignPublicIp, net.securityGroups], ["DISABLED", [byKey("ecs").GroupId]], "ECS tasks without public IP, only the ECS security group");
  const albSubnets = (alb.AvailabilityZones ?? []).map((z: any) => z.SubnetId);
  check.that((net.subnets ?? []).length >= 2 && !(net.subnets as string[]).some((s) => albSubnets.includes(s)), "ECS tasks in private subnets (not the ALB's)", () => JSON.stringify({ ecs: net.subnets, alb: albSubnets }));
  check.equal(
    (svc.loadBalancers ?? []).map((l: any) => [l.targetGroupArn, l.containerName, l.containerPort]),
    [[tg.TargetGroupArn, "zenml-server", c.service.containerPort]],
    `ECS service registered in the target group (zenml-server:${c.service.containerPort})`,
  );
  // (moto 5.2 returns no deploymentConfiguration, so the circuit breaker cannot be read back here.)

  const { taskDefinition: td } = await aws.call("ecs", "describe_task_definition", { taskDefinition: svc.taskDefinition });
  check.equal([td.requiresCompatibilities, td.networkMode, td.cpu, td.memory], [["FARGATE"], "awsvpc", String(c.service.cpu), String(c.service.memory)], "task definition Fargate/awsvpc with the configured CPU/memory");
  check.that(Boolean(td.executionRoleArn) && Boolean(td.taskRoleArn) && td.executionRoleArn !== td.taskRoleArn, "separate execution and task roles");
  const server = td.containerDefinitions.find((d: any) => d.name === "zenml-server");
  check.equal(server.image, `${c.zenml.image}:${c.zenml.version}`, "server image pinned to the configured version");
  check.equal((server.portMappings ?? []).map((p: any) => p.containerPort), [c.service.containerPort], `server listens on ${c.service.containerPort}`);

  const env: Record<string, string> = Object.fromEntries((server.environment ?? []).map((e: any) => [e.name, e.value]));
  const secrets: Record<string, string> = Object.fromEntries((server.secrets ?? []).map((e: any) => [e.name, e.valueFrom]));
  const expectedEnv: Record<string, string> = {
    ZENML_SERVER_DEPLOYMENT_TYPE: "cloud",
    ZENML_SERVER_PRO_API_URL: c.zenml.apiUrl,
    ZENML_SERVER_PRO_DASHBOARD_URL: c.zenml.dashboardUrl,
    ZENML_SERVER_PRO_ORGANIZATION_ID: c.zenml.organizationId,
    ZENML_SERVER_PRO_ORGANIZATION_NAME: c.zenml.organizationName,
    ZENML_SERVER_PRO_WORKSPACE_ID: c.zenml.workspaceId,
    ZENML_SERVER_PRO_WORKSPACE_NAME: c.zenml.workspaceName,
    ZENML_SERVER_PRO_OAUTH2_AUDIENCE: c.zenml.oauth2Audience,
    ZENML_SERVER_SERVER_URL: `https://${c.dns.domainName}`,
    ZENML_SERVER_PORT: String(port),
    HOME: "/zenml/home",
    ZENML_STORE_BACKUP_STRATEGY: "disabled",
    ZENML_LOGGING_LEVEL: c.zenml.loggingLevel,
    ZENML_LOGGING_VERBOSITY: c.zenml.loggingLevel,
    ZENML_STORE_URL: `mysql://${db.Endpoint.Address}:3306/${c.database.databaseName}`,
    DISABLE_DATABASE_MIGRATION: "true",
    ...(c.database.requireTls ? { ZENML_STORE_SSL: "true", ZENML_STORE_SSL_VERIFY_SERVER_CERT: "true" } : {}),
  };
  for (const [k, v] of Object.entries(expectedEnv)) check.equal(env[k], v, `env ${k}=${v}`);
  if (c.database.requireTls) {
    // A file the writable-volumes container writes from its VOLUME_FILE_0 (0.84.3 stops on PEM content, lib/zenml-environment.ts).
    check.equal(env.ZENML_STORE_SSL_CA, ZENML_STORE_CA_FILE, `env ZENML_STORE_SSL_CA=${ZENML_STORE_CA_FILE}`);
    const prep = td.containerDefinitions.find((d: any) => d.name === "writable-volumes");
    const bundle = (prep?.environment ?? []).find((e: any) => e.name === "VOLUME_FILE_0")?.value ?? "";
    check.that(/^-----BEGIN CERTIFICATE-----\n/.test(bundle), "writable-volumes gets the RDS CA bundle (VOLUME_FILE_0) to write to that file");
  }
  check.that(
    Object.keys(env).every((k) => k.startsWith("ZENML_") || ["HOME", "DISABLE_DATABASE_MIGRATION"].includes(k)),
    "every env name is ZENML_*, HOME or DISABLE_DATABASE_MIGRATION",
    () => Object.keys(env).join(", "),
  );
  check.that(!("ZENML_DATABASE_URL" in env), "no ZENML_DATABASE_URL (it would carry the password inline)");
  // ZENML_SECRETS_STORE_TYPE (=sql) names the kind of store, not a secret.
  const credentialNames = Object.keys(env).filter((k) => /PASSWORD|SECRET|USERNAME/.test(k) && !/_TYPE$/.test(k));
  check.that(credentialNames.length === 0, "no credential in plain env", () => credentialNames.join(", "));
  // --- JWT signing key: a value written by Terraform through secret_string_wo, pinned by version id
  const jwtVersions = await aws.call("secretsmanager", "list_secret_version_ids", { SecretId: outputs.jwt_secret_arn });
  const jwtCurrent = (jwtVersions.Versions ?? []).filter((v: any) => (v.VersionStages ?? []).includes("AWSCURRENT"));
  check.equal(jwtCurrent.length, 1, "JWT signing key secret has one AWSCURRENT version (written by Terraform)");
  const jwtDescribed = await aws.call("secretsmanager", "describe_secret", { SecretId: outputs.jwt_secret_arn });
  check.equal([jwtDescribed.Name, jwtDescribed.KmsKeyId === key.Arn || jwtDescribed.KmsKeyId === key.KeyId], [`zenml/${n}/server-jwt-secret-key`, true], "JWT signing key secret KMS-encrypted with the environment's key");
  const keyVersions = await aws.call("secretsmanager", "list_secret_version_ids", { SecretId: outputs.secrets_store_key_arn });
  const keyCurrent = (keyVersions.Versions ?? []).filter((v: any) => (v.VersionStages ?? []).includes("AWSCURRENT"));
  check.equal(keyCurrent.length, 1, "secrets-store encryption key has one AWSCURRENT version (written by Terraform)");
  // With zenml.oauth2ClientSecretVariable the deploy wrote the OAuth2 secret's version: pinned like the JWT key.
  let oauth2ValueFrom = oauth2SecretArn;
  if (c.zenml.oauth2ClientSecretVariable) {
    const v = await aws.call("secretsmanager", "list_secret_version_ids", { SecretId: oauth2SecretArn });
    const current = (v.Versions ?? []).filter((x: any) => (x.VersionStages ?? []).includes("AWSCURRENT"));
    check.equal(current.length, 1, "OAuth2 client secret has the version the deploy wrote from the ephemeral variable");
    oauth2ValueFrom = `${oauth2SecretArn}:::${current[0]?.VersionId}`;
  }
  const expectedSecrets = {
    ZENML_SECRETS_STORE_ENCRYPTION_KEY: `${outputs.secrets_store_key_arn}:::${keyCurrent[0]?.VersionId}`,
    ZENML_SERVER_JWT_SECRET_KEY: `${outputs.jwt_secret_arn}:::${jwtCurrent[0]?.VersionId}`,
    ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET: oauth2ValueFrom,
    ZENML_STORE_PASSWORD: `${dbSecretArn}:password::`,
    ZENML_STORE_USERNAME: `${dbSecretArn}:username::`,
  };
  check.equal(secrets, expectedSecrets, "secrets only: OAuth2 client secret, JWT key and secrets-store key (pinned versions), DB username/password from the RDS-managed secret");

  // --- The migration container: same image and store settings, migrations on, runs before the server
  const migration = td.containerDefinitions.find((d: any) => d.name === "migrate-database");
  const volumes = td.containerDefinitions.find((d: any) => d.name === "writable-volumes");
  check.that(Boolean(migration) && Boolean(volumes), "task definition has the migrate-database and writable-volumes containers");
  if (migration && volumes) {
    const migrationEnv: Record<string, string> = Object.fromEntries((migration.environment ?? []).map((e: any) => [e.name, e.value]));
    const { DISABLE_DATABASE_MIGRATION: _, ...serverEnvWithoutFlag } = env;
    check.equal(migrationEnv, serverEnvWithoutFlag, "migration container: the server's environment without DISABLE_DATABASE_MIGRATION");
    check.equal(Object.fromEntries((migration.secrets ?? []).map((e: any) => [e.name, e.valueFrom])), expectedSecrets, "migration container: the server's secrets");
    check.equal([migration.image, volumes.image], [server.image, server.image], "every container runs the server image");
    check.equal([migration.essential, migration.entryPoint], [false, ["python", "-c"]], "migration container: non-essential, python -c program");
    check.that(String(migration.command?.[0]).includes("GET_LOCK") && String(migration.command?.[0]).includes("migrate-database"), "migration container: zenml migrate-database under a MySQL named lock");
    check.equal(
      (server.dependsOn ?? []).map((d: any) => [d.containerName, d.condition]),
      [["writable-volumes", "SUCCESS"], ["migrate-database", "SUCCESS"]],
      "server starts only after the volumes were prepared and the migration succeeded",
    );
    check.equal([volumes.user, volumes.essential], ["0", false], "volume preparation: the server image as root, once");
  }
  const synthServer = synthesizedContainers(stack).find((d) => d.name === "zenml-server");
  const synthEnv: Record<string, string> = Object.fromEntries((synthServer.environment ?? []).map((e: any) => [e.name, e.value]));
  check.equal(sorted(Object.keys(env)), sorted(Object.keys(synthEnv)), "deployed env names = synthesized env names");
  for (const [k, v] of Object.entries(synthEnv)) {
    check.that(synthPattern(v).test(env[k]), `env ${k} as synthesized`, () => `synthesized ${v}, deployed ${env[k]}`);
  }

  // --- Autoscaling
  if (c.service.maxCapacity > c.service.minCapacity) {
    const resourceId = `service/${n}/zenml-server`;
    const { ScalableTargets: [target] } = await aws.call("application-autoscaling", "describe_scalable_targets", { ServiceNamespace: "ecs", ResourceIds: [resourceId] });
    check.equal([target.MinCapacity, target.MaxCapacity], [c.service.minCapacity, c.service.maxCapacity], `autoscaling ${c.service.minCapacity}..${c.service.maxCapacity} tasks`);
    const { ScalingPolicies: [policy] } = await aws.call("application-autoscaling", "describe_scaling_policies", { ServiceNamespace: "ecs", ResourceId: resourceId });
    const cfg = policy.TargetTrackingScalingPolicyConfiguration;
    check.equal(
      [policy.PolicyType, cfg.TargetValue, cfg.PredefinedMetricSpecification.PredefinedMetricType],
      ["TargetTrackingScaling", c.service.targetCpuPercent, "ECSServiceAverageCPUUtilization"],
      `target tracking on CPU ${c.service.targetCpuPercent}%`,
    );
    const { Tags: tags } = await aws.call("application-autoscaling", "list_tags_for_resource", { ResourceARN: target.ScalableTargetARN });
    check.equal([tags.Project, tags.Environment], ["zenml-hybrid", c.envName], "scalable target carries the default tags");
  }

  // --- Alarms and logs
  // By exact name: a prefix would also match the alarms of an environment named <name>-dev in the same account.
  const alarmNames = Object.values(stack.resource?.aws_cloudwatch_metric_alarm ?? {}).map((a: any) => a.alarm_name as string);
  const alarmCount = alarmNames.length;
  const { MetricAlarms: alarms } = await aws.call("cloudwatch", "describe_alarms", { AlarmNames: alarmNames });
  check.that(
    alarms.length === alarmCount && alarms.every((a: any) => (a.AlarmActions ?? []).includes(outputs.alarm_topic_arn)),
    `${alarmCount} alarms notify the alarm topic`,
    () => JSON.stringify(alarms.map((a: any) => [a.AlarmName, a.AlarmActions])),
  );

  // --- Dashboard: the body CloudWatch stored names this stack's service, ALB, target group, database,
  // log metrics and alarms (the references resolved by the apply).
  const { DashboardBody: dashboardBody } = await aws.call("cloudwatch", "get_dashboard", { DashboardName: n });
  const widgets: any[] = JSON.parse(dashboardBody).widgets;
  const shownAlarms = widgets.filter((w) => w.type === "alarm").flatMap((w) => w.properties.alarms);
  check.equal(sorted(shownAlarms), sorted(alarms.map((a: any) => a.AlarmArn)), `dashboard shows the state of the ${alarmCount} alarms`);
  // arn_suffix: app/<name>/<id> of an ALB ARN (…:loadbalancer/app/…), targetgroup/<name>/<id> of a target group's.
  const expectedDimensions: Record<string, string> = {
    ClusterName: n,
    ServiceName: "zenml-server",
    LoadBalancer: String(alb.LoadBalancerArn).split(":loadbalancer/")[1],
    TargetGroup: String(tg.TargetGroupArn).split(":").pop()!,
    DBInstanceIdentifier: db.DBInstanceIdentifier,
  };
  const metrics: any[][] = widgets.filter((w) => w.type === "metric").flatMap((w) => w.properties.metrics);
  const wrongDimensions = metrics.flatMap((m) => {
    const dims = m.slice(2, -1);
    const wrong: string[] = [];
    for (let i = 0; i < dims.length; i += 2) if (expectedDimensions[dims[i]] !== dims[i + 1]) wrong.push(`${m[1]} ${dims[i]}=${dims[i + 1]}`);
    return wrong;
  });
  check.equal(wrongDimensions, [], "dashboard metrics carry this stack's cluster, service, ALB, target group and DB instance");
  check.equal(
    sorted(metrics.filter((m) => m[0] === "ZenML").map((m) => m[1])),
    sorted(["ServerErrorLogLines", "ControlPlaneAuthFailures", "DatabaseConnectionErrors"]),
    "dashboard graphs the log-signature metrics",
  );
  check.equal(
    [widgets.filter((w) => w.type === "metric").every((w) => w.properties.region === c.region), outputs.dashboard_url],
    [true, `https://${c.region}.console.aws.amazon.com/cloudwatch/home?region=${c.region}#dashboards/dashboard/${n}`],
    "dashboard metrics in the stack's region; dashboard_url output",
  );
  const { logGroups } = await aws.call("logs", "describe_log_groups", { logGroupNamePrefix: c.observability.logGroupName });
  const group = logGroups.find((g: any) => g.logGroupName === c.observability.logGroupName);
  check.equal([group?.retentionInDays, group?.kmsKeyId], [c.observability.logRetentionDays, key.Arn], "container log group with retention, KMS-encrypted");
  const { metricFilters } = await aws.call("logs", "describe_metric_filters", { logGroupName: c.observability.logGroupName });
  const patternOf = (name: string) => metricFilters.find((f: any) => f.filterName === name)?.filterPattern;
  check.equal(
    [patternOf(`${n}-control-plane-auth-failures`), patternOf(`${n}-db-connection-errors`)],
    [anyPhrasePattern(CONTROL_PLANE_AUTH_FAILURE_TERMS), anyPhrasePattern(DB_CONNECTION_ERROR_TERMS)],
    "metric filters for control-plane auth failures and DB connection errors",
  );

  // --- DB password rotation: rule on the master secret's rotation → state machine → ecs:UpdateService
  const rule = await aws.call("events", "describe_rule", { Name: `${n}-db-rotation` });
  check.equal(
    sortedKeys(JSON.parse(rule.EventPattern)),
    sortedKeys({ source: ["aws.secretsmanager"], "detail-type": ["Secret Label Updated"], resources: [outputs.db_master_secret_arn], detail: { labelUpdated: ["AWSCURRENT"] } }),
    "rotation rule matches Secret Label Updated (AWSCURRENT) of the DB master secret",
  );
  const { Targets: targets } = await aws.call("events", "list_targets_by_rule", { Rule: `${n}-db-rotation` });
  const machineArn: string = targets[0]?.Arn ?? "";
  check.that(
    targets.length === 1 && machineArn.endsWith(`:stateMachine:${n}-db-rotation-redeploy`) && String(targets[0].RoleArn).endsWith(`:role/${n}-db-rotation-events`),
    "rotation rule starts the redeploy state machine with its own role",
    () => JSON.stringify(targets),
  );
  const machine = await aws.call("stepfunctions", "describe_state_machine", { stateMachineArn: machineArn });
  const definition = JSON.parse(machine.definition);
  const task = definition.States[definition.StartAt];
  check.equal(
    [task.Resource, task.Parameters],
    ["arn:aws:states:::aws-sdk:ecs:updateService", { Cluster: outputs.cluster_name, Service: outputs.service_name, ForceNewDeployment: true }],
    "state machine forces a new deployment of this service (AWS SDK integration)",
  );
  const { services: [deployed] } = await aws.call("ecs", "describe_services", { cluster: outputs.cluster_name, services: [outputs.service_name] });
  const inline = async (role: string, policy: string) => {
    const { PolicyDocument: doc } = await aws.call("iam", "get_role_policy", { RoleName: role, PolicyName: policy });
    const parsed = typeof doc === "string" ? JSON.parse(decodeURIComponent(doc)) : doc;
    return parsed.Statement.map((st: any) => [st.Effect, st.Action, st.Resource]);
  };
  check.equal(await inline(`${n}-db-rotation-states`, "update-service"), [["Allow", "ecs:UpdateService", deployed.serviceArn]], "state machine role: ecs:UpdateService on this service only");
  check.equal(await inline(`${n}-db-rotation-events`, "start-execution"), [["Allow", "states:StartExecution", machineArn]], "EventBridge role: states:StartExecution on this state machine only");

  // --- Confused deputy: each service role's trust policy as IAM returns it, with its aws:SourceArn
  // equal to the real ARN of the resource that uses the role (the code builds some ARNs from names).
  const { Account: account } = await aws.call("sts", "get_caller_identity", {});
  const sourceArn: Record<string, string | undefined> = {
    "ecs-tasks.amazonaws.com": `arn:aws:ecs:${c.region}:${account}:*`,
    "states.amazonaws.com": machineArn,
    "events.amazonaws.com": rule.Arn,
    "monitoring.rds.amazonaws.com": db.DBInstanceArn,
    "vpc-flow-logs.amazonaws.com": `arn:aws:ec2:${c.region}:${account}:vpc-flow-log/*`,
    "backup.amazonaws.com": undefined,
  };
  const values = (v: unknown) => [v].flat();
  for (const roleName of Object.values(stack.resource?.aws_iam_role ?? {}).map((r: any) => r.name as string).sort()) {
    const { Role: role } = await aws.call("iam", "get_role", { RoleName: roleName });
    const trust = typeof role.AssumeRolePolicyDocument === "string" ? JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument)) : role.AssumeRolePolicyDocument;
    for (const st of values(trust.Statement) as any[]) {
      for (const service of values(st.Principal?.Service ?? []) as string[]) {
        const arn = sourceArn[service];
        check.equal(
          [st.Condition?.StringEquals?.["aws:SourceAccount"], st.Condition?.ArnLike?.["aws:SourceArn"]].map((v) => (v === undefined ? null : values(v))),
          [[account], arn === undefined ? null : [arn]],
          `${roleName}: ${service} may assume it only for account ${account}${arn ? ` and ${arn}` : ""}`,
        );
      }
    }
  }
  return check.done;
}

/** A platform stack: its shared VPC. */
export async function assertPlatform(aws: Aws, c: PlatformConfig, outputs: Outputs): Promise<string[]> {
  const check = new Checks(c.envName);
  const { Vpcs: [vpc] } = await aws.call("ec2", "describe_vpcs", { VpcIds: [outputs.vpc_id] });
  check.equal(vpc.CidrBlock, c.network.vpcCidr, `shared VPC ${c.network.vpcCidr}`);
  const { Subnets: subnets } = await aws.call("ec2", "describe_subnets", { Filters: [{ Name: "vpc-id", Values: [vpc.VpcId] }] });
  const azs = c.network.availabilityZones?.length ?? c.network.azCount;
  check.equal(subnets.length, 2 * azs, `${2 * azs} subnets (public + private per AZ)`);
  const { FlowLogs: flowLogs } = await aws.call("ec2", "describe_flow_logs", { Filters: [{ Name: "resource-id", Values: [vpc.VpcId] }] });
  check.equal(flowLogs.map((f: any) => f.TrafficType), ["ALL"], "VPC flow log of all traffic");
  return check.done;
}

/** The state bucket(s) of the bootstrap stack. */
export async function assertStateBuckets(aws: Aws, buckets: ReadonlyArray<{ name: string; region: string }>): Promise<string[]> {
  const check = new Checks("state-bootstrap");
  for (const { name, region } of buckets) {
    const call = (op: string) => aws.call("s3", op, { Bucket: name }, region);
    check.equal((await call("get_bucket_versioning")).Status, "Enabled", `${name}: versioning enabled`);
    const enc = (await call("get_bucket_encryption")).ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault;
    check.that(["AES256", "aws:kms"].includes(enc.SSEAlgorithm), `${name}: default encryption ${enc.SSEAlgorithm}`);
    check.equal(
      (await call("get_public_access_block")).PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      `${name}: all public access blocked`,
    );
    check.equal((await call("get_bucket_ownership_controls")).OwnershipControls.Rules[0].ObjectOwnership, "BucketOwnerEnforced", `${name}: bucket owner enforced`);
    const policy = JSON.parse((await call("get_bucket_policy")).Policy);
    const deny = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
    check.that(
      deny?.Effect === "Deny" && JSON.stringify(deny.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
      `${name}: policy denies non-TLS access`,
      () => JSON.stringify(policy),
    );
    const rules = (await call("get_bucket_lifecycle_configuration")).Rules;
    check.that(rules.some((r: any) => r.Status === "Enabled" && r.NoncurrentVersionExpiration?.NoncurrentDays), `${name}: noncurrent versions expire`, () => JSON.stringify(rules));
  }
  return check.done;
}

/** True when the API call fails with one of the "not found" codes. */
export async function isGone(aws: Aws, service: string, op: string, params: Record<string, unknown>, region?: string): Promise<boolean> {
  try {
    await aws.call(service, op, params, region);
    return false;
  } catch (e) {
    if (e instanceof AwsError && /NotFound|NoSuch|404/i.test(e.code)) return true;
    throw e;
  }
}
