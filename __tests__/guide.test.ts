/**
 * The ZenML ECS hybrid guide, item by item, on every shipped environment's synthesized JSON.
 * Where ZenML's code wins over the guide (docs/runtime.md), the test says so: the server port is
 * `service.containerPort` (8080, the image's port, not the guide's 8000) and HOME is a fresh volume.
 */
import { loadEnvironments } from "../lib/config/load";
import { EnvironmentConfig } from "../lib/config/schema";
import { addressOf, CONFIG_DIR, only, policyDocument, resources, SHIPPED_ENVIRONMENTS, StackJson, synthShipped } from "./helpers";

const stacks = synthShipped();
const configs = Object.fromEntries(loadEnvironments(CONFIG_DIR).map((c) => [c.envName, c as EnvironmentConfig]));

/** `${aws_security_group.X.id}` → the group's name. */
function sgName(stack: StackJson, ref: string): string {
  const m = /^\$\{aws_security_group\.([^.]+)\.id\}$/.exec(ref);
  if (!m) throw new Error(`not a security group reference: ${ref}`);
  return stack.resource.aws_security_group[m[1]].name;
}

function containers(stack: StackJson): any[] {
  return JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions);
}

function server(stack: StackJson): any {
  return containers(stack).find((c) => c.name === "zenml-server");
}

const GUIDE_ENV = (env: string, port: number) => ({
  ZENML_SERVER_DEPLOYMENT_TYPE: "cloud",
  ZENML_SERVER_PRO_API_URL: "https://cloudapi.zenml.io",
  ZENML_SERVER_PRO_DASHBOARD_URL: "https://cloud.zenml.io",
  ZENML_SERVER_PRO_ORGANIZATION_ID: "00000000-0000-0000-0000-000000000001",
  ZENML_SERVER_PRO_ORGANIZATION_NAME: "my-organization",
  ZENML_SERVER_PRO_WORKSPACE_ID: env === "dev" ? "00000000-0000-0000-0000-000000000002" : "00000000-0000-0000-0000-000000000003",
  ZENML_SERVER_PRO_WORKSPACE_NAME: `zenml-${env}`,
  ZENML_SERVER_PRO_OAUTH2_AUDIENCE: "https://cloudapi.zenml.io",
  ZENML_SERVER_SERVER_URL: env === "dev" ? "https://zenml-dev.mycompany.com" : "https://zenml.mycompany.com",
  ZENML_SERVER_HOSTNAME: "0.0.0.0",
  ZENML_SERVER_PORT: String(port),
  ZENML_LOGGING_LEVEL: "INFO",
});

