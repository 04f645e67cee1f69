/**
 * The lifecycles the suite runs against moto:
 *
 * - {@link runComponent}: environment/platform stacks that depend on each other (or one stack alone)
 *   share one moto server: fixtures, synth, then per stack init → validate → apply → API assertions →
 *   secret-in-state check → second plan against the allow-list; protected stacks are shown protected
 *   (deletion protection through the API; a destroy refused at plan time by prevent_destroy, leaving
 *   every resource in place) and unprotected the documented way; then destroy in reverse dependency order.
 * - {@link runBootstrap}: the state-bootstrap stack: apply, bucket checks, destroy refused by
 *   prevent_destroy, removal with a test-only override.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import type { AnyConfig } from "../lib/config/schema";
import { assertEnvironment, assertPlatform, assertStateBuckets, isGone, Outputs } from "./assertions";
import { AcceptedChange, checkSecondPlan } from "./emulator-gaps";
import { runVerifyStep } from "./verify-step";
import { createFixtures, writeUnprotectedConfigDir } from "./fixtures";
import {
  ALLOW_DESTROY_OVERRIDE_FILE,
  applySummary,
  Aws,
  destroySummary,
  log,
  Manifest,
  MotoServer,
  readStack,
  REPO,
  RunResult,
  StackDir,
  StackJson,
  synth,
  tail,
  workDir,
  writeEmulatorOverride,
} from "./harness";

/** What the report says about one stack. */
export interface StackReport {
  group: string;
  stack: string;
  kind: "workspace" | "platform" | "bootstrap";
  via: "terraform" | "cdktf";
  status: "passed" | "failed";
  error?: string;
  resources?: number;
  applyMs?: number;
  unprotectApplyMs?: number;
  destroyMs?: number;
  fixtures: string[];
  endpoints: string[];
  checks: string[];
  accepted: AcceptedChange[];
  deferredReads: string[];
  drift: string[];
  steps: Array<{ step: string; ms: number }>;
}

/** Every stack report of this run, in completion order. */
export const REPORTS: StackReport[] = [];

/**
 * `terraform show -json` of each stack's second plan, written next to its cdk.tf.json
 * (`<E2E_WORK_DIR>/<group>/<stacks>/out/stacks/<stack>/`); scripts/checkov-scan.sh scans config/dev's.
 */
export const SECOND_PLAN_JSON = "e2e-second.plan.json";

/** A config directory: `config/` or `examples/<name>/config`. */
export interface ConfigGroup {
  /** "config", "examples/byo-network". */
  readonly label: string;
  readonly dir: string;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");

/** Stack names in dependency levels (each level only depends on earlier ones). */
export function dependencyLevels(manifest: Manifest, stacks: readonly string[]): string[][] {
  const remaining = new Set(stacks);
  const done = new Set<string>();
  const levels: string[][] = [];
  while (remaining.size > 0) {
    const level = [...remaining].filter((s) => manifest.stacks[s].dependencies.every((d) => done.has(d) || !stacks.includes(d))).sort();
    if (level.length === 0) throw new Error(`dependency cycle among ${[...remaining].join(", ")}`);
    level.forEach((s) => {
      remaining.delete(s);
      done.add(s);
    });
    levels.push(level);
  }
  return levels;
}

/** Groups the environment stacks of a manifest into connected components (by cdktf dependencies). */
export function components(manifest: Manifest, exclude: readonly string[]): string[][] {
  const names = Object.keys(manifest.stacks).filter((s) => !exclude.includes(s));
  const parent = new Map(names.map((s) => [s, s]));
  const find = (s: string): string => (parent.get(s) === s ? s : find(parent.get(s)!));
  for (const s of names) for (const d of manifest.stacks[s].dependencies) if (parent.has(d)) parent.set(find(s), find(d));
  const byRoot = new Map<string, string[]>();
  for (const s of names) byRoot.set(find(s), [...(byRoot.get(find(s)) ?? []), s]);
  return [...byRoot.values()].map((c) => c.sort());
}

export async function timed<T>(report: StackReport, step: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    report.steps.push({ step, ms: Date.now() - t0 });
  }
}

async function settleAll(promises: Array<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as Error);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(errors.map((e) => e.message).join("\n\n"));
}

/** One stack of a component, in its own directory of the component's synthesized output. */
export class StackRun {
  readonly report: StackReport;
  readonly tf: StackDir;
  outputs: Outputs = {};
  stackJson: StackJson;
  /** The OAuth2 client secret passed at deploy time (TF_VAR_<variable>), for stacks that take it so. */
  readonly deployTimeSecret?: { readonly variable: string; readonly value: string };

