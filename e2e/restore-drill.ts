/**
 * The restore drill of docs/operations.md ("Runbook: restore into a new environment") and the
 * pre-migration snapshots (docs/operations.md "Upgrade"), on one moto server:
 *
 * 1. apply environment A (the shipped dev file, renamed `drill-a`); bump `zenml.version` twice: each
 *    deploy takes `<db>-<old>-to-<new>` before the new task definition, and the second keeps the first;
 * 2. put a canary value into A's secrets-store key (the value the restored database needs);
 * 3. runbook step 1: a snapshot of A's database is the recovery point;
 * 4. runbook step 2: environment B (`drill-b`) references A's key and OAuth2 secret by ARN
 *    (`zenml.secretsStoreKeySecretArn`, `oauth2ClientSecretArn`, their KMS key from `describe-key`); apply;
 * 5. runbook step 3: copy the snapshot under B's KMS key, restore it into B's subnet group and RDS group;
 * 6. runbook step 4: `terraform state rm` the empty instance, delete it, rename the restored one,
 *    `terraform import`, apply the instance alone (`-target`), plan (no replacement), apply;
 * 7. runbook step 5: B's task definition injects A's key by bare ARN and it resolves to the canary;
 *    the second plan of B is empty but for the documented emulator gaps; destroy B, then A.
 *
 * The API calls are those of the runbook's AWS CLI commands (boto3 through e2e/aws.py).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { createFixtures, readConfigDir, RawConfig } from "./fixtures";
import { Aws, log, MotoServer, REPO, synth, workDir } from "./harness";
import { REPORTS, StackReport, StackRun, timed } from "./scenarios";

const GROUP = { label: "drill", dir: path.join(REPO, "config") };
const A = "drill-a";
const B = "drill-b";

/** The shipped dev file as environment `name` (own names, domain and state key). */
function drillFile(name: string, version: string): RawConfig {
  const dev = JSON.parse(fs.readFileSync(path.join(REPO, "config", "dev.json"), "utf8")) as RawConfig;
  // Enhanced monitoring off: moto does not store it (e2e/emulator-gaps.ts), so every apply would modify the
  // instance again and wait ~80 s for it; the drill is about the runbook, not monitoring.
  return {
    ...dev,
    name,
    zenml: { ...dev.zenml, version },
    dns: { ...dev.dns, domainName: `${name}.mycompany.com` },
    database: { ...dev.database, monitoringIntervalSeconds: 0 },
  };
}

