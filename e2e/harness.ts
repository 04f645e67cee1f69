/**
 * Infrastructure of the end-to-end suite: prerequisites, processes, the moto server, AWS API calls
 * through boto3, synthesis, the emulator override file and Terraform/cdktf commands.
 *
 * Everything that points Terraform at the emulator lives here and is written only into temporary
 * copies of the synthesized stacks; nothing reaches what `npm run synth` writes for users.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** Repository root (the nearest package.json above this file, also when compiled into dist/e2e). */
export const REPO = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
/** The harness sources (python helpers live here). */
export const E2E_DIR = path.join(REPO, "e2e");
/**
 * Sets the project's Terraform settings (offline provider mirror when present). The harness runs it
 * once and passes its TF_CLI_CONFIG_FILE to every terraform/cdktf child itself: concurrent
 * invocations of the script race on its temporary file (see e2e/README.md).
 */
export const TF_ENV = path.join(REPO, "scripts", "tf-env.sh");
/** The compiled app `npm run build` produces. */
export const APP = path.join(REPO, "dist", "main.js");
/** Name of the override file the harness writes into each synthesized stack directory (a copy). */
export const OVERRIDE_FILE = "zz_e2e_override.tf.json";
/** Name of the override file that lifts `prevent_destroy` in the bootstrap stack (test only). */
export const ALLOW_DESTROY_OVERRIDE_FILE = "zz_e2e_allow_destroy_override.tf.json";
/** Fake credentials moto accepts; the harness never uses anything else. */
export const FAKE_CREDENTIALS = { access_key: "testing", secret_key: "testing" } as const;

const PROVIDER_MIRROR = process.env.ZENML_TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";
const MIN_TERRAFORM = [1, 10, 0];

// ---------------------------------------------------------------------------------------------
// Logging and the work directory

const started = Date.now();

/** Progress line on stderr (jest does not buffer it), prefixed with the elapsed suite time. */
export function log(scope: string, message: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[e2e +${t}s] [${scope}] ${message}\n`);
}

let workRoot: string | undefined;

/** The suite's scratch directory: `$E2E_WORK_DIR`, or a fresh temp dir (kept: logs, moto logs, report.md). */
export function workDir(): string {
  if (!workRoot) {
    workRoot = process.env.E2E_WORK_DIR
      ? path.resolve(process.env.E2E_WORK_DIR)
      : fs.mkdtempSync(path.join(os.tmpdir(), "zenml-e2e-"));
    fs.mkdirSync(workRoot, { recursive: true });
  }
  return workRoot;
}

/** Formats milliseconds as `1m23s` / `45s`. */
export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Limits how many components run at once (`E2E_CONCURRENCY`, default 4). */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Outcome of a finished command. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Appends the command line and its output here. */
  readonly logFile?: string;
  readonly timeoutMs?: number;
  readonly input?: string;
}

/** Process groups of running commands, ended if the suite is interrupted. */
const liveGroups = new Set<number>();

/** Runs a command to completion (never throws on a non-zero exit; the caller decides). */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    if (child.pid) liveGroups.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child.pid, "SIGKILL");
        }, opts.timeoutMs)
      : undefined;
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      if (child.pid) liveGroups.delete(child.pid);
      if (timer) clearTimeout(timer);
      const ms = Date.now() - t0;
      if (timedOut) stderr += `\n[e2e] killed after ${seconds(opts.timeoutMs ?? 0)} timeout`;
      if (opts.logFile) {
        fs.appendFileSync(
          opts.logFile,
          `\n$ (cd ${opts.cwd} && ${[cmd, ...args].join(" ")})  # exit ${code ?? signal} after ${seconds(ms)}\n${stdout}${stderr ? `\n[stderr]\n${stderr}` : ""}\n`,
        );
      }
      resolve({ code: code ?? 128, stdout, stderr, ms });
    });
    child.stdin.end(opts.input ?? "");
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Last lines of a text, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

let prereqs: Promise<Prerequisites> | undefined;
/** TF_CLI_CONFIG_FILE as scripts/tf-env.sh sets it (undefined: Terraform's default, the registry). */
let tfCliConfigFile: string | undefined;