  constructor(
    readonly group: ConfigGroup,
    readonly name: string,
    readonly config: AnyConfig,
    readonly outDir: string,
    readonly moto: MotoServer,
    readonly aws: Aws,
    readonly viaCdktf: boolean,
    fixtures: string[],
  ) {
    const dir = path.join(outDir, "stacks", name);
    // A workspace that takes its OAuth2 client secret at deploy time gets a known value through TF_VAR_…
    const variable = config.kind === "workspace" ? config.zenml.oauth2ClientSecretVariable : undefined;
    if (variable) this.deployTimeSecret = { variable, value: `e2e-deploy-time-oauth2-${randomBytes(12).toString("hex")}` };
    this.tf = new StackDir(
      `${group.label}/${name}`,
      dir,
      moto,
      path.join(path.dirname(outDir), `${name}.log`),
      this.deployTimeSecret ? { [`TF_VAR_${this.deployTimeSecret.variable}`]: this.deployTimeSecret.value } : {},
    );
    this.stackJson = readStack(dir);
    this.report = {
      group: group.label,
      stack: name,
      kind: config.kind,
      via: viaCdktf ? "cdktf" : "terraform",
      status: "failed",
      fixtures,
      endpoints: [],
      checks: [],
      accepted: [],
      deferredReads: [],
      drift: [],
      steps: [],
    };
  }

  get scope(): string {
    return this.tf.scope;
  }

  get protectedResources(): string[] {
    if (this.config.kind !== "workspace") return [];
    return [
      ...(this.config.database.deletionProtection ? ["RDS"] : []),
      ...(this.config.loadBalancer.deletionProtection ? ["ALB"] : []),
      ...(this.config.protected ? ["prevent_destroy"] : []),
    ];
  }

  /** The S3 object holding this stack's state. */
  get stateObject(): { bucket: string; key: string; region: string } {
    const b = this.stackJson.terraform.backend?.s3 as { bucket: string; key: string; region: string } | undefined;
    if (!b) throw new Error(`${this.scope}: no S3 backend`);
    return b;
  }

  private cdktfArgs(command: string): string[] {
    return [command, this.name, "--skip-synth", "--output", this.outDir, "--no-color", "--disable-plugin-cache-env"];
  }