function writeDir(dir: string, files: Record<string, RawConfig>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

function fail(message: string): never {
  throw new Error(`drill: ${message}`);
}

export async function runRestoreDrill(): Promise<void> {
  const dir = path.join(workDir(), "drill");
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start("drill", path.join(dir, "moto.log"));
  const region = drillFile(A, "0").region as string;
  const aws = new Aws(moto.endpoint, region);
  const runs: StackRun[] = [];
  /** One report per environment: A's upgrades are steps of A's first run's report. */
  let firstA: StackReport | undefined;
  const reports = (): StackReport[] => [...(firstA ? [firstA] : []), ...runs.filter((r) => r.name === B).map((r) => r.report)];
  /** Synthesizes `files` (patched with the fixtures) and returns the run of `stack` from that output. */
  const synthRun = async (label: string, files: Record<string, RawConfig>, stack: string, fixtures: string[]): Promise<StackRun> => {
    const configDir = path.join(dir, `config-${label}`);
    const outDir = path.join(dir, `out-${label}`);
    writeDir(configDir, files);
    await synth(configDir, outDir, path.join(dir, "synth.log"));
    const config = loadEnvironments(configDir).find((c) => c.envName === stack)!;
    return new StackRun(GROUP, stack, config, outDir, moto, aws, false, fixtures);
  };
  try {
    // Fixtures (state bucket, imported certificate) for A; B reuses them.
    const sourceDir = path.join(dir, "config-source");
    writeDir(sourceDir, { [A]: drillFile(A, "0.84.3") });
    const fixtures = await createFixtures(aws, sourceDir, [A], path.join(dir, "config-fixtures"));
    const a0 = readConfigDir(fixtures.configDir)[A];
    const withVersion = (v: string): RawConfig => ({ ...a0, zenml: { ...a0.zenml, version: v } });

    // 1. A at 0.84.3, then two upgrades: each one snapshots before rolling out, none deletes an earlier one.
    let a = await synthRun("a-0.84.3", { [A]: withVersion("0.84.3") }, A, fixtures.created);
    const reportA = a.report;
    firstA = reportA;
    runs.push(a);
    await a.apply();
    const snapshotsOfA = async () =>
      ((await aws.call("rds", "describe_db_snapshots", { DBInstanceIdentifier: `${A}-db`, SnapshotType: "manual" })).DBSnapshots as any[])
        .map((s) => `${s.DBSnapshotIdentifier} ${s.Status}`).sort();
    if ((await snapshotsOfA()).length !== 0) fail(`the first deploy took a snapshot: ${(await snapshotsOfA()).join(", ")}`);
    reportA.checks.push("first deploy: no pre-migration snapshot (no service ran a version before)");
    for (const [from, to] of [["0.84.3", "0.85.0"], ["0.85.0", "0.85.1"]]) {
      // A fresh synth directory, as a new checkout would be: init reads the state from the S3 backend.
      const next = await synthRun(`a-${to}`, { [A]: withVersion(to) }, A, fixtures.created);
      await timed(reportA, `upgrade ${from} → ${to}`, () => next.apply());
      a = next;
      const expected = `${A}-db-${from.replace(/\./g, "-")}-to-${to.replace(/\./g, "-")} available`;
      const now = await snapshotsOfA();
      if (!now.includes(expected)) fail(`after the upgrade ${from} → ${to} the snapshots of ${A}-db are [${now.join(", ")}], expected ${expected}`);
      reportA.checks.push(`upgrade ${from} → ${to}: snapshot ${expected}; all pre-migration snapshots kept: ${now.join(", ")}`);
    }
    if ((await snapshotsOfA()).length !== 2) fail(`expected exactly the two pre-migration snapshots, found ${(await snapshotsOfA()).join(", ")}`);
    runs[0] = a;

    // 2. The canary: the key value the restored database's ZenML secrets are encrypted with.
    const canary = `drill-canary-${randomBytes(16).toString("hex")}`;
    const oldKeyArn = String(a.outputs.secrets_store_key_arn);
    await aws.call("secretsmanager", "put_secret_value", { SecretId: oldKeyArn, SecretString: canary });

    // Runbook step 1: the recovery point (here a snapshot taken for the drill).
    const recoveryPoint = `${A}-db-drill`;
    await aws.call("rds", "create_db_snapshot", { DBInstanceIdentifier: `${A}-db`, DBSnapshotIdentifier: recoveryPoint });

    // Runbook step 2: B references A's key and OAuth2 secret; their KMS key by `aws kms describe-key --key-id alias/<old-name>`.
    const oldKms = String((await aws.call("kms", "describe_key", { KeyId: `alias/${A}` })).KeyMetadata.Arn);
    const bFile: RawConfig = {
      ...a0,
      name: B,
      dns: { ...a0.dns, domainName: `${B}.mycompany.com` },
      zenml: {
        ...a0.zenml,
        version: "0.85.1",
        secretsStoreKeySecretArn: oldKeyArn,
        secretsStoreKeyKmsKeyArn: oldKms,
        oauth2ClientSecretArn: String(a.outputs.oauth2_secret_arn),
        oauth2ClientSecretKmsKeyArn: oldKms,
      },
    };
    const b = await synthRun("b", { [A]: withVersion("0.85.1"), [B]: bFile }, B, fixtures.created);
    runs.push(b);
    await b.apply();

    // Runbook step 3: copy the recovery point under B's key, restore it into B's subnet group and RDS group.
    const newKms = String((await aws.call("kms", "describe_key", { KeyId: `alias/${B}` })).KeyMetadata.Arn);
    const rdsGroup = (await aws.call("ec2", "describe_security_groups", { Filters: [{ Name: "group-name", Values: [`${B}-rds`] }] })).SecurityGroups[0].GroupId as string;
    await timed(b.report, "runbook step 3: copy and restore", async () => {
      await aws.call("rds", "copy_db_snapshot", { SourceDBSnapshotIdentifier: recoveryPoint, TargetDBSnapshotIdentifier: `${B}-db-restore`, KmsKeyId: newKms });
      await aws.call("rds", "restore_db_instance_from_db_snapshot", {
        DBSnapshotIdentifier: `${B}-db-restore`,
        DBInstanceIdentifier: `${B}-db-restored`,
        DBSubnetGroupName: `${B}-db`,
        VpcSecurityGroupIds: [rdsGroup],
        PubliclyAccessible: false,
      });
    });

    // Runbook step 4: swap the restored instance in.
    const address = Object.keys(b.stackJson.resource?.aws_db_instance ?? {}).map((n) => `aws_db_instance.${n}`)[0];
    await timed(b.report, "runbook step 4: swap", async () => {
      await b.tf.terraformOk(["state", "rm", "-no-color", address]);
      await aws.call("rds", "delete_db_instance", { DBInstanceIdentifier: `${B}-db`, SkipFinalSnapshot: true });
      await aws.call("rds", "modify_db_instance", { DBInstanceIdentifier: `${B}-db-restored`, NewDBInstanceIdentifier: `${B}-db`, ApplyImmediately: true });
      await b.tf.terraformOk(["import", "-input=false", "-no-color", address, `${B}-db`]);
      // The instance alone first: it turns on the RDS-managed password under B's key, which gives the
      // master secret a new ARN that the task definition and the rotation rule then take in the full deploy.
      await b.tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color", `-target=${address}`]);
      await b.tf.terraformOk(["plan", "-input=false", "-no-color", "-out=drill-swap.tfplan"], [0, 2]);
      const plan = JSON.parse((await b.tf.terraformOk(["show", "-json", "-no-color", "drill-swap.tfplan"])).stdout);
      // A new task-definition revision is expected (it references the restored instance's master secret);
      // anything else must change in place, the database above all.
      const replaced = (plan.resource_changes ?? [])
        .filter((c: any) => c.change.actions.includes("delete") && c.type !== "aws_ecs_task_definition")
        .map((c: any) => c.address);
      if (replaced.length > 0) fail(`the plan after the import deletes or replaces ${replaced.join(", ")}; the runbook promises in-place changes and a new task definition only`);
      const dbChange = (plan.resource_changes ?? []).find((c: any) => c.address === address)?.change.actions ?? [];
      if (!dbChange.every((a: string) => a === "update" || a === "no-op")) fail(`the plan after the import does ${dbChange.join("+")} on ${address}`);
      await b.tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color", "drill-swap.tfplan"]);
    });
    b.report.checks.push(`runbook steps 3-4: ${recoveryPoint} copied under B's key, restored into ${B}-db (subnet group) and ${rdsGroup}, renamed to ${B}-db, imported; plan without replacement`);

    // Runbook step 5: the tasks read A's key (current value, no version pin).
    const db = (await aws.call("rds", "describe_db_instances", { DBInstanceIdentifier: `${B}-db` })).DBInstances[0];
    if (db.KmsKeyId !== newKms && !String(newKms).endsWith(String(db.KmsKeyId))) fail(`restored ${B}-db is encrypted with ${db.KmsKeyId}, not B's key ${newKms}`);
    if (db.DBSubnetGroup?.DBSubnetGroupName !== `${B}-db`) fail(`restored ${B}-db is in subnet group ${db.DBSubnetGroup?.DBSubnetGroupName}`);
    const family = (await aws.call("ecs", "describe_services", { cluster: B, services: ["zenml-server"] })).services[0].taskDefinition as string;
    const taskDefinition = (await aws.call("ecs", "describe_task_definition", { taskDefinition: family })).taskDefinition;
    for (const container of ["zenml-server", "migrate-database"]) {
      const secrets = (taskDefinition.containerDefinitions as any[]).find((c) => c.name === container).secrets as Array<{ name: string; valueFrom: string }>;
      const key = secrets.find((s) => s.name === "ZENML_SECRETS_STORE_ENCRYPTION_KEY");
      if (key?.valueFrom !== oldKeyArn) fail(`${container} of ${family} takes ZENML_SECRETS_STORE_ENCRYPTION_KEY from ${key?.valueFrom}, not A's key ${oldKeyArn} (bare ARN)`);
      const value = (await aws.call("secretsmanager", "get_secret_value", { SecretId: key.valueFrom })).SecretString;
      if (value !== canary) fail(`${container}: ZENML_SECRETS_STORE_ENCRYPTION_KEY resolves to a value other than the canary put into A's key`);
    }
    b.report.checks.push(`B's task definition ${family.split("/").pop()} injects ZENML_SECRETS_STORE_ENCRYPTION_KEY from A's key by bare ARN; it resolves to the canary put after A's deploy`);
    await b.secondPlan();
    log("drill", "restored into B with A's key; second plan of B clean");

    // Teardown: B, then A (A's pre-migration snapshots are not in any state: they outlive both).
    await b.destroy();
    await a.destroy();
    reportA.checks.push(...a.report.checks.filter((c) => !reportA.checks.includes(c)));
    if ((await snapshotsOfA()).filter((s) => s.includes("-to-")).length !== 2) fail("a destroy removed a pre-migration snapshot");
    reportA.checks.push("pre-migration snapshots still there after both environments were destroyed");
    reports().forEach((r) => (r.status = "passed"));
  } catch (e) {
    for (const r of reports()) r.error = (e as Error).message;
    throw e;
  } finally {
    REPORTS.push(...reports());
    aws.close();
    await moto.stop();
  }
}