/** What the suite found on the machine. */
export interface Prerequisites {
  readonly terraformVersion: string;
  readonly motoVersion: string;
  /** The offline provider mirror, or undefined when Terraform will use the public registry. */
  readonly providerMirror?: string;
}

/**
 * Checks terraform (>= 1.10), python3 with moto[server] and boto3, and the built app, once per run.
 * Rejects with one message naming everything missing and how to get it: the suite fails, in CI and
 * locally alike; it never passes silently.
 */
export function checkPrerequisites(): Promise<Prerequisites> {
  prereqs ??= (async () => {
    const problems: string[] = [];
    let terraformVersion = "";
    const tf = await run("terraform", ["version", "-json"], { cwd: REPO }).catch(() => undefined);
    if (!tf || tf.code !== 0) {
      problems.push("terraform is not on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install), or run .ci/e2e-prereqs.sh");
    } else {
      terraformVersion = (JSON.parse(tf.stdout) as { terraform_version: string }).terraform_version;
      const v = terraformVersion.split(".").map(Number);
      const tooOld = v[0] < MIN_TERRAFORM[0] || (v[0] === MIN_TERRAFORM[0] && v[1] < MIN_TERRAFORM[1]);
      if (tooOld) problems.push(`terraform ${terraformVersion} is too old: the S3 backend's use_lockfile needs Terraform >= 1.10`);
    }
    let motoVersion = "";
    const py = await run("python3", ["-c", "import moto, boto3, flask, flask_cors, werkzeug, cryptography; print(moto.__version__)"], { cwd: REPO }).catch(
      () => undefined,
    );
    if (!py || py.code !== 0) {
      problems.push(
        `python3 with moto's server extras is missing (${py ? tail(py.stderr, 1) : "python3 not found"}): run \`pip install "moto[server]==5.2.1"\` (brings boto3, flask, cryptography), or .ci/e2e-prereqs.sh`,
      );
    } else {
      motoVersion = py.stdout.trim();
      if (!motoVersion.startsWith("5.")) problems.push(`moto ${motoVersion} found; the suite is measured with moto 5.2 (pip install "moto[server]==5.2.1")`);
    }
    const cfg = await run(TF_ENV, ["sh", "-c", 'printf "%s" "${TF_CLI_CONFIG_FILE:-}"'], { cwd: REPO });
    if (cfg.code !== 0) problems.push(`scripts/tf-env.sh failed: ${tail(cfg.stderr, 3)}`);
    tfCliConfigFile = cfg.stdout.trim() || undefined;
    if (!fs.existsSync(APP)) problems.push(`${path.relative(REPO, APP)} is missing: run \`npm run build\` first (\`npm run test:e2e\` does)`);
    const providerMirror = fs.existsSync(PROVIDER_MIRROR) ? PROVIDER_MIRROR : undefined;
    if (!providerMirror) {
      log("prereqs", `no provider mirror at ${PROVIDER_MIRROR}: terraform init will use the public registry`);
    }
    if (problems.length > 0) {
      const error = new Error(`e2e prerequisites missing${process.env.CI === "true" ? " (CI)" : ""}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      error.stack = error.message; // the message says it all; no code frame
      throw error;
    }
    log("prereqs", `terraform ${terraformVersion}, moto ${motoVersion}, provider ${providerMirror ? `mirror ${providerMirror}` : "registry"}`);
    return { terraformVersion, motoVersion, providerMirror };
  })();
  return prereqs;
}

/** Explains a failed `terraform init` when the provider could not be installed. */
export function initFailureHint(output: string): string {
  if (!/provider|registry\.terraform\.io|Failed to query available provider packages/i.test(output)) return "";
  return fs.existsSync(PROVIDER_MIRROR)
    ? `\nThe provider mirror ${PROVIDER_MIRROR} does not hold the required hashicorp/aws version; add it with \`terraform providers mirror ${PROVIDER_MIRROR}\` on a machine with registry access.`
    : `\nNo provider mirror at ${PROVIDER_MIRROR} and the public registry could not be used: create one with \`terraform providers mirror <dir>\` on a connected machine and set ZENML_TF_PLUGIN_MIRROR=<dir>, or allow access to registry.terraform.io.`;
}

// ---------------------------------------------------------------------------------------------
// moto

const liveServers = new Set<MotoServer>();
process.on("exit", () => {
  for (const s of liveServers) s.kill();
});
// Interrupted (Ctrl-C, CI cancel): stop moto servers and running terraform, then die of the signal.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const s of liveServers) s.kill();
    for (const pid of liveGroups) killGroup(pid, "SIGKILL");
    process.kill(process.pid, signal);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpGetStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => {
      req.destroy();
      resolve(0);
    });
  });
}

