/**
 * Issue 17: a restore that really restores (the secrets-store key by reference, read at its current
 * version), restore tests that restore into the environment's network, and a snapshot before every
 * migration (ordering in the dependency graph, and the snapshot step itself against mocked AWS APIs).
 */
import { mockClient } from "aws-sdk-client-mock";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import { CreateDBSnapshotCommand, DescribeDBSnapshotsCommand, RDSClient } from "@aws-sdk/client-rds";
import {
  imageTag,
  parseSnapshotArgs,
  snapshotIdentifier,
  SnapshotRequest,
  takePreMigrationSnapshot,
  UsageError,
  versionSlug,
} from "../scripts/snapshot/pre-migration";
import { addressOf, configFrom, only, policyDocument, problemsOf, resources, shippedFile, StackJson, synthAll } from "./helpers";
import { DataResource, TerraformStack, Testing } from "cdktf";
import { PreMigrationSnapshot } from "../modules/pre-migration-snapshot";

const OLD_KEY = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:zenml/zenml-hybrid/secrets-store-encryption-key-AbC123";
const OLD_KEY_KMS = "arn:aws:kms:eu-central-1:123456789012:key/0b7e4c1a-1111-2222-3333-444455556666";

function synth(env: string, mutate: (d: any) => void = () => undefined): StackJson {
  const doc = shippedFile(env);
  mutate(doc);
  return synthAll([configFrom(doc, env)])[env];
}

/** container name → { secret name → valueFrom } of the only task definition. */
function taskSecrets(stack: StackJson): Record<string, Record<string, string>> {
  const containers = JSON.parse(only(stack, "aws_ecs_task_definition").container_definitions) as any[];
  return Object.fromEntries(containers.map((c) => [c.name, Object.fromEntries((c.secrets ?? []).map((s: any) => [s.name, s.valueFrom]))]));
}

/** Statements of the task execution role's inline policy. */
function executionStatements(stack: StackJson): any[] {
  const policy = resources(stack, "aws_iam_role_policy").find((p) => p.name === "secrets-and-logs")!;
  return policyDocument(stack, policy.policy).statement;
}