  /** init, validate, apply, outputs. */
  async apply(): Promise<void> {
    this.report.endpoints = writeEmulatorOverride(this.tf.dir, this.moto.endpoint);
    await timed(this.report, "init", () => this.tf.terraformOk(["init", "-input=false", "-no-color"]));
    await timed(this.report, "validate", () => this.tf.terraformOk(["validate", "-no-color"]));
    const out: RunResult & { created?: number } = await timed(this.report, this.viaCdktf ? "cdktf deploy" : "apply", async () =>
      this.applyRecoveringDuplicateRule(),
    );
    this.report.applyMs = out.ms;
    this.report.resources = out.created ?? applySummary(out.stdout).added;
    log(this.scope, `applied ${this.report.resources} resources in ${(out.ms / 1000).toFixed(0)}s`);
    const o = await this.tf.terraformOk(["output", "-json", "-no-color"]);
    this.outputs = Object.fromEntries(Object.entries(JSON.parse(o.stdout) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
  }

  /**
   * `terraform apply`, recovering from one known emulator flake: under load moto sometimes answers a
   * retried create with "already exists" although the first request created the resource (the SDK
   * retries a request whose answer it did not get). Seen in CI with 3-4 stacks in parallel on 2 cores:
   * AuthorizeSecurityGroupIngress/Egress answered InvalidPermission.Duplicate (twice, once on the shipped
   * dev stack through `cdktf deploy`), and CreateDBInstance answered DBInstanceAlreadyExists (once, on
   * the shipped dev stack through `cdktf deploy`, 2026-12-07; the same job passed alone). The resource
   * then exists in moto but not in the state; it is imported and the apply is run again. Any other
   * failure, or a second one, fails the test.
   */
  private async applyRecoveringDuplicateRule(): Promise<RunResult & { created: number }> {
    const args = ["apply", "-auto-approve", "-input=false", "-no-color"];
    const deploy = [...this.cdktfArgs("deploy"), "--auto-approve"];
    const apply = (): Promise<RunResult> =>
      this.viaCdktf ? this.tf.cdktf(deploy).catch((e: Error & { result?: RunResult }) => e.result ?? Promise.reject(e)) : this.tf.terraform(args);
    const first = await apply();
    const created = (o: string) => (o.match(/: Creation complete after /g) ?? []).length;
    if (first.code === 0) return { ...first, created: applySummary(first.stdout).added };
    const output = first.stdout + first.stderr;
    const resources = this.stackJson.resource as Record<string, Record<string, any>>;
    const rule = /InvalidPermission\.Duplicate[\s\S]*?with (aws_security_group_rule\.[A-Za-z0-9_-]+)/.exec(output);
    const db = /DBInstanceAlreadyExists[\s\S]*?with (aws_db_instance\.[A-Za-z0-9_-]+)/.exec(output);
    if (!rule && !db) {
      const what = this.viaCdktf ? "cdktf deploy" : `terraform ${args.join(" ")}`;
      throw new Error(`${what} exited ${first.code} in ${this.tf.dir}:\n${tail(first.stderr || first.stdout)}\n(full log: ${this.tf.logFile})`);
    }
    let address: string;
    let importId: string;
    if (rule) {
      address = rule[1];
      const body = resources.aws_security_group_rule[address.split(".")[1]];
      const state = JSON.parse((await this.tf.terraformOk(["show", "-json", "-no-color"])).stdout);
      const ids = new Map<string, string>(
        (state.values?.root_module?.resources ?? []).map((r: { address: string; values: { id: string } }) => [r.address, r.values.id]),
      );
      const sg = (ref: string) => ids.get(/\$\{(aws_security_group\.[^.]+)\.id\}/.exec(ref)![1])!;
      const peer = body.cidr_blocks ? body.cidr_blocks.join("_") : sg(body.source_security_group_id);
      importId = [sg(body.security_group_id), body.type, body.protocol, body.from_port, body.to_port, peer].join("_");
    } else {
      address = db![1];
      // The provider imports a DB instance by its identifier (a literal in the synthesized stack).
      importId = resources.aws_db_instance[address.split(".")[1]].identifier;
      if (typeof importId !== "string" || importId.includes("${")) throw new Error(`${address}: no literal identifier to import after DBInstanceAlreadyExists:\n${tail(output)}`);
    }
    log(this.scope, `moto reported ${address} as a duplicate of itself (emulator flake): importing ${importId} and applying again`);
    await this.tf.terraformOk(["import", "-input=false", "-no-color", address, importId]);
    const second = this.viaCdktf ? await this.tf.cdktf(deploy) : await this.tf.terraformOk(args);
    return { ...second, ms: first.ms + second.ms, created: created(first.stdout) + 1 + applySummary(second.stdout).added };
  }

  /** API assertions. */
  async assert(): Promise<void> {
    const checks = await timed(this.report, "assert", () =>
      this.config.kind === "workspace"
        ? assertEnvironment(this.aws, this.config, this.stackJson, this.outputs)
        : assertPlatform(this.aws, this.config, this.outputs),
    );
    this.report.checks.push(...checks);
    log(this.scope, `${checks.length} API checks passed`);
  }

  /** Secret values the state must never contain: [what, value]. */
  private needles: Array<[string, string]> = [];
  /** The generated keys read after the first apply, by output name (they must survive later applies unchanged). */
  private generatedKeys = new Map<string, string>();

  /** Fails if a later apply wrote a new value into a generated key (the keys must be stable across deploys). */
  private async assertGeneratedKeysUnchanged(after: string): Promise<void> {
    for (const [output, value] of this.generatedKeys) {
      const now = await this.aws.call("secretsmanager", "get_secret_value", { SecretId: this.outputs[output] });
      if (now.SecretString !== value) throw new Error(`${this.scope}: the secret of output ${output} changed after ${after}; it must stay stable across deploys`);
    }
    if (this.generatedKeys.size > 0) this.report.checks.push(`JWT signing key and secrets-store key unchanged after ${after}`);
  }

  /** Fails if a needle is in `text` (`where` names it); records the check. */
  private assertNoSecrets(text: string, where: string): void {
    for (const [what, value] of this.needles) {
      if (text.includes(value)) throw new Error(`${this.scope}: ${what} is in ${where}`);
    }
    if (this.needles.length > 0) this.report.checks.push(`${this.needles.map(([w]) => w).join(" and ")} not in ${where}`);
  }

  /** The state object in S3 (the remote backend on moto), as text. */
  private async remoteState(): Promise<string> {
    const { bucket, key, region } = this.stateObject;
    const object = await this.aws.call("s3", "get_object", { Bucket: bucket, Key: key }, region);
    return String(object.Body);
  }

  /**
   * Puts a known value into the OAuth2 secret and reads the RDS master password; checks the state
   * object in S3 (remote backend, no lock file left behind). The refreshed state is checked in
   * {@link secondPlan} (its prior_state) and, for protected stacks, after the unprotecting apply.
   */
  async putSecrets(): Promise<void> {
    await timed(this.report, "secrets", async () => {
      if (this.config.kind === "workspace") {
        const oauth2Arn = this.config.zenml.oauth2ClientSecretArn ?? this.outputs.oauth2_secret_arn;
        if (this.deployTimeSecret) {
          // Written by the apply from the ephemeral variable (secret_string_wo): in Secrets Manager, nowhere else.
          const written = await this.aws.call("secretsmanager", "get_secret_value", { SecretId: oauth2Arn });
          if (written.SecretString !== this.deployTimeSecret.value) throw new Error(`${this.scope}: the OAuth2 client secret passed as TF_VAR_${this.deployTimeSecret.variable} is not the secret's value`);
          if (JSON.stringify(this.stackJson).includes(this.deployTimeSecret.value)) throw new Error(`${this.scope}: the deploy-time OAuth2 client secret is in the synthesized JSON`);
          this.report.checks.push(`OAuth2 client secret written at deploy time from TF_VAR_${this.deployTimeSecret.variable} (secret_string_wo); not in the synthesized JSON`);
          this.needles.push(["the deploy-time OAuth2 client secret", this.deployTimeSecret.value]);
        } else {
          const known = `e2e-oauth2-${randomBytes(12).toString("hex")}`;
          await this.aws.call("secretsmanager", "put_secret_value", { SecretId: oauth2Arn, SecretString: known });
          this.needles.push(["the OAuth2 client secret value", known]);
        }
        const dbSecret = await this.aws.call("secretsmanager", "get_secret_value", { SecretId: this.outputs.db_master_secret_arn });
        const password = JSON.parse(dbSecret.SecretString).password as string;
        if (!password) throw new Error(`${this.scope}: RDS master secret has no password`);
        this.needles.push(["the RDS master password", password]);
        // The JWT signing key: Terraform generated it (ephemeral random password) and wrote it
        // (write-only secret_string_wo); the value is in Secrets Manager and must be in no state or plan.
        for (const [what, output] of [["JWT signing key", "jwt_secret_arn"], ["secrets-store encryption key", "secrets_store_key_arn"]] as const) {
          const value = String((await this.aws.call("secretsmanager", "get_secret_value", { SecretId: this.outputs[output] })).SecretString ?? "");
          if (!/^[A-Za-z0-9]{64}$/.test(value)) throw new Error(`${this.scope}: the ${what} in Secrets Manager is not a 64-character generated value`);
          this.report.checks.push(`${what} in Secrets Manager: 64 generated characters, written by Terraform through secret_string_wo`);
          this.needles.push([`the ${what}`, value]);
          this.generatedKeys.set(output, value);
        }
      }
      const { bucket, key, region } = this.stateObject;
      const state = await this.remoteState();
      const parsed = JSON.parse(state) as { resources?: unknown[] };
      if (!parsed.resources?.length) throw new Error(`${this.scope}: state s3://${bucket}/${key} has no resources`);
      const backend = this.stackJson.terraform.backend?.s3 ?? {};
      const locking = backend.use_lockfile ? "use_lockfile" : backend.dynamodb_table ? `DynamoDB table ${backend.dynamodb_table}` : "no locking";
      this.report.checks.push(`state in s3://${bucket}/${key} (S3 backend on moto, ${locking})`);
      this.assertNoSecrets(state, `the state s3://${bucket}/${key}`);
      const listing = await this.aws.call("s3", "list_objects_v2", { Bucket: bucket, Prefix: key }, region);
      const locks = (listing.Contents ?? []).map((o: { Key: string }) => o.Key).filter((k: string) => k.endsWith(".tflock"));
      if (locks.length > 0) throw new Error(`${this.scope}: lock file left behind: ${locks.join(", ")}`);
      this.report.checks.push("no .tflock left after apply");
    });
  }

  /** `npm run verify` against the applied stack on moto: fails first, then passes (e2e/verify-step.ts). */
  async verifyDeployed(): Promise<void> {
    const config = this.config;
    if (config.kind !== "workspace") return;
    const lines = await timed(this.report, "verify", () =>
      runVerifyStep({
        scope: this.scope,
        stack: this.name,
        aws: this.aws,
        moto: this.moto,
        outDir: this.outDir,
        region: config.region,
        outputs: this.outputs,
        secrets: this.needles,
        zenmlVersion: config.zenml.version,
        configFile: config.sourceFile,
        workDir: path.dirname(this.outDir),
        logFile: this.tf.logFile,
      }),
    );
    this.report.checks.push(...lines);
  }

  /** Second plan: must be empty but for the documented emulator gaps. */
  async secondPlan(): Promise<void> {
    await timed(this.report, "second plan", async () => {
      const planFile = "e2e-second.tfplan";
      const plan = await this.tf.terraformOk(["plan", "-detailed-exitcode", "-input=false", "-no-color", `-out=${planFile}`], [0, 2]);
      const show = await this.tf.terraformOk(["show", "-json", "-no-color", planFile]);
      // prior_state is the state refreshed from the API, after the known secret value was put.
      this.assertNoSecrets(show.stdout, "the refreshed state nor the plan (terraform show -json of the second plan)");
      // Kept for the real scanners: scripts/checkov-scan.sh scans it with checkov's terraform_plan framework.
      fs.writeFileSync(path.join(this.tf.dir, SECOND_PLAN_JSON), show.stdout);
      const result = checkSecondPlan(JSON.parse(show.stdout));
      this.report.accepted = result.accepted;
      this.report.deferredReads = result.deferredReads;
      this.report.drift = result.drift;
      if (plan.code === 0 && result.accepted.length > 0) throw new Error(`${this.scope}: plan exit 0 but changes found`);
      if (result.rejected.length > 0) {
        throw new Error(`${this.scope}: second plan has changes outside the emulator-gap allow-list (e2e/emulator-gaps.ts):\n  ${result.rejected.join("\n  ")}`);
      }
      log(this.scope, `second plan: ${result.accepted.length === 0 ? "no changes" : `only allow-listed gaps (${result.accepted.map((a) => `${a.resourceType}.${a.attribute}`).join(", ")})`}`);
      if (this.viaCdktf) {
        const diff = await this.tf.cdktf(this.cdktfArgs("diff"));
        const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(diff.stdout);
        const updated = new Set(result.accepted.map((a) => a.address)).size;
        const counts = m ? m.slice(1).map(Number) : /No changes/.test(diff.stdout) ? [0, 0, 0] : undefined;
        if (!counts || counts[0] !== 0 || counts[2] !== 0 || counts[1] !== updated) {
          throw new Error(`${this.scope}: cdktf diff disagrees with the second plan (expected 0 to add, ${updated} to change, 0 to destroy):\n${tail(diff.stdout, 15)}`);
        }
        this.report.checks.push(`cdktf diff: 0 to add, ${updated} to change (the allow-listed gaps), 0 to destroy`);
      }
    });
  }

  /** Shows the deletion protection on through the API. */
  async showProtected(): Promise<void> {
    if (this.config.kind !== "workspace") return;
    const n = this.config.name;
    if (this.config.database.deletionProtection) {
      const refused = await this.aws.expectError("rds", "delete_db_instance", { DBInstanceIdentifier: `${n}-db`, SkipFinalSnapshot: true });
      this.report.checks.push(`RDS deletion protection on: DeleteDBInstance refused (${refused.code})`);
    }
    if (this.config.loadBalancer.deletionProtection) {
      const { LoadBalancers: [alb] } = await this.aws.call("elbv2", "describe_load_balancers", { Names: [`${n}-alb`] });
      const { Attributes } = await this.aws.call("elbv2", "describe_load_balancer_attributes", { LoadBalancerArn: alb.LoadBalancerArn });
      const on = Attributes.find((a: { Key: string }) => a.Key === "deletion_protection.enabled")?.Value;
      if (on !== "true") throw new Error(`${this.scope}: ALB deletion protection is ${on}`);
      this.report.checks.push("ALB deletion protection on (deletion_protection.enabled=true)");
    }
  }

  /**
   * A protected stack: destroy fails at plan time with the prevent_destroy error for the DB, the
   * secrets and the ALB, and touches nothing (the state lists the same resources; RDS and ALB
   * are still there).
   */
  async refuseDestroy(): Promise<void> {
    if (this.config.kind !== "workspace" || !this.config.protected) return;
    const n = this.config.name;
    const stateList = async () => (await this.tf.terraformOk(["state", "list", "-no-color"])).stdout.trim().split("\n").sort();
    const before = await stateList();
    const attempt = await timed(this.report, `${this.viaCdktf ? "cdktf destroy" : "destroy"} (refused)`, async () => {
      if (!this.viaCdktf) return this.tf.terraform(["destroy", "-auto-approve", "-input=false", "-no-color"]);
      try {
        return await this.tf.cdktf([...this.cdktfArgs("destroy"), "--auto-approve"]);
      } catch (e) {
        return { code: 1, stdout: (e as Error).message, stderr: "", ms: 0 };
      }
    });
    const text = attempt.stdout + attempt.stderr;
    // Terraform wraps the diagnostic at ~80 columns, so any whitespace may be a line break.
    const refused = [...text.matchAll(/Resource (aws_[a-z0-9_]+)\.\S+\s+has\s+lifecycle\.prevent_destroy\s+set/g)].map((m) => m[1]);
    // The KMS key is never named: Terraform stops walking the destroy graph at its dependents (DB,
    // secrets), which fail first. Its prevent_destroy is asserted on the synthesized JSON instead.
    const expected = ["aws_db_instance", "aws_lb", "aws_secretsmanager_secret"];
    if (attempt.code === 0 || !expected.every((t) => refused.includes(t))) {
      throw new Error(`${this.scope}: destroy of a protected environment was expected to fail on prevent_destroy for ${expected.join(", ")} (exit ${attempt.code}, refused: ${refused.join(", ") || "none"}):\n${tail(text, 20)}`);
    }
    if (/Destroying\.\.\.|Destruction complete/.test(text)) throw new Error(`${this.scope}: the refused destroy started deleting resources:\n${tail(text, 20)}`);
    const after = await stateList();
    if (after.join("\n") !== before.join("\n")) {
      throw new Error(`${this.scope}: the state changed during the refused destroy (${before.length} → ${after.length} resources)`);
    }
    const gone = [
      await isGone(this.aws, "rds", "describe_db_instances", { DBInstanceIdentifier: `${n}-db` }),
      await isGone(this.aws, "elbv2", "describe_load_balancers", { Names: [`${n}-alb`] }),
    ];
    if (gone[0] || gone[1]) throw new Error(`${this.scope}: gone after the refused destroy: ${gone[0] ? "RDS " : ""}${gone[1] ? "ALB" : ""}`);
    this.report.checks.push(
      `destroy refused at plan time by lifecycle.prevent_destroy (${refused.length} resources: ${[...new Set(refused)].sort().join(", ")}); state still lists all ${after.length} resources; RDS and ALB still exist`,
    );
    log(this.scope, `destroy refused by prevent_destroy in ${(attempt.ms / 1000).toFixed(0)}s; ${after.length} resources still in state`);
  }

  /** Applies the unprotected synthesized stack (copied in from `unprotectedOut`) and checks it. */
  async applyUnprotected(unprotectedOut: string): Promise<void> {
    if (this.config.kind !== "workspace") return;
    const n = this.config.name;
    fs.copyFileSync(path.join(unprotectedOut, "stacks", this.name, "cdk.tf.json"), path.join(this.tf.dir, "cdk.tf.json"));
    this.stackJson = readStack(this.tf.dir);
    const r = await timed(this.report, "apply unprotected", () => this.tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]));
    this.report.unprotectApplyMs = r.ms;
    const applied = applySummary(r.stdout);
    if (applied.added !== 0 || applied.destroyed !== 0) {
      throw new Error(`${this.scope}: the unprotecting apply must change resources in place, not replace them (${applied.added} added, ${applied.destroyed} destroyed)`);
    }
    const { DBInstances: [db] } = await this.aws.call("rds", "describe_db_instances", { DBInstanceIdentifier: `${n}-db` });
    const { LoadBalancers: [alb] } = await this.aws.call("elbv2", "describe_load_balancers", { Names: [`${n}-alb`] });
    const { Attributes } = await this.aws.call("elbv2", "describe_load_balancer_attributes", { LoadBalancerArn: alb.LoadBalancerArn });
    const albOn = Attributes.find((a: { Key: string }) => a.Key === "deletion_protection.enabled")?.Value;
    if (db.DeletionProtection !== false || albOn !== "false") {
      throw new Error(`${this.scope}: protection still on after the unprotecting apply (RDS ${db.DeletionProtection}, ALB ${albOn})`);
    }
    this.assertNoSecrets(await this.remoteState(), "the state persisted by the (refreshing) unprotect apply");
    await this.assertGeneratedKeysUnchanged("the unprotecting apply");
    this.report.checks.push(`protection lifted the documented way (protected: false and deletion protection off, then apply: ${applied.changed} changed in place, nothing replaced): RDS and ALB off`);
  }