/**
 * One moto server (e2e/moto_server.py) on 127.0.0.1 and a free port, with the settings the stacks
 * need: AWS managed IAM policies loaded, ACM certificates issued at once.
 */
export class MotoServer {
  private exited = false;
  private constructor(
    readonly label: string,
    readonly port: number,
    private readonly pid: number,
    readonly logFile: string,
  ) {}

  /** http://127.0.0.1:PORT */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(label: string, logFile: string): Promise<MotoServer> {
    let lastError = "";
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const out = fs.openSync(logFile, "a");
      const child = spawn("python3", [path.join(E2E_DIR, "moto_server.py"), "--host", "127.0.0.1", "--port", String(port)], {
        cwd: REPO,
        env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: "0", PYTHONUNBUFFERED: "1" },
        stdio: ["ignore", out, out],
        detached: true,
      });
      fs.closeSync(out);
      const server = new MotoServer(label, port, child.pid!, logFile);
      child.on("exit", () => (server.exited = true));
      liveServers.add(server);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !server.exited) {
        if ((await httpGetStatus(`${server.endpoint}/moto-api/`)) === 200) {
          log(label, `moto on ${server.endpoint} (pid ${server.pid}, log ${logFile})`);
          return server;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      lastError = tail(fs.readFileSync(logFile, "utf8"), 15);
      await server.stop();
    }
    throw new Error(`moto server did not start (3 attempts); log ${logFile}:\n${lastError}`);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  async stop(): Promise<void> {
    if (!liveServers.has(this)) return;
    killGroup(this.pid, "SIGTERM");
    const deadline = Date.now() + 5000;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!this.exited) killGroup(this.pid, "SIGKILL");
    liveServers.delete(this);
    log(this.label, `moto on port ${this.port} stopped`);
  }

  /** Synchronous last resort at process exit. */
  kill(): void {
    killGroup(this.pid, "SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// AWS API (boto3 through e2e/aws.py)

/** An AWS API error returned by moto. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly call: string,
  ) {
    super(`${call}: ${code}: ${message}`);
  }
}

/** One API call (`op` is the boto3 method name). */
export interface AwsCall {
  readonly service: string;
  readonly op: string;
  readonly params?: Record<string, unknown>;
  readonly region?: string;
}

type AwsResult = { ok: any } | { error: { code: string; message: string } };

/**
 * Reads and writes the emulated account through boto3 (one long-lived `python3 e2e/aws.py`
 * process per instance) against the moto endpoint only. Call {@link close} when done.
 */
export class Aws {
  private child?: ReturnType<typeof spawn>;
  private nextId = 1;
  private buffer = "";
  private stderr = "";
  private readonly pending = new Map<number, { resolve: (r: AwsResult[]) => void; reject: (e: Error) => void }>();

  constructor(
    readonly endpoint: string,
    readonly region: string,
  ) {}

  private process(): ReturnType<typeof spawn> {
    if (this.child) return this.child;
    const child = spawn("python3", [path.join(E2E_DIR, "aws.py"), this.endpoint, this.region], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
    child.stdout!.on("data", (d: Buffer) => {
      this.buffer += d.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const msg = JSON.parse(line) as { id: number; results: AwsResult[] };
        this.pending.get(msg.id)?.resolve(msg.results);
        this.pending.delete(msg.id);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-8000)));
    child.on("exit", (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`e2e/aws.py exited ${code}:\n${tail(this.stderr)}`));
      this.pending.clear();
      this.child = undefined;
    });
    this.child = child;
    return child;
  }

  /** Runs calls in order; each result is either `ok` or `error`. */
  batch(calls: readonly AwsCall[]): Promise<AwsResult[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.process().stdin!.write(`${JSON.stringify({ id, calls })}\n`);
    });
  }

  /** One call; throws {@link AwsError} on an API error. */
  async call<T = any>(service: string, op: string, params: Record<string, unknown> = {}, region?: string): Promise<T> {
    const [result] = await this.batch([{ service, op, params, region }]);
    if ("error" in result) throw new AwsError(result.error.code, result.error.message, `${service}.${op}`);
    return result.ok as T;
  }

  /** One call expected to fail; returns the error, throws if it succeeded. */
  async expectError(service: string, op: string, params: Record<string, unknown> = {}): Promise<AwsError> {
    const [result] = await this.batch([{ service, op, params }]);
    if ("error" in result) return new AwsError(result.error.code, result.error.message, `${service}.${op}`);
    throw new Error(`${service}.${op} succeeded but was expected to be refused`);
  }

  /** Ends the python process. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Synthesis

/** Stack entry of cdktf's manifest.json. */
export interface ManifestStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
}