describe("zenml.secretsStoreKeySecretArn: the restored database's key, by reference", () => {
  const prod = synth("prod");
  const restored = synth("prod", (d) => (d.zenml = { ...d.zenml, secretsStoreKeySecretArn: OLD_KEY, secretsStoreKeyKmsKeyArn: OLD_KEY_KMS }));

  test("by default the key is generated and pinned to the version Terraform wrote", () => {
    const secrets = taskSecrets(prod);
    expect(secrets["zenml-server"].ZENML_SECRETS_STORE_ENCRYPTION_KEY).toMatch(/^\$\{aws_secretsmanager_secret\.secrets-store-key_secret_[A-Z0-9]+\.arn\}:::\$\{aws_secretsmanager_secret_version\.[^}]+\.version_id\}$/);
    expect(resources(prod, "aws_secretsmanager_secret").map((s) => s.name)).toContain("zenml/zenml-hybrid/secrets-store-encryption-key");
  });

  test("with it, no key is generated and both containers read the secret's current value (no version pin)", () => {
    expect(resources(restored, "aws_secretsmanager_secret").map((s) => s.name)).not.toContain("zenml/zenml-hybrid/secrets-store-encryption-key");
    const secrets = taskSecrets(restored);
    for (const container of ["zenml-server", "migrate-database"]) {
      expect(secrets[container].ZENML_SECRETS_STORE_ENCRYPTION_KEY).toBe(OLD_KEY);
    }
    expect(restored.output.secrets_store_key_arn.value).toBe(OLD_KEY);
    // The other generated key is untouched.
    expect(secrets["zenml-server"].ZENML_SERVER_JWT_SECRET_KEY).toMatch(/:::\$\{aws_secretsmanager_secret_version\./);
  });

  test("the execution role reads exactly that secret and decrypts with its key only through Secrets Manager", () => {
    const statements = executionStatements(restored);
    const read = statements.find((s) => s.sid === "ReadTaskSecrets");
    expect(read.actions).toEqual(["secretsmanager:GetSecretValue"]);
    expect(read.resources).toContain(OLD_KEY);
    const decrypt = statements.find((s) => s.sid === "DecryptReferencedSecrets");
    expect(decrypt).toEqual({
      sid: "DecryptReferencedSecrets",
      actions: ["kms:Decrypt"],
      resources: [OLD_KEY_KMS],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.eu-central-1.amazonaws.com"] }],
    });
    // The referenced key gets no unconditioned grant.
    expect(statements.find((s) => s.sid === "DecryptTaskSecrets").resources).not.toContain(OLD_KEY_KMS);
    // Without a KMS key (the AWS-managed aws/secretsmanager key) there is no extra statement.
    const managed = synth("prod", (d) => (d.zenml = { ...d.zenml, secretsStoreKeySecretArn: OLD_KEY }));
    expect(executionStatements(managed).map((s) => s.sid)).not.toContain("DecryptReferencedSecrets");
    expect(executionStatements(prod).map((s) => s.sid)).not.toContain("DecryptReferencedSecrets");
  });

  test("protection still covers the generated secrets; nothing to protect for a referenced key", () => {
    const protectedNames = resources(restored, "aws_secretsmanager_secret").filter((s) => s.lifecycle?.prevent_destroy).map((s) => s.name).sort();
    expect(protectedNames).toEqual(["zenml/pro/oauth2-client-secret", "zenml/zenml-hybrid/server-jwt-secret-key"]);
  });

  test("with backup replication, the OAuth2 client secret is replicated to the DR region like the key", () => {
    const oauth2 = resources(prod, "aws_secretsmanager_secret").find((s) => s.name === "zenml/pro/oauth2-client-secret")!;
    const key = resources(prod, "aws_secretsmanager_secret").find((s) => s.name === "zenml/zenml-hybrid/secrets-store-encryption-key")!;
    expect(oauth2.replica).toEqual(key.replica);
    expect(oauth2.replica).toEqual([{ region: "eu-west-1", kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.backup-replication_kms_key_[A-Z0-9]+\.arn\}$/) }]);
    const dev = synth("dev");
    expect(resources(dev, "aws_secretsmanager_secret").every((s) => s.replica === undefined)).toBe(true);
  });

  test("bad references are rejected with file and field", () => {
    const set = (zenml: Record<string, string>) => (d: any) => (d.zenml = { ...d.zenml, ...zenml });
    expect(problemsOf(set({ secretsStoreKeySecretArn: OLD_KEY.replace(/-AbC123$/, "") }))).toEqual([
      expect.stringMatching(/^config\/test\.json: zenml\.secretsStoreKeySecretArn: must be the full ARN of a Secrets Manager secret, ending in the 6-character suffix/),
    ]);
    expect(problemsOf(set({ secretsStoreKeySecretArn: `${OLD_KEY}:::0b7e4c1a-1111-2222-3333-444455556666` }))).toHaveLength(1);
    expect(problemsOf(set({ secretsStoreKeySecretArn: "zenml/zenml-hybrid/secrets-store-encryption-key" }))).toHaveLength(1);
    expect(problemsOf(set({ secretsStoreKeySecretArn: OLD_KEY.replace("eu-central-1", "eu-west-1") }))).toEqual([
      "config/test.json: zenml.secretsStoreKeySecretArn: must be a secret in this environment's region eu-central-1, not eu-west-1: reference the key's replica in eu-central-1 (with database.backupReplication the old environment replicates its key to its DR region), so the tasks do not depend on another region",
    ]);
    expect(problemsOf(set({ secretsStoreKeyKmsKeyArn: OLD_KEY_KMS }))).toEqual([
      "config/test.json: zenml.secretsStoreKeyKmsKeyArn: is only allowed together with zenml.secretsStoreKeySecretArn",
    ]);
    expect(problemsOf(set({ secretsStoreKeySecretArn: OLD_KEY, secretsStoreKeyKmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:alias/zenml-hybrid" }))).toEqual([
      "config/test.json: zenml.secretsStoreKeyKmsKeyArn: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>), not an alias: IAM matches kms:Decrypt on the key ARN",
    ]);
    expect(problemsOf(set({ secretsStoreKeySecretArn: OLD_KEY, secretsStoreKeyKmsKeyArn: OLD_KEY_KMS.replace("eu-central-1", "eu-west-1") }))).toEqual([
      "config/test.json: zenml.secretsStoreKeyKmsKeyArn: must be a key in this environment's region eu-central-1 (a secret is encrypted with a key of its own region)",
    ]);
    expect(problemsOf(set({ secretsStoreKeySecretArn: OLD_KEY, secretsStoreKeyKmsKeyArn: OLD_KEY_KMS }))).toEqual([]);
  });
});