  /** destroy, then the state is empty and the main resources are gone from the API. */
  async destroy(): Promise<void> {
    const out = await timed(this.report, this.viaCdktf ? "cdktf destroy" : "destroy", () =>
      this.viaCdktf
        ? this.tf.cdktf([...this.cdktfArgs("destroy"), "--auto-approve"])
        : this.tf.terraformOk(["destroy", "-auto-approve", "-input=false", "-no-color"]),
    );
    this.report.destroyMs = out.ms;
    const destroyed = destroySummary(out.stdout);
    const list = await this.tf.terraformOk(["state", "list", "-no-color"]);
    if (list.stdout.trim() !== "") throw new Error(`${this.scope}: state not empty after destroy:\n${list.stdout}`);
    this.report.checks.push(`destroy removed ${destroyed} resources; state empty`);
    if (this.config.kind === "workspace") {
      const n = this.config.name;
      const gone = [
        await isGone(this.aws, "rds", "describe_db_instances", { DBInstanceIdentifier: `${n}-db` }),
        await isGone(this.aws, "elbv2", "describe_load_balancers", { Names: [`${n}-alb`] }),
        await isGone(this.aws, "ecs", "describe_task_definition", { taskDefinition: n }).catch(() => true),
      ];
      if (!gone[0] || !gone[1]) throw new Error(`${this.scope}: still present after destroy: ${!gone[0] ? "RDS " : ""}${!gone[1] ? "ALB" : ""}`);
      this.report.checks.push("RDS instance and ALB gone from the API");
    }
    log(this.scope, `destroyed ${destroyed} resources in ${(out.ms / 1000).toFixed(0)}s`);
  }
}