/** cdktf's manifest.json. */
export interface Manifest {
  readonly stacks: Record<string, ManifestStack>;
}

function synthEnv(configDir: string, outDir: string): NodeJS.ProcessEnv {
  return { ...process.env, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: outDir };
}

/** `node dist/main.js` with ZENML_CONFIG_DIR/CDKTF_OUTDIR, synchronously (used while collecting tests). */
export function synthSync(configDir: string, outDir: string): Manifest {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  try {
    execFileSync(process.execPath, [APP], { cwd: REPO, env: synthEnv(configDir, outDir), stdio: "pipe" });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`synth of ${configDir} failed: ${err.stderr?.toString() || err.stdout?.toString() || err.message}`);
  }
  return JSON.parse(fs.readFileSync(path.join(outDir, "manifest.json"), "utf8")) as Manifest;
}

/** `node dist/main.js` with ZENML_CONFIG_DIR/CDKTF_OUTDIR. */
export async function synth(configDir: string, outDir: string, logFile: string): Promise<Manifest> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const r = await run(process.execPath, [APP], { cwd: REPO, env: synthEnv(configDir, outDir), logFile });
  if (r.code !== 0) throw new Error(`synth of ${configDir} failed:\n${tail(r.stderr || r.stdout)}`);
  return JSON.parse(fs.readFileSync(path.join(outDir, "manifest.json"), "utf8")) as Manifest;
}

/** Synthesized Terraform JSON of one stack (the parts the harness reads). */
export interface StackJson {
  terraform: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, { source: string; version?: string }> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, any>>>;
  output?: Record<string, unknown>;
}

/** Reads `<stackDir>/cdk.tf.json`. */
export function readStack(stackDir: string): StackJson {
  return JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as StackJson;
}

