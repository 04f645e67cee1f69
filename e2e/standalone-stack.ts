/**
 * The stack folder stands alone (docs/operations.md "What an apply runner needs"): a synthesized dev
 * stack folder is copied to a new temporary directory outside the repository and applied there with
 * nothing from the repository (no ZENML_APP_DIR, no dist/, no node_modules on the way up); then the
 * same for `zenml.version` bumped, from a second fresh copy (state from the S3 backend), whose
 * pre-migration snapshot step (the bundled `pre-migration-snapshot.js` beside `cdk.tf.json`) must take
 * `<db>-<old>-to-<new>` on moto. Destroyed at the end.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { PRE_MIGRATION_SNAPSHOT_FILE } from "../modules/pre-migration-snapshot";
import { createFixtures, readConfigDir, RawConfig } from "./fixtures";
import { Aws, log, MotoServer, REPO, synth, workDir } from "./harness";
import { REPORTS, StackReport, StackRun, timed } from "./scenarios";

const GROUP = { label: "standalone", dir: path.join(REPO, "config") };
const NAME = "standalone";

/** The shipped dev file as environment `standalone` (enhanced monitoring off: moto does not store it). */
function standaloneFile(version: string): RawConfig {
  const dev = JSON.parse(fs.readFileSync(path.join(REPO, "config", "dev.json"), "utf8")) as RawConfig;
  return {
    ...dev,
    name: NAME,
    zenml: { ...dev.zenml, version },
    dns: { ...dev.dns, domainName: `${NAME}.mycompany.com` },
    database: { ...dev.database, monitoringIntervalSeconds: 0 },
  };
}

function fail(message: string): never {
  throw new Error(`standalone: ${message}`);
}

export async function runStandaloneStack(): Promise<void> {
  const dir = path.join(workDir(), NAME);
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start(NAME, path.join(dir, "moto.log"));
  const aws = new Aws(moto.endpoint, standaloneFile("0").region as string);
  const copies: string[] = [];
  let report: StackReport | undefined;
  let current: StackRun | undefined;
  // Nothing may point back into the repository: the step's command must not need it.
  delete process.env.ZENML_APP_DIR;
  /** Synthesizes `version` in the work dir, copies the stack folder to a new temp dir outside the repo, and returns its run. */
  const copiedRun = async (version: string, fixtures: { configDir: string; created: string[] }): Promise<StackRun> => {
    const configDir = path.join(dir, `config-${version}`);
    const outDir = path.join(dir, `out-${version}`);
    fs.rmSync(configDir, { recursive: true, force: true });
    fs.mkdirSync(configDir, { recursive: true });
    const file = readConfigDir(fixtures.configDir)[NAME];
    fs.writeFileSync(path.join(configDir, `${NAME}.json`), `${JSON.stringify({ ...file, zenml: { ...file.zenml, version } }, null, 2)}\n`);
    await synth(configDir, outDir, path.join(dir, "synth.log"));
    const copyRoot = fs.mkdtempSync(path.join(os.tmpdir(), "zenml-copied-stack-"));
    copies.push(copyRoot);
    if (!path.relative(REPO, copyRoot).startsWith("..")) fail(`${copyRoot} is inside the repository`);
    const copied = path.join(copyRoot, "out", "stacks", NAME);
    fs.cpSync(path.join(outDir, "stacks", NAME), copied, { recursive: true });
    const files = fs.readdirSync(copied).sort();
    if (files.join(",") !== ["cdk.tf.json", "policy", PRE_MIGRATION_SNAPSHOT_FILE].sort().join(",")) fail(`the stack folder holds ${files.join(", ")}`);
    const command = JSON.stringify(JSON.parse(fs.readFileSync(path.join(copied, "cdk.tf.json"), "utf8")).resource.terraform_data);
    if (/\.\.\/|ZENML_APP_DIR|dist\//.test(command)) fail(`the pre-migration step still reaches outside its folder: ${command}`);
    const config = loadEnvironments(configDir).find((c) => c.envName === NAME)!;
    return new StackRun(GROUP, NAME, config, path.join(copyRoot, "out"), moto, aws, false, fixtures.created);
  };
  const snapshots = async () =>
    ((await aws.call("rds", "describe_db_snapshots", { DBInstanceIdentifier: `${NAME}-db`, SnapshotType: "manual" })).DBSnapshots as any[])
      .map((s) => `${s.DBSnapshotIdentifier} ${s.Status}`)
      .sort();
  try {
    const sourceDir = path.join(dir, "config-source");
    fs.mkdirSync(sourceDir, { recursive: true });
    fs.writeFileSync(path.join(sourceDir, `${NAME}.json`), `${JSON.stringify(standaloneFile("0.84.3"), null, 2)}\n`);
    const fixtures = await createFixtures(aws, sourceDir, [NAME], path.join(dir, "config-fixtures"));

    current = await copiedRun("0.84.3", fixtures);
    report = current.report;
    await current.apply();
    if ((await snapshots()).length !== 0) fail(`the first deploy took a snapshot: ${(await snapshots()).join(", ")}`);
    report.checks.push(`a copy of the stack folder in ${path.dirname(path.dirname(current.tf.dir))} (outside the repository, no ZENML_APP_DIR) applied; first deploy: no snapshot`);

    const next = await copiedRun("0.85.0", fixtures);
    await timed(report, "upgrade 0.84.3 → 0.85.0 from a second copy", () => next.apply());
    current = next;
    const expected = `${NAME}-db-0-84-3-to-0-85-0 available`;
    const now = await snapshots();
    if (!now.includes(expected)) fail(`after the upgrade the snapshots of ${NAME}-db are [${now.join(", ")}], expected ${expected}`);
    report.checks.push(`upgrade from a fresh copy: the bundled ${PRE_MIGRATION_SNAPSHOT_FILE} took ${expected}`);
    await current.destroy();
    report.status = "passed";
    log(NAME, "copied stack folder applied, snapshot taken on the version bump, destroyed");
    // Kept when something failed: the copies hold the terraform logs.
    for (const c of copies) fs.rmSync(c, { recursive: true, force: true });
  } catch (e) {
    if (report) report.error = (e as Error).message;
    throw e;
  } finally {
    if (report) REPORTS.push(report);
    aws.close();
    await moto.stop();
  }
}