/** Options of {@link runComponent}. */
export interface ComponentOptions {
  /** Stacks (by name) deployed with the cdktf CLI instead of terraform. */
  readonly viaCdktf: ReadonlySet<string>;
  /** Stacks (by name) checked with `npm run verify` after every stack of the component is applied. */
  readonly verify: ReadonlySet<string>;
}

/** Runs one component (stacks sharing a moto server) from fixtures to destroy. */
export async function runComponent(group: ConfigGroup, manifest: Manifest, stacks: readonly string[], opts: ComponentOptions): Promise<void> {
  const label = `${group.label}/${stacks.join("+")}`;
  const dir = path.join(workDir(), slug(group.label), slug(stacks.join("+")));
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start(label, path.join(dir, "moto.log"));
  const runs: StackRun[] = [];
  const region = JSON.parse(fs.readFileSync(path.join(group.dir, `${stacks[0]}.json`), "utf8")).region as string;
  const aws = new Aws(moto.endpoint, region);
  try {
    const fixtures = await createFixtures(aws, group.dir, stacks, path.join(dir, "config"));
    fixtures.created.forEach((f) => log(label, `fixture: ${f}`));
    const outDir = path.join(dir, "out");
    const cdktfSynth = stacks.some((s) => opts.viaCdktf.has(s));
    if (cdktfSynth) {
      // The cdktf CLI synth users run; the app is already built by `npm run test:e2e`.
      const r = await new StackDir(label, REPO, moto, path.join(dir, "synth.log")).cdktf(
        ["synth", "--app", "node dist/main.js", "--output", outDir, "--no-color"],
        { ZENML_CONFIG_DIR: fixtures.configDir },
      );
      log(label, `cdktf synth: ${tail(r.stdout, 1)}`);
    } else {
      await synth(fixtures.configDir, outDir, path.join(dir, "synth.log"));
    }
    const configs = new Map(loadEnvironments(fixtures.configDir).map((c) => [c.envName, c]));
    for (const s of stacks) {
      runs.push(new StackRun(group, s, configs.get(s)!, outDir, moto, aws, opts.viaCdktf.has(s), fixtures.created));
    }
    const byName = new Map(runs.map((r) => [r.name, r]));
    const levels = dependencyLevels(manifest, stacks);

    for (const level of levels) {
      await settleAll(
        level.map(async (s) => {
          const r = byName.get(s)!;
          await r.apply();
          await r.assert();
          await r.putSecrets();
          await r.secondPlan();
        }),
      );
    }
    const protectedRuns = runs.filter((r) => r.protectedResources.length > 0);
    if (protectedRuns.length > 0) {
      await settleAll(protectedRuns.map((r) => r.showProtected()));
      await settleAll(protectedRuns.map((r) => r.refuseDestroy()));
      const unprotectedConfig = path.join(dir, "config-unprotected");
      const unprotectedOut = path.join(dir, "out-unprotected");
      writeUnprotectedConfigDir(fixtures.configDir, unprotectedConfig, protectedRuns.map((r) => r.name));
      await synth(unprotectedConfig, unprotectedOut, path.join(dir, "synth.log"));
      await settleAll(protectedRuns.map((r) => r.applyUnprotected(unprotectedOut)));
    }
    // After every apply of the component: the verify step replaces an ECS service with a moto setting
    // that must not reach another stack's service being created meanwhile.
    for (const r of runs.filter((x) => opts.verify.has(x.name))) await r.verifyDeployed();
    for (const level of [...levels].reverse()) {
      await settleAll(level.map((s) => byName.get(s)!.destroy()));
    }
    runs.forEach((r) => (r.report.status = "passed"));
  } catch (e) {
    for (const r of runs) r.report.error = (e as Error).message;
    throw e;
  } finally {
    REPORTS.push(...runs.map((r) => r.report));
    aws.close();
    await moto.stop();
  }
}