/** Number of managed resource blocks (before count/for_each expansion). */
export function resourceBlockCount(stack: StackJson): number {
  return Object.values(stack.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

// ---------------------------------------------------------------------------------------------
// The emulator override file

/** AWS provider `endpoints` keys the override points at moto. */
export const ENDPOINT_SERVICES = [
  "acm",
  "applicationautoscaling",
  "backup",
  "cloudwatch",
  "dynamodb",
  "ec2",
  "ecr",
  "ecs",
  "eks",
  "elb",
  "elbv2",
  "events",
  "iam",
  "kms",
  "logs",
  "rds",
  "route53",
  "s3",
  "secretsmanager",
  "sfn",
  "sns",
  "sqs",
  "sts",
  "wafv2",
] as const;

/** Which endpoint a resource or data source type talks to ("" = none: computed locally). */
const SERVICE_BY_TYPE: ReadonlyArray<readonly [RegExp, string]> = [
  [/^aws_(iam_policy_document|region|partition|arn|default_tags)$/, ""],
  [/^aws_caller_identity$/, "sts"],
  [/^aws_appautoscaling_/, "applicationautoscaling"],
  [/^aws_backup_/, "backup"],
  [/^aws_sfn_/, "sfn"],
  [/^aws_acm_/, "acm"],
  [/^aws_cloudwatch_log_/, "logs"],
  [/^aws_cloudwatch_event_/, "events"],
  [/^aws_cloudwatch_/, "cloudwatch"],
  [/^aws_(db|rds)_/, "rds"],
  [/^aws_dynamodb_/, "dynamodb"],
  [/^aws_ecr_/, "ecr"],
  [/^aws_ecs_/, "ecs"],
  [/^aws_eks_/, "eks"],
  [/^aws_(lb|alb)(_|$)/, "elbv2"],
  [/^aws_elb(_|$)/, "elb"],
  [/^aws_iam_/, "iam"],
  [/^aws_kms_/, "kms"],
  [/^aws_route53_/, "route53"],
  [/^aws_s3_/, "s3"],
  [/^aws_secretsmanager_/, "secretsmanager"],
  [/^aws_sns_/, "sns"],
  [/^aws_sqs_/, "sqs"],
  [/^aws_wafv2_/, "wafv2"],
  [
    /^aws_(vpc|vpcs|subnet|subnets|eip|nat_gateway|internet_gateway|route|route_table|route_table_association|main_route_table_association|security_group|security_groups|security_group_rule|vpc_security_group_(ingress|egress)_rule|default_security_group|default_route_table|default_network_acl|network_acl|flow_log|availability_zone|availability_zones|ec2_.*|ami|instance|launch_template|key_pair|ebs_.*|vpc_endpoint.*|network_interface.*)$/,
    "ec2",
  ],
];

/** Providers that never call a network API. */
const OFFLINE_PROVIDERS = new Set(["random", "null", "tls", "time", "local", "archive", "external"]);

/** The endpoint key of a resource/data type, or throws when the harness does not know it. */
export function endpointServiceOf(type: string): string {
  for (const [re, service] of SERVICE_BY_TYPE) if (re.test(type)) return service;
  throw new Error(
    `${type}: the e2e override does not know which AWS endpoint this type uses; add it to SERVICE_BY_TYPE (and ENDPOINT_SERVICES) in e2e/harness.ts so it is pointed at moto`,
  );
}

function backendEmulatorSettings(endpoint: string): Record<string, unknown> {
  return {
    endpoints: { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint },
    use_path_style: true,
    skip_credentials_validation: true,
    skip_region_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    ...FAKE_CREDENTIALS,
  };
}

/**
 * Writes {@link OVERRIDE_FILE} into a synthesized stack directory: every AWS provider configuration
 * (by alias) gets moto `endpoints`, fake credentials, path-style S3, no credential/metadata/region
 * checks and `max_retries = 2`; the S3 backend and any S3 `terraform_remote_state` keep their
 * bucket/key/region but talk to moto's S3. `skip_requesting_account_id` is deliberately not set on
 * the provider (security-group rules that reference a group would otherwise come back prefixed with
 * a user ID and re-plan forever).
 * @returns the endpoint keys the stack needs.
 */
export function writeEmulatorOverride(stackDir: string, endpoint: string): string[] {
  const stack = readStack(stackDir);
  const needed = new Set<string>();
  for (const block of ["resource", "data"] as const) {
    for (const type of Object.keys(stack[block] ?? {})) {
      if (type.startsWith("aws_")) {
        const s = endpointServiceOf(type);
        if (s) needed.add(s);
      }
    }
  }
  for (const s of needed) {
    if (!(ENDPOINT_SERVICES as readonly string[]).includes(s)) throw new Error(`endpoint ${s} is not in ENDPOINT_SERVICES (e2e/harness.ts)`);
  }
  for (const name of Object.keys(stack.provider ?? {})) {
    if (name !== "aws" && !OFFLINE_PROVIDERS.has(name)) {
      throw new Error(`${stackDir}: provider '${name}' is not emulated by the e2e harness; extend writeEmulatorOverride`);
    }
  }
  const override: Record<string, any> = {};
  const awsProviders = stack.provider?.aws ?? [];
  if (awsProviders.length > 0) {
    override.provider = {
      aws: awsProviders.map((p) => ({
        ...(p.alias ? { alias: p.alias } : {}),
        endpoints: [Object.fromEntries(ENDPOINT_SERVICES.map((s) => [s, endpoint]))],
        s3_use_path_style: true,
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        max_retries: 2,
        ...FAKE_CREDENTIALS,
      })),
    };
  }
  const backend = stack.terraform.backend ?? {};
  if (backend.s3) {
    override.terraform = { backend: { s3: { ...backend.s3, ...backendEmulatorSettings(endpoint) } } };
  } else if (Object.keys(backend).some((b) => b !== "local")) {
    throw new Error(`${stackDir}: backend ${Object.keys(backend).join(", ")} is not emulated by the e2e harness`);
  }
  const remoteStates = stack.data?.terraform_remote_state ?? {};
  for (const [name, rs] of Object.entries(remoteStates)) {
    if (rs.backend !== "s3") continue;
    override.data ??= { terraform_remote_state: {} };
    override.data.terraform_remote_state[name] = { config: { ...rs.config, ...backendEmulatorSettings(endpoint) } };
  }
  fs.writeFileSync(path.join(stackDir, OVERRIDE_FILE), JSON.stringify(override, null, 2));
  return [...needed].sort();
}

// ---------------------------------------------------------------------------------------------
// Terraform and cdktf commands in a stack directory

/** Environment of every terraform/cdktf child: fake credentials, moto as the catch-all endpoint. */
export function emulatorEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.access_key,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secret_key,
    AWS_EC2_METADATA_DISABLED: "true",
    // Safety net: anything the override misses still goes to moto, never to AWS.
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  if (tfCliConfigFile) env.TF_CLI_CONFIG_FILE = tfCliConfigFile;
  else delete env.TF_CLI_CONFIG_FILE;
  for (const k of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]) delete env[k];
  return env;
}