describe.each(SHIPPED_ENVIRONMENTS)("%s environment", (env) => {
  const stack = stacks[env];
  const prod = env === "prod";
  const port = configs[env].service.containerPort;
  // prod keeps the guide's names; dev is named zenml-hybrid-dev so both fit in one account (docs/environments.md).
  const n = prod ? "zenml-hybrid" : "zenml-hybrid-dev";

  describe("Step 1: network", () => {
    test("VPC with DNS support, default security group without rules", () => {
      const vpc = only(stack, "aws_vpc");
      expect(vpc).toMatchObject({ cidr_block: "10.0.0.0/16", enable_dns_support: true, enable_dns_hostnames: true });
      const sg = only(stack, "aws_default_security_group");
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    });

    test("2 public + 2 private subnets in distinct AZs, CIDRs from cidrsubnet(), no public IPs", () => {
      const subnets = resources(stack, "aws_subnet");
      expect(subnets).toHaveLength(4);
      const tiers = (tier: string) => subnets.filter((s) => s.tags.Tier === tier);
      for (const tier of ["public", "private"]) {
        const ts = tiers(tier);
        expect(ts).toHaveLength(2);
        expect(new Set(ts.map((s) => s.availability_zone)).size).toBe(2);
      }
      expect(subnets.map((s) => s.cidr_block).sort()).toEqual(
        [0, 1, 2, 3].map((n) => `\${cidrsubnet("10.0.0.0/16", 4, ${n})}`).sort(),
      );
      for (const s of subnets) expect(s.map_public_ip_on_launch).toBe(false);
    });

    test(`NAT: ${prod ? "one per AZ" : "a single gateway"}, each with an EIP in a public subnet`, () => {
      const nats = resources(stack, "aws_nat_gateway");
      expect(nats).toHaveLength(prod ? 2 : 1);
      expect(resources(stack, "aws_eip")).toHaveLength(nats.length);
      const publicIds = resources(stack, "aws_subnet")
        .filter((s) => s.tags.Tier === "public")
        .map((s) => `\${${addressOf(stack, "aws_subnet", s)}.id}`);
      for (const n of nats) expect(publicIds).toContain(n.subnet_id);
    });

    test("private subnets route 0.0.0.0/0 to NAT, public to the internet gateway", () => {
      const routes = resources(stack, "aws_route");
      expect(routes.filter((r) => r.gateway_id?.includes("aws_internet_gateway"))).toHaveLength(1);
      const natRoutes = routes.filter((r) => r.nat_gateway_id);
      expect(natRoutes).toHaveLength(2);
      for (const r of routes) expect(r.destination_cidr_block).toBe("0.0.0.0/0");
      expect(resources(stack, "aws_route_table_association")).toHaveLength(4);
      expect(new Set(natRoutes.map((r) => r.nat_gateway_id)).size).toBe(prod ? 2 : 1);
    });

    test("VPC flow logs for all traffic to an encrypted log group", () => {
      const fl = only(stack, "aws_flow_log");
      expect(fl).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
      const group = resources(stack, "aws_cloudwatch_log_group").find((g) => g.name === `/vpc/${n}/flow-logs`);
      expect(group?.kms_key_id).toMatch(/aws_kms_key/);
    });
  });

  describe("Step 1: security groups", () => {
    test("exactly the guide's rules, each described, nothing wider", () => {
      const rules = resources(stack, "aws_security_group_rule").map((r) => {
        expect(r.description).toEqual(expect.any(String));
        expect(r.description.length).toBeGreaterThan(0);
        expect(r.protocol).toBe("tcp");
        expect(r.from_port).toBe(r.to_port);
        return [
          sgName(stack, r.security_group_id),
          r.type,
          r.from_port,
          r.cidr_blocks ? r.cidr_blocks.join(",") : sgName(stack, r.source_security_group_id),
        ].join(" ");
      });
      expect(rules.sort()).toEqual(
        [
          `${n}-alb ingress 443 0.0.0.0/0`,
          `${n}-alb ingress 80 0.0.0.0/0`,
          `${n}-alb egress ${port} ${n}-ecs`,
          `${n}-ecs ingress ${port} ${n}-alb`,
          `${n}-ecs egress 443 0.0.0.0/0`,
          `${n}-ecs egress 3306 ${n}-rds`,
          `${n}-rds ingress 3306 ${n}-ecs`,
        ].sort(),
      );
    });

    test("groups carry no inline rules", () => {
      const groups = resources(stack, "aws_security_group");
      // The guide's three, and (restore testing on) the rule-less group of the test-restored instance.
      const restoreTest = resources(stack, "aws_backup_restore_testing_selection").length > 0 ? [`${n}-db-restore-test`] : [];
      expect(groups.map((g) => g.name).sort()).toEqual([`${n}-alb`, ...restoreTest, `${n}-ecs`, `${n}-rds`]);
      for (const g of groups) {
        expect(g.ingress).toBeUndefined();
        expect(g.egress).toBeUndefined();
      }
    });
  });

  describe("Step 2: RDS MySQL", () => {
    const db = only(stack, "aws_db_instance");

    test("engine, size, storage autoscaling, encryption", () => {
      expect(db).toMatchObject({
        identifier: `${n}-db`,
        engine: "mysql",
        engine_version: "8.4",
        instance_class: prod ? "db.m6g.large" : "db.t3.micro",
        allocated_storage: 100,
        max_allocated_storage: prod ? 1000 : 200,
        storage_encrypted: true,
        db_name: "zenml_hybrid",
        publicly_accessible: false,
        port: 3306,
      });
      expect(db.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
      expect(db.max_allocated_storage).toBeGreaterThan(db.allocated_storage);
    });

    test("backups 30 days, error/general/slowquery logs to CloudWatch", () => {
      expect(db.backup_retention_period).toBe(30);
      expect([...db.enabled_cloudwatch_logs_exports].sort()).toEqual(["error", "general", "slowquery"]);
    });

    test(`Multi-AZ ${prod}, deletion protection ${prod}, final snapshot ${prod}`, () => {
      expect(db.multi_az).toBe(prod);
      expect(db.deletion_protection).toBe(prod);
      expect(db.skip_final_snapshot).toBe(!prod);
      if (prod) expect(db.final_snapshot_identifier).toBe(`${n}-db-final`);
      else expect(db.final_snapshot_identifier).toBeUndefined();
    });

    test("private subnet group and the RDS security group", () => {
      const group = only(stack, "aws_db_subnet_group");
      expect(group.subnet_ids).toHaveLength(2);
      for (const id of group.subnet_ids) {
        const name = /aws_subnet\.([^.]+)\.id/.exec(id)![1];
        expect(stack.resource.aws_subnet[name].tags.Tier).toBe("private");
      }
      expect(db.vpc_security_group_ids.map((r: string) => sgName(stack, r))).toEqual([`${n}-rds`]);
    });

    test("parameter group matches the engine and requires TLS", () => {
      const pg = only(stack, "aws_db_parameter_group");
      expect(pg.family).toBe("mysql8.4");
      expect(db.parameter_group_name).toContain("aws_db_parameter_group");
      const params = Object.fromEntries(pg.parameter.map((p: any) => [p.name, p.value]));
      expect(params).toMatchObject({ require_secure_transport: "1", general_log: "1", slow_query_log: "1", log_output: "FILE" });
    });

    test("password generated and kept by RDS (never in Terraform)", () => {
      expect(db.manage_master_user_password).toBe(true);
      expect(db.password).toBeUndefined();
      expect(db.master_user_secret_kms_key_id).toMatch(/aws_kms_key/);
    });

    test(`Performance Insights ${prod ? "on (KMS)" : "off on db.t3.micro"}, enhanced monitoring every 60 s`, () => {
      expect(db.performance_insights_enabled).toBe(prod);
      if (prod) expect(db.performance_insights_kms_key_id).toMatch(/aws_kms_key/);
      expect(db.monitoring_interval).toBe(60);
      expect(db.monitoring_role_arn).toMatch(/aws_iam_role/);
    });
  });

  describe("Step 3: secrets", () => {
    const secretName = prod ? "zenml/pro/oauth2-client-secret" : "zenml/zenml-hybrid-dev/oauth2-client-secret";
    test(`OAuth2 client secret container in Secrets Manager named ${secretName} (${prod ? "the guide's name" : "derived from name"}), KMS, no value`, () => {
      const secret = resources(stack, "aws_secretsmanager_secret").find((x) => x.name === secretName);
      expect(secret).toBeDefined();
      expect(secret!.kms_key_id).toMatch(/aws_kms_key/);
      // The only versions Terraform writes are the generated keys', through the write-only argument.
      const versions = resources(stack, "aws_secretsmanager_secret_version");
      expect(versions.map((v) => v.secret_id).sort()).toEqual([
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\.jwt-secret-key_secret_[^.]+\.id\}$/),
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\.secrets-store-key_secret_[^.]+\.id\}$/),
      ]);
      for (const v of versions) expect(v.secret_string).toBeUndefined();
    });

    test("no secret or password value anywhere in the synthesized JSON", () => {
      expect(stack.raw).not.toMatch(/"(password|master_password|secret_string|secret_binary)"\s*:/);
      expect(stack.raw).not.toMatch(/mysql:\/\/[^"$]*:[^"@]*@/);
      expect(stack.raw).not.toContain("ZENML_DATABASE_URL");
    });
  });

  describe("Step 4: IAM", () => {
    const roles = resources(stack, "aws_iam_role");
    const execution = roles.find((r) => r.name === `${n}-task-execution`);
    const task = roles.find((r) => r.name === `${n}-task`);

    test("execution role: managed policy + inline policy on the exact secrets, key and log group", () => {
      expect(execution).toBeDefined();
      const attachments = resources(stack, "aws_iam_role_policy_attachment").filter((a) => a.role.includes("iam_execution"));
      expect(attachments.map((a) => a.policy_arn)).toEqual([
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      ]);
      const inline = resources(stack, "aws_iam_role_policy").find((p) => p.role.includes("iam_execution"));
      const doc = policyDocument(stack, inline!.policy);
      const bySid = Object.fromEntries(doc.statement.map((s: any) => [s.sid, s]));
      expect(bySid.ReadTaskSecrets.actions).toEqual(["secretsmanager:GetSecretValue"]);
      expect(bySid.ReadTaskSecrets.resources).toEqual([
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/),
        expect.stringMatching(/^\$\{aws_db_instance\..+\.master_user_secret\[0\]\.secret_arn\}$/),
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\.jwt-secret-key_secret_[^.]+\.arn\}$/),
        expect.stringMatching(/^\$\{aws_secretsmanager_secret\.secrets-store-key_secret_[^.]+\.arn\}$/),
      ]);
      expect(bySid.DecryptTaskSecrets).toMatchObject({ actions: ["kms:Decrypt"], resources: [expect.stringMatching(/aws_kms_key/)] });
      expect(bySid.WriteContainerLogs.actions).toEqual(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]);
      for (const r of bySid.WriteContainerLogs.resources) expect(r).toMatch(/^\$\{aws_cloudwatch_log_group\.logs_group/);
      for (const s of doc.statement) for (const r of s.resources) expect(r).not.toBe("*");
    });

    test("a separate task role without permissions", () => {
      expect(task).toBeDefined();
      expect(task).not.toBe(execution);
      const taskRoleRefs = [...resources(stack, "aws_iam_role_policy"), ...resources(stack, "aws_iam_role_policy_attachment")]
        .map((p) => p.role)
        .filter((r) => r.includes("iam_task_"));
      expect(taskRoleRefs).toEqual([]);
    });
  });

  describe("Step 5: task definition", () => {
    const td = only(stack, "aws_ecs_task_definition");

    test("Fargate, 512 CPU / 1024 MiB, awsvpc, both roles", () => {
      expect(td).toMatchObject({ family: n, cpu: "512", memory: "1024", network_mode: "awsvpc", requires_compatibilities: ["FARGATE"] });
      expect(td.execution_role_arn).toMatch(/iam_execution/);
      expect(td.task_role_arn).toMatch(/iam_task_/);
    });

    test("image from the ZenML ECR with the pinned version, on the image's port 8080 (not the guide's 8000), essential", () => {
      const c = server(stack);
      expect(c.image).toBe("715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3");
      expect(port).toBe(8080);
      expect(c.portMappings).toEqual([{ containerPort: port, hostPort: port, protocol: "tcp" }]);
      expect(c.essential).toBe(true);
    });

    test("every environment variable of the guide's table, plus what ZenML's server code reads", () => {
      const envVars = Object.fromEntries(server(stack).environment.map((e: any) => [e.name, e.value]));
      expect(envVars).toEqual({
        ...GUIDE_ENV(env, port),
        // ZENML_DATABASE_URL (the guide) is replaced by a credential-free ZENML_STORE_URL plus secrets.
        ZENML_STORE_URL: expect.stringMatching(/^mysql:\/\/\$\{aws_db_instance\.[^}]+\.address\}:3306\/zenml_hybrid$/),
        ZENML_STORE_TYPE: "sql",
        ZENML_SECRETS_STORE_TYPE: "sql",
        ZENML_STORE_SSL: "true",
        ZENML_STORE_SSL_CA: "/zenml/.zenconfig/rds-ca-bundle.pem",
        ZENML_STORE_SSL_VERIFY_SERVER_CERT: "true",
        ZENML_LOGGING_VERBOSITY: "INFO",
        ZENML_CONFIG_PATH: "/zenml/.zenconfig",
        HOME: "/zenml/home",
        ZENML_STORE_BACKUP_STRATEGY: "disabled",
        ZENML_SERVER: "True",
        DISABLE_DATABASE_MIGRATION: "true",
      });
    });

    test("OAuth2 secret, JWT signing key and DB credentials only through `secrets`", () => {
      const secrets = Object.fromEntries(server(stack).secrets.map((e: any) => [e.name, e.valueFrom]));
      expect(secrets).toEqual({
        ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}$/),
        ZENML_SERVER_JWT_SECRET_KEY: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}:::\$\{aws_secretsmanager_secret_version\.[^}]+\.version_id\}$/),
        ZENML_SECRETS_STORE_ENCRYPTION_KEY: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}:::\$\{aws_secretsmanager_secret_version\.[^}]+\.version_id\}$/),
        ZENML_STORE_USERNAME: expect.stringMatching(/master_user_secret\[0\]\.secret_arn\}:username::$/),
        ZENML_STORE_PASSWORD: expect.stringMatching(/master_user_secret\[0\]\.secret_arn\}:password::$/),
      });
      const plain = server(stack).environment.map((e: any) => e.name);
      expect(plain.filter((n: string) => /SECRET|PASSWORD|USERNAME/.test(n))).toEqual(["ZENML_SECRETS_STORE_TYPE"]);
    });

    test(`awslogs to /ecs/${n} with prefix ecs for every container`, () => {
      const group = resources(stack, "aws_cloudwatch_log_group").find((g) => g.name === `/ecs/${n}`);
      expect(group).toBeDefined();
      expect(group!.retention_in_days).toBe(prod ? 365 : 30);
      expect(group!.kms_key_id).toMatch(/aws_kms_key/);
      for (const c of containers(stack)) {
        expect(c.logConfiguration).toEqual({
          logDriver: "awslogs",
          options: {
            "awslogs-group": expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.logs_group_[^}]+\.name\}$/),
            "awslogs-region": "eu-central-1",
            "awslogs-stream-prefix": "ecs",
          },
        });
      }
    });

    test("three containers of the one server image: volume preparation, migration, server (in that order)", () => {
      expect(containers(stack).map((c) => [c.name, c.image, c.essential])).toEqual([
        ["zenml-server", "715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3", true],
        ["writable-volumes", "715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3", false],
        ["migrate-database", "715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3", false],
      ]);
      expect(server(stack).dependsOn).toEqual([
        { containerName: "writable-volumes", condition: "SUCCESS" },
        { containerName: "migrate-database", condition: "SUCCESS" },
      ]);
      expect(td.volume).toEqual([{ name: "zenml-zenconfig" }, { name: "zenml-home" }, { name: "tmp" }]);
    });

    test("read-only root filesystem everywhere; the server writes only to its config, HOME and /tmp volumes", () => {
      for (const c of containers(stack)) {
        expect(c.readonlyRootFilesystem).toBe(true);
        expect(c.privileged).toBeUndefined();
      }
      expect(server(stack).mountPoints).toEqual([
        { sourceVolume: "zenml-zenconfig", containerPath: "/zenml/.zenconfig", readOnly: false },
        { sourceVolume: "zenml-home", containerPath: "/zenml/home", readOnly: false },
        { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      ]);
      const init = containers(stack).find((c) => c.name === "writable-volumes");
      const ca = "/volumes/zenml-zenconfig/rds-ca-bundle.pem";
      expect(init).toMatchObject({ essential: false, user: "0", entryPoint: ["sh", "-c"], command: [`printf '%s' "$VOLUME_FILE_0" > ${ca} && chmod 0444 ${ca} && chmod 1777 /volumes/zenml-zenconfig /volumes/zenml-home /volumes/tmp`] });
      expect(init.environment).toEqual([{ name: "VOLUME_FILE_0", value: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/) }]);
      expect(init.mountPoints.map((m: any) => m.sourceVolume)).toEqual(["zenml-zenconfig", "zenml-home", "tmp"]);
      // Nothing is mounted over the image user's home (its ~/.local/bin is on the image's PATH).
      for (const c of containers(stack)) {
        for (const m of c.mountPoints ?? []) expect(m.containerPath).not.toMatch(/^\/home(\/|$)/);
      }
    });
  });

  describe("Step 6: ECS cluster and service", () => {
    const svc = only(stack, "aws_ecs_service");

    test(`cluster ${n} with Container Insights`, () => {
      expect(only(stack, "aws_ecs_cluster")).toMatchObject({
        name: n,
        setting: [{ name: "containerInsights", value: "enabled" }],
      });
    });

    test("Fargate LATEST, private subnets, ECS group, no public IP", () => {
      expect(svc).toMatchObject({ name: "zenml-server", launch_type: "FARGATE", platform_version: "LATEST", desired_count: prod ? 2 : 1 });
      expect(svc.network_configuration.assign_public_ip).toBe(false);
      expect(svc.network_configuration.security_groups.map((r: string) => sgName(stack, r))).toEqual([`${n}-ecs`]);
      for (const id of svc.network_configuration.subnets) {
        expect(stack.resource.aws_subnet[/aws_subnet\.([^.]+)\.id/.exec(id)![1]].tags.Tier).toBe("private");
      }
    });

    test("container zenml-server on service.containerPort in the target group, after the HTTPS listener exists", () => {
      expect(svc.load_balancer).toEqual([
        { container_name: "zenml-server", container_port: port, target_group_arn: expect.stringMatching(/aws_lb_target_group/) },
      ]);
      expect(svc.depends_on.some((d: string) => d.startsWith("aws_lb_listener."))).toBe(true);
    });

    test("circuit breaker with rollback and a health-check grace period", () => {
      expect(svc.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
      expect(svc.health_check_grace_period_seconds).toBe(600);
    });

    test(`desired_count ${prod ? "ignored (autoscaling owns it)" : "managed by Terraform (no autoscaling)"}`, () => {
      if (prod) expect(svc.lifecycle.ignore_changes).toEqual(["desired_count"]);
      else expect(svc.lifecycle).toBeUndefined();
    });
  });

  describe("Step 7: load balancer", () => {
    const alb = only(stack, "aws_lb");

    test("internet-facing ALB in the public subnets with the ALB group", () => {
      expect(alb).toMatchObject({ load_balancer_type: "application", internal: false, drop_invalid_header_fields: true });
      expect(alb.enable_deletion_protection).toBe(prod);
      expect(alb.security_groups.map((r: string) => sgName(stack, r))).toEqual([`${n}-alb`]);
      for (const id of alb.subnets) {
        expect(stack.resource.aws_subnet[/aws_subnet\.([^.]+)\.id/.exec(id)![1]].tags.Tier).toBe("public");
      }
    });

    test("access logs to an SSE-S3 bucket the regional ELB account may write", () => {
      expect(alb.access_logs).toMatchObject({ enabled: true, prefix: "alb" });
      const sse = only(stack, "aws_s3_bucket_server_side_encryption_configuration");
      expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
      const policy = policyDocument(stack, only(stack, "aws_s3_bucket_policy").policy);
      const delivery = policy.statement.find((s: any) => s.sid === "ElbLogDelivery");
      expect(delivery.principals).toEqual([{ type: "AWS", identifiers: ["arn:aws:iam::054676820928:root"] }]);
      expect(delivery.actions).toEqual(["s3:PutObject"]);
      const tls = policy.statement.find((s: any) => s.sid === "DenyInsecureTransport");
      expect(tls).toMatchObject({ effect: "Deny", condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] });
      expect(only(stack, "aws_s3_bucket_public_access_block")).toMatchObject({
        block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
      });
    });

    test("target group: ip targets on service.containerPort, the guide's health check on the same port", () => {
      const tg = only(stack, "aws_lb_target_group");
      expect(tg).toMatchObject({ port, protocol: "HTTP", target_type: "ip" });
      expect(tg.health_check).toEqual({
        enabled: true, protocol: "HTTP", path: "/health", port: String(port),
        interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, matcher: "200",
      });
    });

    test("HTTPS 443 forwards with a TLS 1.3 policy; HTTP 80 redirects to 443", () => {
      const listeners = resources(stack, "aws_lb_listener");
      expect(listeners).toHaveLength(2);
      const https = listeners.find((l) => l.port === 443)!;
      expect(https).toMatchObject({ protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
      expect(https.default_action).toEqual([{ type: "forward", target_group_arn: expect.stringMatching(/aws_lb_target_group/) }]);
      expect(https.certificate_arn).toEqual(
        prod ? expect.stringMatching(/aws_acm_certificate_validation/) : "arn:aws:acm:eu-central-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
      );
      const http = listeners.find((l) => l.port === 80)!;
      expect(http.protocol).toBe("HTTP");
      expect(http.default_action).toEqual([{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } }]);
    });
  });

  describe("Step 8: DNS", () => {
    if (prod) {
      test("Route53: DNS-validated ACM certificate and an alias A record to the ALB", () => {
        expect(only(stack, "aws_acm_certificate")).toMatchObject({ domain_name: "zenml.mycompany.com", validation_method: "DNS" });
        const records = resources(stack, "aws_route53_record");
        const alias = records.find((r) => r.type === "A")!;
        expect(alias).toMatchObject({ zone_id: "Z0123456789ABCDEFGHIJ", name: "zenml.mycompany.com" });
        expect(alias.alias).toMatchObject({ name: expect.stringMatching(/aws_lb\..+\.dns_name/), zone_id: expect.stringMatching(/aws_lb\..+\.zone_id/) });
        const validation = records.find((r) => r.for_each)!;
        expect(validation.zone_id).toBe("Z0123456789ABCDEFGHIJ");
        expect(only(stack, "aws_acm_certificate_validation").validation_record_fqdns).toMatch(/aws_route53_record/);
      });
    } else {
      test("external DNS: existing certificate, no Route53 resources, ALB DNS name output", () => {
        expect(stack.resource.aws_route53_record).toBeUndefined();
        expect(stack.resource.aws_acm_certificate).toBeUndefined();
        expect(stack.output.alb_dns_name.value).toMatch(/aws_lb\..+\.dns_name/);
      });
    }
  });

  describe("Scaling, monitoring and state", () => {
    test(`autoscaling ${prod ? "target-tracking on CPU 70 % between 2 and 6 tasks" : "off (1 task)"}`, () => {
      if (!prod) {
        expect(stack.resource.aws_appautoscaling_target).toBeUndefined();
        return;
      }
      expect(only(stack, "aws_appautoscaling_target")).toMatchObject({ min_capacity: 2, max_capacity: 6, scalable_dimension: "ecs:service:DesiredCount" });
      const policy = only(stack, "aws_appautoscaling_policy");
      expect(policy.policy_type).toBe("TargetTrackingScaling");
      expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({
        target_value: 70,
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
      });
    });

    test("alarms for CPU > 80, tasks below desired, unhealthy targets, error logs, control-plane auth failures, DB connection errors, RDS CPU/storage/connections and a failed rotation redeploy → SNS", () => {
      const alarms = Object.fromEntries(resources(stack, "aws_cloudwatch_metric_alarm").map((a) => [a.alarm_name, a]));
      expect(Object.keys(alarms).sort()).toEqual(
        [
          "alb-unhealthy-targets", "control-plane-auth-failures", "db-connection-errors", "ecs-cpu", "ecs-running-tasks", "rds-connections", "rds-cpu", "rds-free-storage", "server-error-logs",
          "db-rotation-aborted", "db-rotation-failed", "db-rotation-failed-invocations", "db-rotation-timed-out",
        ]
          .map((k) => `${n}-${k}`)
          .sort(),
      );
      expect(alarms[`${n}-ecs-cpu`]).toMatchObject({ metric_name: "CPUUtilization", namespace: "AWS/ECS", threshold: 80, comparison_operator: "GreaterThanThreshold", statistic: "Average" });
      expect(alarms[`${n}-alb-unhealthy-targets`]).toMatchObject({ metric_name: "UnHealthyHostCount", threshold: 0 });
      expect(alarms[`${n}-ecs-running-tasks`].metric_query.find((q: any) => q.id === "missing").expression).toBe("desired - running");
      expect(alarms[`${n}-rds-free-storage`]).toMatchObject({ metric_name: "FreeStorageSpace", threshold: 10 * 1024 ** 3, comparison_operator: "LessThanThreshold" });
      for (const a of Object.values(alarms) as any[]) expect(a.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\./)]);
      expect(only(stack, "aws_sns_topic").kms_master_key_id).toMatch(/aws_kms_key/);
      const subs = resources(stack, "aws_sns_topic_subscription");
      expect(subs.map((s) => s.endpoint)).toEqual(prod ? ["platform-oncall@mycompany.com"] : []);
    });

    test("log metric filter for ERROR or CRITICAL", () => {
      expect(resources(stack, "aws_cloudwatch_log_metric_filter").find((f) => f.name === "zenml-error-or-critical")!.pattern).toBe("?ERROR ?CRITICAL");
    });

    test("S3 remote state with encryption and S3-native locking", () => {
      expect(stack.terraform.backend.s3).toEqual({
        bucket: "mycompany-zenml-tfstate", key: `zenml/${env}.tfstate`, region: "eu-central-1", encrypt: true, use_lockfile: true,
      });
    });

    test("outputs for operators", () => {
      expect(Object.keys(stack.output).sort()).toEqual(
        ["alarm_topic_arn", "alb_dns_name", "cluster_name", "dashboard_url", "db_endpoint", "db_master_secret_arn", "jwt_secret_arn", "log_group", "oauth2_secret_arn", "secrets_store_key_arn", "service_name", "url"],
      );
      expect(stack.output.url.value).toBe(GUIDE_ENV(env, configs[env].service.containerPort).ZENML_SERVER_SERVER_URL);
    });

    test(`one customer KMS key with rotation in the region${prod ? ", and one in the DR region for the backup copies" : ""}`, () => {
      const keys = resources(stack, "aws_kms_key");
      expect(keys.map((k) => k.provider)).toEqual(prod ? [undefined, "aws.dr"].sort() : [undefined]);
      for (const k of keys) expect(k.enable_key_rotation).toBe(true);
    });
  });
});