/** The state-bootstrap stack: apply, checks, destroy refused, removal with a test-only override. */
export async function runBootstrap(group: ConfigGroup, stackName: string): Promise<void> {
  const label = `${group.label}/${stackName}`;
  const dir = path.join(workDir(), slug(group.label), slug(stackName));
  fs.mkdirSync(dir, { recursive: true });
  const moto = await MotoServer.start(label, path.join(dir, "moto.log"));
  const report: StackReport = {
    group: group.label, stack: stackName, kind: "bootstrap", via: "terraform", status: "failed",
    fixtures: [], endpoints: [], checks: [], accepted: [], deferredReads: [], drift: [], steps: [],
  };
  let aws: Aws | undefined;
  try {
    const outDir = path.join(dir, "out");
    await synth(group.dir, outDir, path.join(dir, "synth.log"));
    const tf = new StackDir(label, path.join(outDir, "stacks", stackName), moto, path.join(dir, `${stackName}.log`));
    const stack = readStack(tf.dir);
    const bucketResources = Object.entries(stack.resource?.aws_s3_bucket ?? {});
    const providers = new Map((stack.provider?.aws ?? []).map((p) => [p.alias ? `aws.${p.alias}` : "aws", p.region as string]));
    const buckets = bucketResources.map(([, b]) => ({ name: b.bucket as string, region: providers.get((b.provider as string | undefined) ?? "aws")! }));
    const api = new Aws(moto.endpoint, buckets[0].region);
    aws = api;
    report.endpoints = writeEmulatorOverride(tf.dir, moto.endpoint);

    await timed(report, "init", () => tf.terraformOk(["init", "-input=false", "-no-color"]));
    await timed(report, "validate", () => tf.terraformOk(["validate", "-no-color"]));
    const applied = await timed(report, "apply", () => tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]));
    report.applyMs = applied.ms;
    report.resources = applySummary(applied.stdout).added;
    report.checks.push(...(await timed(report, "assert", () => assertStateBuckets(api, buckets))));

    const plan = await timed(report, "second plan", async () => {
      await tf.terraformOk(["plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=e2e-second.tfplan"], [0, 2]);
      return checkSecondPlan(JSON.parse((await tf.terraformOk(["show", "-json", "-no-color", "e2e-second.tfplan"])).stdout));
    });
    report.accepted = plan.accepted;
    report.drift = plan.drift;
    if (plan.rejected.length > 0) throw new Error(`${label}: second plan has changes outside the allow-list:\n  ${plan.rejected.join("\n  ")}`);

    const refused = await timed(report, "destroy (refused)", () => tf.terraform(["destroy", "-auto-approve", "-input=false", "-no-color"]));
    const text = refused.stdout + refused.stderr;
    if (refused.code === 0 || !/prevent_destroy/.test(text)) {
      throw new Error(`${label}: destroy was expected to be refused by lifecycle.prevent_destroy (exit ${refused.code}):\n${tail(text, 15)}`);
    }
    for (const b of buckets) {
      if (await isGone(api, "s3", "head_bucket", { Bucket: b.name }, b.region)) throw new Error(`${label}: ${b.name} vanished after the refused destroy`);
    }
    report.checks.push("destroy refused by lifecycle.prevent_destroy; buckets still there");

    // Test-only removal: lift prevent_destroy (and lock-table deletion protection) with an override file.
    const override: Record<string, Record<string, Record<string, unknown>>> = { aws_s3_bucket: {} };
    for (const [name] of bucketResources) override.aws_s3_bucket[name] = { lifecycle: { prevent_destroy: false } };
    const tables = Object.keys(stack.resource?.aws_dynamodb_table ?? {});
    if (tables.length > 0) {
      override.aws_dynamodb_table = Object.fromEntries(tables.map((t) => [t, { lifecycle: { prevent_destroy: false }, deletion_protection_enabled: false }]));
    }
    fs.writeFileSync(path.join(tf.dir, ALLOW_DESTROY_OVERRIDE_FILE), JSON.stringify({ resource: override }, null, 2));
    if (tables.length > 0) await tf.terraformOk(["apply", "-auto-approve", "-input=false", "-no-color"]);
    const destroyed = await timed(report, "destroy", () => tf.terraformOk(["destroy", "-auto-approve", "-input=false", "-no-color"]));
    report.destroyMs = destroyed.ms;
    for (const b of buckets) {
      if (!(await isGone(api, "s3", "head_bucket", { Bucket: b.name }, b.region))) throw new Error(`${label}: ${b.name} still exists after destroy`);
    }
    report.checks.push(`removed with the test-only ${ALLOW_DESTROY_OVERRIDE_FILE} (prevent_destroy=false): ${destroySummary(destroyed.stdout)} destroyed, buckets gone`);
    report.status = "passed";
  } catch (e) {
    report.error = (e as Error).message;
    throw e;
  } finally {
    REPORTS.push(report);
    aws?.close();
    await moto.stop();
  }
}