/** A synthesized stack directory (a temporary copy) wired to one moto server. */
export class StackDir {
  constructor(
    readonly scope: string,
    readonly dir: string,
    readonly moto: MotoServer,
    readonly logFile: string,
    /** Added to every terraform/cdktf child's environment (e.g. a deploy-time TF_VAR_…). */
    readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {}

  /** `terraform <args>` in the stack directory, with the settings of scripts/tf-env.sh. */
  terraform(args: readonly string[], timeoutMs = 20 * 60_000): Promise<RunResult> {
    return run("terraform", args, { cwd: this.dir, env: { ...emulatorEnv(this.moto.endpoint), ...this.extraEnv }, logFile: this.logFile, timeoutMs });
  }

  /** Like {@link terraform} but throws with the output tail unless the exit code is in `ok`. */
  async terraformOk(args: readonly string[], ok: readonly number[] = [0]): Promise<RunResult> {
    log(this.scope, `terraform ${args.join(" ")}`);
    const r = await this.terraform(args);
    if (!ok.includes(r.code)) {
      const hint = args[0] === "init" ? initFailureHint(r.stdout + r.stderr) : "";
      throw new Error(`terraform ${args.join(" ")} exited ${r.code} in ${this.dir}:\n${tail(r.stderr || r.stdout)}${hint}\n(full log: ${this.logFile})`);
    }
    return r;
  }

  /** `npx cdktf <args>` from the repository (the cdktf CLI users run), with the settings of scripts/tf-env.sh. */
  async cdktf(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    log(this.scope, `cdktf ${args.join(" ")}`);
    const r = await run("npx", ["--no-install", "cdktf", ...args], {
      cwd: REPO,
      env: { ...emulatorEnv(this.moto.endpoint), CI: "true", FORCE_COLOR: "0", ...this.extraEnv, ...extraEnv },
      logFile: this.logFile,
      timeoutMs: 25 * 60_000,
    });
    if (r.code !== 0) throw Object.assign(new Error(`cdktf ${args.join(" ")} exited ${r.code}:\n${tail(r.stdout + r.stderr)}\n(full log: ${this.logFile})`), { result: r });
    return r;
  }
}

/** Last "Apply complete! Resources: A added, C changed, D destroyed." in terraform/cdktf output. */
export function applySummary(output: string): { added: number; changed: number; destroyed: number } {
  const all = [...output.matchAll(/Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/g)];
  if (all.length === 0) throw new Error(`no "Apply complete!" summary in the output:\n${tail(output, 10)}`);
  const m = all[all.length - 1];
  return { added: Number(m[1]), changed: Number(m[2]), destroyed: Number(m[3]) };
}

/** Last "Destroy complete! Resources: N destroyed." in terraform/cdktf output. */
export function destroySummary(output: string): number {
  const all = [...output.matchAll(/Destroy complete! Resources: (\d+) destroyed/g)];
  if (all.length === 0) throw new Error(`no "Destroy complete!" summary in the output:\n${tail(output, 10)}`);
  return Number(all[all.length - 1][1]);
}