describe("state-bootstrap stack", () => {
  const stack = stacks["state-bootstrap"];

  test("local state; one hardened, versioned, KMS-encrypted state bucket protected from destroy, with access logs", () => {
    expect(Object.keys(stack.terraform.backend)).toEqual(["local"]);
    const buckets = Object.fromEntries(resources(stack, "aws_s3_bucket").map((b) => [b.bucket, b]));
    expect(Object.keys(buckets).sort()).toEqual(["mycompany-zenml-tfstate", "mycompany-zenml-tfstate-access-logs"]);
    expect(buckets["mycompany-zenml-tfstate"]).toMatchObject({ lifecycle: { prevent_destroy: true } });
    const ref = (name: string) => `\${${addressOf(stack, "aws_s3_bucket", buckets[name])}.id}`;
    const of = (type: string, name: string) => resources(stack, type).filter((r) => r.bucket === ref(name));
    for (const name of Object.keys(buckets)) {
      expect(of("aws_s3_bucket_versioning", name)[0].versioning_configuration.status).toBe("Enabled");
      expect(of("aws_s3_bucket_public_access_block", name)[0].block_public_policy).toBe(true);
      const deny = policyDocument(stack, of("aws_s3_bucket_policy", name)[0].policy).statement.find((st: any) => st.sid === "DenyInsecureTransport");
      expect(deny).toMatchObject({ effect: "Deny", condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] });
    }
    const sse = (name: string) => of("aws_s3_bucket_server_side_encryption_configuration", name)[0].rule[0].apply_server_side_encryption_by_default;
    expect(sse("mycompany-zenml-tfstate")).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\./) });
    // S3 server access log delivery only supports SSE-S3 on the target bucket.
    expect(sse("mycompany-zenml-tfstate-access-logs")).toEqual({ sse_algorithm: "AES256" });
    expect(only(stack, "aws_s3_bucket_logging")).toMatchObject({
      bucket: ref("mycompany-zenml-tfstate"),
      target_bucket: ref("mycompany-zenml-tfstate-access-logs"),
      target_prefix: "mycompany-zenml-tfstate/",
    });
    const delivery = policyDocument(stack, of("aws_s3_bucket_policy", "mycompany-zenml-tfstate-access-logs")[0].policy).statement
      .find((st: any) => st.sid === "S3ServerAccessLogDelivery");
    expect(delivery).toMatchObject({
      actions: ["s3:PutObject"],
      principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount" },
        { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:s3:::mycompany-zenml-tfstate"] },
      ],
    });
    expect(only(stack, "aws_kms_key").enable_key_rotation).toBe(true);
    expect(stack.resource.aws_dynamodb_table).toBeUndefined();
  });
});

test("every resource is deep-imported: no root import of @cdktf/provider-aws in the sources", () => {
  const { execSync } = require("child_process");
  const hits = execSync(
    `grep -rnE "from ['\\"]@cdktf/provider-aws['\\"]|require\\(['\\"]@cdktf/provider-aws['\\"]\\)" main.ts lib stacks modules __tests__ scripts || true`,
    { cwd: `${__dirname}/..`, encoding: "utf8" },
  );
  expect(hits).toBe("");
});