describe("restore tests restore into the environment's network", () => {
  const prod = synth("prod");

  test("the DB subnet group and a rule-less security group of the VPC override AWS Backup's inferred default VPC", () => {
    const selection = only(prod, "aws_backup_restore_testing_selection");
    const db = only(prod, "aws_db_instance");
    const dbAddress = addressOf(prod, "aws_db_instance", db);
    expect(selection.restore_metadata_overrides.dbSubnetGroupName).toBe(`\${${dbAddress}.db_subnet_group_name}`);
    const group = resources(prod, "aws_security_group").find((g) => g.name === "zenml-hybrid-db-restore-test")!;
    const groupAddress = addressOf(prod, "aws_security_group", group);
    expect(selection.restore_metadata_overrides.vpcSecurityGroupIds).toBe(`\${jsonencode([${groupAddress}.id])}`);
    expect(Object.keys(selection.restore_metadata_overrides).sort()).toEqual(["dbSubnetGroupName", "vpcSecurityGroupIds"]);
    // Same VPC as the database's own group; no inline rules and no rule resources: nothing reaches it, it reaches nothing.
    const rdsGroup = resources(prod, "aws_security_group").find((g) => g.name === "zenml-hybrid-rds")!;
    expect(group.vpc_id).toBe(rdsGroup.vpc_id);
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
    const ref = `\${${groupAddress}.id}`;
    expect(resources(prod, "aws_security_group_rule").filter((r) => r.security_group_id === ref || r.source_security_group_id === ref)).toEqual([]);
    expect(resources(prod, "aws_vpc_security_group_ingress_rule")).toEqual([]);
  });

  test("a one-hour validation window, run by a role that may restore", () => {
    const selection = only(prod, "aws_backup_restore_testing_selection");
    expect(selection.validation_window_hours).toBe(1);
    const role = resources(prod, "aws_iam_role").find((r) => r.name === "zenml-hybrid-db-backup")!;
    expect(selection.iam_role_arn).toBe(`\${${addressOf(prod, "aws_iam_role", role)}.arn}`);
    expect(JSON.stringify(policyDocument(prod, role.assume_role_policy))).toContain("backup.amazonaws.com");
    const roleRef = `\${${addressOf(prod, "aws_iam_role", role)}.name}`;
    expect(resources(prod, "aws_iam_role_policy_attachment").filter((a) => a.role === roleRef).map((a) => a.policy_arn)).toContain(
      "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    );
  });
});

describe("a snapshot before every migration", () => {
  const prod = synth("prod");
  const step = only(prod, "terraform_data");
  const stepAddress = addressOf(prod, "terraform_data", step);

  test("the step is terraform_data without cdktf's synth-time `terraform version` check; the terraform block holds only blocks (checkov's terraform_json parser scans nothing of a file with a plain value there)", () => {
    for (const [key, value] of Object.entries(prod.terraform as Record<string, unknown>)) expect([key, typeof value]).toEqual([key, "object"]);
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const step = new PreMigrationSnapshot(stack, "snapshot", {
      version: "1.0.0", region: "eu-central-1", dbInstanceIdentifier: "db", clusterName: "c", serviceName: "s", containerName: "n",
    });
    const cdktfOwn = new DataResource(stack, "cdktf");
    // As on a machine without terraform: the command fails. (The module object cdktf calls through, not an import copy.)
    const childProcess: typeof import("child_process") = require("child_process");
    const execSync = jest.spyOn(childProcess, "execSync").mockImplementation(() => {
      throw new Error("terraform: not found");
    });
    try {
      expect(step.step.node.validate()).toEqual([]);
      expect(execSync).not.toHaveBeenCalled();
      // cdktf's own class carries the check that runs `terraform version` (the reason ours exists).
      expect(cdktfOwn.node.validate().join("\n")).toContain("Could not determine version of terraform");
      expect(execSync).toHaveBeenCalledWith("terraform version", expect.anything());
    } finally {
      execSync.mockRestore();
    }
  });

  test("the step is replaced exactly when zenml.version changes, and the task definition waits for it", () => {
    expect(step.triggers_replace).toEqual({ version: "0.84.3" });
    expect(step.input).toEqual({ version: "0.84.3" });
    const taskDefinition = only(prod, "aws_ecs_task_definition");
    expect(taskDefinition.depends_on).toEqual([stepAddress]);
    // The service rolls the task definition (its migration container runs first in every task).
    const service = only(prod, "aws_ecs_service");
    expect(service.task_definition).toBe(`\${${addressOf(prod, "aws_ecs_task_definition", taskDefinition)}.arn}`);
    const bumped = synth("prod", (d) => (d.zenml.version = "0.85.0"));
    expect(only(bumped, "terraform_data").triggers_replace).toEqual({ version: "0.85.0" });
    expect(JSON.parse(only(bumped, "aws_ecs_task_definition").container_definitions).map((c: any) => c.image)).toEqual(
      expect.arrayContaining([expect.stringMatching(/:0\.85\.0$/)]),
    );
  });

  test("the provisioner snapshots this environment's database, reading the running version from its service", () => {
    const [provisioner] = step.provisioner;
    const command: string = provisioner["local-exec"].command;
    expect(command).toBe(
      `node "\${path.module}/pre-migration-snapshot.js" --region eu-central-1 --db-instance \${${addressOf(prod, "aws_db_instance", only(prod, "aws_db_instance"))}.identifier} --cluster zenml-hybrid --service zenml-server --container zenml-server --to \${self.input.version}`,
    );
    expect(only(prod, "aws_ecs_service").name).toBe("zenml-server");
    expect(only(prod, "aws_ecs_cluster").name).toBe("zenml-hybrid");
    expect(JSON.parse(only(prod, "aws_ecs_task_definition").container_definitions).map((c: any) => c.name)).toContain("zenml-server");
    // Not a Terraform-managed snapshot: nothing a later plan could delete.
    expect(resources(prod, "aws_db_snapshot")).toEqual([]);
  });
});

describe("scripts/snapshot: the pre-migration snapshot step", () => {
  const ecs = mockClient(ECSClient);
  const rds = mockClient(RDSClient);
  const request: SnapshotRequest = {
    region: "eu-central-1", dbInstance: "zenml-hybrid-db", cluster: "zenml-hybrid", service: "zenml-server", container: "zenml-server", to: "0.85.0", maxWaitSeconds: 60,
  };
  const clients = () => ({ ecs: new ECSClient({ region: "eu-central-1" }), rds: new RDSClient({ region: "eu-central-1" }) });
  const running = (image: string) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: "ACTIVE", taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/zenml-hybrid:7" }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: "migrate-database", image }, { name: "zenml-server", image }] } });
  };
  beforeEach(() => {
    ecs.reset();
    rds.reset();
  });

  test("identifiers follow RDS's rules and name both versions", () => {
    expect(versionSlug("0.84.3")).toBe("0-84-3");
    expect(versionSlug("0.85.0rc1")).toBe("0-85-0rc1");
    expect(versionSlug("1.0.0+Build.7")).toBe("1-0-0-build-7");
    expect(snapshotIdentifier("zenml-hybrid-db", "0.84.3", "0.85.0")).toBe("zenml-hybrid-db-0-84-3-to-0-85-0");
    expect(snapshotIdentifier("zenml-hybrid-db", "0.84.3", "0.85.0", "20261203t114300z")).toBe("zenml-hybrid-db-0-84-3-to-0-85-0-20261203t114300z");
    const long = snapshotIdentifier("a".repeat(60), "1.".repeat(100), "2.".repeat(100));
    expect(long.length).toBeLessThanOrEqual(255);
    expect(long).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
    expect(imageTag("715803424590.dkr.ecr.eu-central-1.amazonaws.com/zenml-pro-server:0.84.3")).toBe("0.84.3");
    expect(imageTag("registry:5000/zenml:0.84.3@sha256:abc")).toBe("0.84.3");
    expect(imageTag("registry:5000/zenml")).toBeUndefined();
  });

  test("first deploy: no service yet, no snapshot", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
    await expect(takePreMigrationSnapshot(clients(), request)).resolves.toEqual({ taken: false, reason: expect.stringMatching(/first deploy/) });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  test("first deploy: no cluster yet, no snapshot", async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error("Cluster not found."), { name: "ClusterNotFoundException" }));
    await expect(takePreMigrationSnapshot(clients(), request)).resolves.toMatchObject({ taken: false });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  test("same version (the step was replaced for another reason): no snapshot", async () => {
    running("repo/zenml-pro-server:0.85.0");
    await expect(takePreMigrationSnapshot(clients(), request)).resolves.toMatchObject({ taken: false });
    expect(rds.commandCalls(CreateDBSnapshotCommand)).toHaveLength(0);
  });

  test("a version change snapshots <db>-<old>-to-<new>, tagged, and waits until it is available", async () => {
    running("repo/zenml-pro-server:0.84.3");
    rds.on(DescribeDBSnapshotsCommand, { DBSnapshotIdentifier: "zenml-hybrid-db-0-84-3-to-0-85-0", SnapshotType: undefined })
      .rejectsOnce(Object.assign(new Error("not found"), { name: "DBSnapshotNotFoundFault" }))
      .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: "zenml-hybrid-db-0-84-3-to-0-85-0", Status: "available" }] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    await expect(takePreMigrationSnapshot(clients(), request)).resolves.toEqual({ taken: true, identifier: "zenml-hybrid-db-0-84-3-to-0-85-0", from: "0.84.3", to: "0.85.0" });
    const [create] = rds.commandCalls(CreateDBSnapshotCommand);
    expect(create.args[0].input).toEqual({
      DBInstanceIdentifier: "zenml-hybrid-db",
      DBSnapshotIdentifier: "zenml-hybrid-db-0-84-3-to-0-85-0",
      Tags: [
        { Key: "zenml:purpose", Value: "pre-migration" },
        { Key: "zenml:from-version", Value: "0.84.3" },
        { Key: "zenml:to-version", Value: "0.85.0" },
      ],
    });
    // Checked for an earlier one, then polled by the waiter until available.
    expect(rds.commandCalls(DescribeDBSnapshotsCommand).length).toBeGreaterThanOrEqual(2);
  });

  test("the same upgrade again keeps the earlier snapshot and names the new one by time", async () => {
    running("repo/zenml-pro-server:0.84.3");
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [{ Status: "available" }] });
    rds.on(CreateDBSnapshotCommand).resolves({});
    const result = await takePreMigrationSnapshot(clients(), request, new Date("2026-12-03T11:43:00.123Z"));
    expect(result).toMatchObject({ taken: true, identifier: "zenml-hybrid-db-0-84-3-to-0-85-0-20261203t114300" });
  });

  test("a failed snapshot fails the step (the deploy stops before migrating)", async () => {
    running("repo/zenml-pro-server:0.84.3");
    rds.on(DescribeDBSnapshotsCommand).rejects(Object.assign(new Error("not found"), { name: "DBSnapshotNotFoundFault" }));
    rds.on(CreateDBSnapshotCommand).rejects(Object.assign(new Error("quota exceeded"), { name: "SnapshotQuotaExceededFault" }));
    await expect(takePreMigrationSnapshot(clients(), request)).rejects.toThrow("quota exceeded");
  });

  test("bad arguments are usage errors", () => {
    const args = ["--region", "eu-central-1", "--db-instance", "d", "--cluster", "c", "--service", "s", "--container", "n", "--to", "1.0"];
    expect(parseSnapshotArgs(args)).toEqual({ region: "eu-central-1", dbInstance: "d", cluster: "c", service: "s", container: "n", to: "1.0", maxWaitSeconds: 3600 });
    expect(() => parseSnapshotArgs(args.slice(2))).toThrow(new UsageError("missing --region"));
    expect(() => parseSnapshotArgs([...args, "--force"])).toThrow(UsageError);
    expect(() => parseSnapshotArgs([...args, "--max-wait-seconds", "0"])).toThrow("--max-wait-seconds must be a positive integer");
  });
});
