/**
 * The real ZenML server run from a synthesized task definition (`cdk.tf.json`), as ECS would run it:
 * a reusable harness for e2e/zenml-server.test.ts and the verify step (e2e/verify-step.ts).
 *
 * Everything a container gets is read from the synthesized JSON (never a hand-written copy): each
 * container's `environment`, `secrets` (names and `valueFrom`), `entryPoint`/`command`, `dependsOn`,
 * `mountPoints`, `user`, `readonlyRootFilesystem`, `linuxParameters.capabilities` and the port mapping,
 * plus the target group's health check. What ECS/Fargate does with them is emulated here:
 * - secrets: `valueFrom` is resolved the way ECS resolves it (`<arn>[:<json-key>:<version-stage>:<version-id>]`)
 *   against a stand-in Secrets Manager holding test values, keyed by the secret the ARN reference names;
 * - the container: bubblewrap (`bwrap`, user namespaces) with a root filesystem that is the host's,
 *   read-only when `readonlyRootFilesystem`, the task volumes as writable directories at their real
 *   absolute paths, the task's `user` (the image's USER, 1000, when unset), capabilities dropped as
 *   the task says, working directory and environment of the image (`docker/base.Dockerfile`);
 * - the network: the task's containers share one network namespace on Fargate (awsvpc); here they
 *   share the host's loopback, and a container port is a free host port ({@link PortSpace});
 * - the image: a project-local venv with the release's pinned `zenml[server]` (e2e/requirements-zenml-<v>.txt,
 *   installed by .ci/e2e-prereqs.sh) stands in for `zenml-pro-server:<v>` (docs/runtime.md says what that
 *   does and does not prove).
 * Every substitution the emulation makes is listed in {@link EmulatedTask.substitutions}.
 */
import { spawn, spawnSync } from "child_process";
import { randomBytes, X509Certificate } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import { parseZenmlVersion, ZENML_NEWEST_KNOWN_RELEASE } from "../lib/zenml-releases";
import { classify, LOG_SIGNATURES } from "../scripts/verify/signatures";
import { readStack, REPO, StackJson, synth } from "./harness";
import { freePort, makeTestCa, MariaDb, startMariaDb, TestCa } from "./mariadb";

// ---------------------------------------------------------------------------------------------
// The image

/**
 * The server stage of ZenML's image (zenml-io/zenml `docker/base.Dockerfile`, stored version at commit
 * 023915681287d53947e556d0ec28d47c4b3bc87d; its ENTRYPOINT is `scripts/docker-entrypoint.sh`, `ulimit -n
 * 65535` then `exec "$@"`). An older stored version (commit 47705983ea5b26d35c28580e5713f825d4a51c03) runs
 * the same uvicorn command as ENTRYPOINT with `--log-level debug` and `CMD ["--port", "8080", "--host",
 * "0.0.0.0"]`; which of the two the 0.84.3 and 0.98.0 tags carry could not be read here (the repository
 * snapshot is too large to fetch), see docs/runtime.md.
 */
export const ZENML_IMAGE = {
  user: "1000",
  workdir: "/zenml",
  entryPoint: ["/entrypoint.sh"],
  command: ["uvicorn", "zenml.zen_server.zen_server_api:app", "--no-server-header", "--proxy-headers", "--forwarded-allow-ips", "*", "--port", "8080", "--host", "0.0.0.0"],
  /** `ENV` of the server stage (ECS merges the task's environment over it). */
  env: {
    PYTHONUNBUFFERED: "1",
    PYTHONFAULTHANDLER: "1",
    PYTHONHASHSEED: "random",
    ZENML_CONTAINER: "1",
    ZENML_CONFIG_PATH: "/zenml/.zenconfig",
    ZENML_DEBUG: "false",
    ZENML_ANALYTICS_OPT_IN: "true",
  } as Record<string, string>,
  /** `scripts/docker-entrypoint.sh`, run with bash as the image does. */
  entrypointScript: 'ulimit -n 65535\nexec "$@"',
} as const;

/** Where the emulation puts its own files inside the sandbox (the test CA for the control plane). */
const EMULATION_DIR = "/e2e-emulation";

// ---------------------------------------------------------------------------------------------
// Releases and their venvs

/** Releases with a pinned requirements file (e2e/requirements-zenml-<v>.txt), oldest first. */
export function pinnedZenmlReleases(): string[] {
  return fs
    .readdirSync(path.join(REPO, "e2e"))
    .map((f) => /^requirements-zenml-(\d+\.\d+\.\d+)\.txt$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => cmp(parseZenmlVersion(a)!, parseZenmlVersion(b)!));
}

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * The releases the scenario runs: the shipped default and the newest release of the contract table
 * (lib/zenml-releases.ts, read from the wheels); each needs its pinned e2e/requirements-zenml-<v>.txt.
 */
export function scenarioReleases(shippedDefault: string): string[] {
  return [...new Set([shippedDefault, ZENML_NEWEST_KNOWN_RELEASE])];
}

/** The project-local venv of a release (git-ignored; `.ci/e2e-prereqs.sh` creates it). */
export function zenmlVenv(version: string): string {
  return path.join(REPO, ".venv-e2e", `zenml-${version}`);
}

/** What is missing to run the real server here (empty when ready). */
export function realServerMissing(versions: readonly string[]): string[] {
  const missing: string[] = [];
  if (spawnSync("bwrap", ["--ro-bind", "/", "/", "--unshare-user", "--uid", "1000", "true"]).status !== 0) {
    missing.push("bubblewrap with user namespaces (apt-get install bubblewrap)");
  }
  for (const v of versions) {
    const venv = zenmlVenv(v);
    if (spawnSync(path.join(venv, "bin", "python"), ["-c", `import zenml, uvicorn, pymysql; assert zenml.__version__ == "${v}"`]).status !== 0) {
      missing.push(`${path.relative(REPO, venv)} with zenml[server]==${v} (bash .ci/e2e-prereqs.sh installs e2e/requirements-zenml-${v}.txt)`);
    }
  }
  return missing;
}

/** The Alembic head revision(s) of the installed release (its `zen_stores/migrations` scripts). */
export function alembicHeads(venv: string): string[] {
  const r = spawnSync(
    path.join(venv, "bin", "python"),
    ["-c", "import os, zenml.zen_stores as z; from alembic.script import ScriptDirectory; print(' '.join(ScriptDirectory(os.path.join(os.path.dirname(z.__file__), 'migrations')).get_heads()))"],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`reading the Alembic heads of ${venv} failed: ${r.stderr}`);
  return r.stdout.trim().split(/\s+/).sort();
}

// ---------------------------------------------------------------------------------------------
// The synthesized task

/** One container definition as synthesized (the fields the emulation reads). */
export interface ContainerDefinition {
  readonly name: string;
  readonly essential?: boolean;
  readonly user?: string;
  readonly entryPoint?: string[];
  readonly command?: string[];
  readonly environment?: { name: string; value: string }[];
  readonly secrets?: { name: string; valueFrom: string }[];
  readonly mountPoints?: { sourceVolume: string; containerPath: string; readOnly?: boolean }[];
  readonly portMappings?: { containerPort: number; hostPort?: number; protocol?: string }[];
  readonly dependsOn?: { containerName: string; condition: string }[];
  readonly readonlyRootFilesystem?: boolean;
  readonly linuxParameters?: { capabilities?: { drop?: string[]; add?: string[] } };
}

/** The task definition and the health check the ALB runs against it. */
export interface SynthTask {
  readonly stack: StackJson;
  readonly containers: ContainerDefinition[];
  readonly volumes: string[];
  /** The essential container registered in the target group. */
  readonly serving: ContainerDefinition;
  readonly healthCheck: { readonly path: string; readonly port: number; readonly matcher: string };
}

const onlyResource = (stack: StackJson, type: string): Record<string, any> => {
  const all = Object.values(stack.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type} in the synthesized stack, found ${all.length}`);
  return all[0];
};

/** Reads the task definition, the ECS service's load balancer entry and the target group's health check. */
export function readTask(stack: StackJson): SynthTask {
  const td = onlyResource(stack, "aws_ecs_task_definition");
  const containers = JSON.parse(td.container_definitions) as ContainerDefinition[];
  const lb = onlyResource(stack, "aws_ecs_service").load_balancer?.[0];
  const serving = containers.find((c) => c.name === lb?.container_name);
  if (!serving) throw new Error(`the ECS service's load balancer names container ${lb?.container_name}, which the task does not have`);
  const hc = onlyResource(stack, "aws_lb_target_group").health_check;
  const port = hc.port === undefined || hc.port === "traffic-port" ? Number(lb.container_port) : Number(hc.port);
  return {
    stack,
    containers,
    volumes: (td.volume ?? []).map((v: { name: string }) => v.name),
    serving,
    healthCheck: { path: hc.path, port, matcher: String(hc.matcher ?? "200") },
  };
}

/** A copy of the task with one container's definition changed (mutation checks). */
export function mutateContainer(task: SynthTask, name: string, change: (c: ContainerDefinition) => ContainerDefinition): SynthTask {
  const containers = task.containers.map((c) => (c.name === name ? change(JSON.parse(JSON.stringify(c))) : c));
  return { ...task, containers, serving: containers.find((c) => c.name === task.serving.name)! };
}

/** A copy of the task with a variable removed from (value undefined) or set in one container's environment. */
export function withEnvironment(task: SynthTask, container: string, name: string, value: string | undefined): SynthTask {
  return mutateContainer(task, container, (c) => ({
    ...c,
    environment: [...(c.environment ?? []).filter((e) => e.name !== name), ...(value === undefined ? [] : [{ name, value }])],
  }));
}

// ---------------------------------------------------------------------------------------------
// Secrets Manager, as ECS reads it

/**
 * Test values of the secrets a task references, keyed by what the ARN reference names: a Secrets
 * Manager secret's `name` (e.g. `zenml/zenml-hybrid-dev/oauth2-client-secret`), or `rds-managed` for
 * the RDS-managed master secret (`master_user_secret[0].secret_arn`, a JSON document).
 */
export type SecretValues = Record<string, string>;

/**
 * Resolves a `valueFrom` the way ECS does (`arn:aws:secretsmanager:…:secret:<id>[:<json-key>:<version-stage>:<version-id>]`):
 * the ARN here is a Terraform reference, so the secret is found by the resource it references. A JSON
 * key selects from the JSON document; a version id must be the version Terraform wrote for that secret.
 */
export function resolveValueFrom(stack: StackJson, valueFrom: string, values: SecretValues): string {
  const m = /^(\$\{[^}]+\})(?::([^:]*):([^:]*):(.*))?$/.exec(valueFrom);
  if (!m) throw new Error(`valueFrom ${valueFrom} is not <arn>[:<json-key>:<version-stage>:<version-id>]`);
  const [, arn, jsonKey = "", stage = "", versionId = ""] = m;
  let key: string;
  let secretResource: string | undefined;
  if (/^\$\{aws_db_instance\.[^.}]+\.master_user_secret\[0\]\.secret_arn\}$/.test(arn)) key = "rds-managed";
  else {
    const sm = /^\$\{aws_secretsmanager_secret\.([^.}]+)\.arn\}$/.exec(arn);
    if (!sm) throw new Error(`valueFrom ${valueFrom}: the ARN references no Secrets Manager secret the emulation knows`);
    secretResource = sm[1];
    key = stack.resource?.aws_secretsmanager_secret?.[secretResource]?.name;
    if (!key) throw new Error(`valueFrom ${valueFrom}: aws_secretsmanager_secret.${secretResource} is not in the stack`);
  }
  if (stage !== "") throw new Error(`valueFrom ${valueFrom}: a version stage is not emulated`);
  if (versionId !== "") {
    const vm = /^\$\{aws_secretsmanager_secret_version\.([^.}]+)\.version_id\}$/.exec(versionId);
    const version = vm && stack.resource?.aws_secretsmanager_secret_version?.[vm[1]];
    if (!version || version.secret_id !== `\${aws_secretsmanager_secret.${secretResource}.id}`) {
      throw new Error(`valueFrom ${valueFrom}: the version id is not a version of that secret`);
    }
  }
  const value = values[key];
  if (value === undefined) throw new Error(`valueFrom ${valueFrom}: no test value for secret ${key}`);
  if (jsonKey === "") return value;
  const doc = JSON.parse(value) as Record<string, unknown>;
  if (typeof doc[jsonKey] !== "string") throw new Error(`valueFrom ${valueFrom}: secret ${key} has no JSON key ${jsonKey}`);
  return doc[jsonKey] as string;
}

// ---------------------------------------------------------------------------------------------
// Ports

/**
 * The task's network namespace, flattened onto the host: each container port is one free host port
 * on 127.0.0.1, the same for every container of the task (they share the namespace on Fargate).
 */
export class PortSpace {
  private readonly ports = new Map<number, Promise<number>>();
  /** The host port of a container port. */
  host(containerPort: number): Promise<number> {
    if (!this.ports.has(containerPort)) this.ports.set(containerPort, freePort());
    return this.ports.get(containerPort)!;
  }
}

// ---------------------------------------------------------------------------------------------
// The emulated task

/** What the emulation needs besides the synthesized task. */
export interface EmulationOptions {
  /** Scratch directory: volumes, logs. */
  readonly dir: string;
  /** The release's venv (the image's /opt/venv). */
  readonly venv: string;
  /** MariaDB port standing in for the RDS endpoint's 3306. */
  readonly dbPort: number;
  /** The test CA: issued MariaDB's and the control plane's certificates. */
  readonly ca: TestCa;
  /** PEM that replaces the stack's RDS CA bundle (default: the test CA). */
  readonly dbCaPem?: string;
  readonly secrets: SecretValues;
}

/** Output of a container, each line with the time it arrived. */
export interface ContainerRun {
  readonly name: string;
  readonly code: number | null;
  readonly lines: readonly { readonly t: number; readonly line: string }[];
  readonly text: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** A running container (the server). */
export interface RunningContainer {
  readonly name: string;
  readonly exited: Promise<ContainerRun>;
  readonly lines: () => readonly { t: number; line: string }[];
  stop(): Promise<ContainerRun>;
}

/** One task of the service, emulated: its own volumes, its own port space. */
export class EmulatedTask {
  /** Every place the emulation does not use the synthesized value as is. */
  readonly substitutions: string[] = [];
  readonly ports = new PortSpace();
  private readonly volumeDirs: Record<string, string> = {};
  private readonly caFile: string;

  constructor(
    readonly task: SynthTask,
    readonly name: string,
    private readonly o: EmulationOptions,
  ) {
    const root = path.join(o.dir, name);
    fs.rmSync(root, { recursive: true, force: true });
    for (const v of task.volumes) {
      // Fargate bind-mount volumes start empty, root-owned, mode 0755.
      this.volumeDirs[v] = path.join(root, "volumes", v);
      fs.mkdirSync(this.volumeDirs[v], { recursive: true, mode: 0o755 });
      fs.chmodSync(this.volumeDirs[v], 0o755);
    }
    fs.mkdirSync(path.join(root, "logs"), { recursive: true });
    this.caFile = o.ca.caFile;
  }

  /** The host directory of a task volume. */
  volumeDir(volume: string): string {
    return this.volumeDirs[volume];
  }

  private note(s: string): void {
    if (!this.substitutions.includes(s)) this.substitutions.push(s);
  }

  /** The environment ECS gives a container: the image's ENV, the task's environment, the resolved secrets. */
  environment(c: ContainerDefinition): Record<string, string> {
    const env: Record<string, string> = {
      ...ZENML_IMAGE.env,
      PATH: `${this.o.venv}/bin:/home/zenml/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      VIRTUAL_ENV: this.o.venv,
      HOME: (c.user ?? ZENML_IMAGE.user) === "0" ? "/root" : "/home/zenml",
    };
    this.note(`image: the release's pinned zenml[server] venv ${path.relative(REPO, this.o.venv)} stands in for the image's /opt/venv (PATH, VIRTUAL_ENV)`);
    env.ZENML_ANALYTICS_OPT_IN = "false";
    this.note("ZENML_ANALYTICS_OPT_IN=false instead of the image's true (no internet here)");
    for (const { name, value } of c.environment ?? []) env[name] = this.substitute(name, value);
    for (const { name, valueFrom } of c.secrets ?? []) env[name] = resolveValueFrom(this.task.stack, valueFrom, this.o.secrets);
    if (c.secrets?.length) this.note("secrets: valueFrom resolved like ECS against a stand-in Secrets Manager with test values");
    if (env.ZENML_SERVER_PRO_API_URL) {
      env.REQUESTS_CA_BUNDLE = `${EMULATION_DIR}/ca.pem`;
      this.note("REQUESTS_CA_BUNDLE added (emulation only): the server's HTTP client trusts the test CA of the control-plane stand-in");
    }
    const unresolved = Object.entries(env).filter(([, v]) => v.includes("${"));
    if (unresolved.length > 0) throw new Error(`${c.name}: unresolved Terraform references in ${unresolved.map(([k]) => k).join(", ")}`);
    return env;
  }

  /** The unavoidable substitutions of synthesized values. */
  private substitute(name: string, value: string): string {
    if (name === "ZENML_STORE_URL") {
      const m = /^mysql:\/\/\$\{aws_db_instance\.[^.}]+\.address\}:3306\/([^/?]+)$/.exec(value);
      if (!m) throw new Error(`ZENML_STORE_URL ${value} is not mysql://<rds address>:3306/<database>`);
      this.note("ZENML_STORE_URL: the RDS address and 3306 → 127.0.0.1:<MariaDB's free port> (TLS from the test CA, require_secure_transport=ON)");
      return `mysql://127.0.0.1:${this.o.dbPort}/${m[1]}`;
    }
    if (/-----BEGIN CERTIFICATE-----/.test(value)) {
      const subjects = value.split(/(?=-----BEGIN CERTIFICATE-----)/).map((pem) => new X509Certificate(pem).subject);
      if (!subjects.every((s) => /Amazon RDS/.test(s))) throw new Error(`${name}: a certificate bundle that is not the RDS CA bundle`);
      this.note(`${name}: the stack's RDS CA bundle → the test CA that issued MariaDB's certificate`);
      return this.o.dbCaPem ?? this.o.ca.caPem;
    }
    return value;
  }

  /** The bubblewrap command line of a container (the sandbox, then the entry point and command). */
  private sandbox(c: ContainerDefinition, env: Record<string, string>, argv: string[]): string[] {
    const args = ["--die-with-parent", "--tmpfs", "/"];
    for (const entry of fs.readdirSync("/")) {
      const p = `/${entry}`;
      if (["proc", "dev", "sys", "tmp", "zenml", "volumes", EMULATION_DIR.slice(1)].includes(entry)) continue;
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(p), p);
      else if (st.isDirectory()) args.push("--ro-bind", p, p);
    }
    args.push("--dev", "/dev", "--proc", "/proc", "--ro-bind", "/sys", "/sys", "--dir", "/tmp", "--dir", ZENML_IMAGE.workdir);
    for (const m of c.mountPoints ?? []) {
      const dir = this.volumeDirs[m.sourceVolume];
      if (!dir) throw new Error(`${c.name}: mount of unknown volume ${m.sourceVolume}`);
      args.push(m.readOnly ? "--ro-bind" : "--bind", dir, m.containerPath);
    }
    args.push("--ro-bind", this.o.venv, this.o.venv, "--ro-bind", this.caFile, `${EMULATION_DIR}/ca.pem`);
    if (c.readonlyRootFilesystem) args.push("--remount-ro", "/");
    else this.note(`${c.name}: readonlyRootFilesystem is off, the sandbox root is a writable tmpfs over the host's read-only directories`);
    const uid = c.user ?? ZENML_IMAGE.user;
    if (!/^\d+$/.test(uid)) throw new Error(`${c.name}: user ${uid} is not a numeric UID`);
    args.push("--unshare-user", "--uid", uid, "--gid", uid, "--chdir", ZENML_IMAGE.workdir);
    if (c.linuxParameters?.capabilities?.drop?.includes("ALL")) args.push("--cap-drop", "ALL");
    args.push("--clearenv");
    for (const [k, v] of Object.entries(env)) args.push("--setenv", k, v);
    return [...args, "--", ...argv];
  }

  /** The process the container runs: the task's entryPoint/command over the image's. */
  private async argv(c: ContainerDefinition): Promise<string[]> {
    const entryPoint = c.entryPoint ?? [...ZENML_IMAGE.entryPoint];
    const command = [...(c.command ?? ZENML_IMAGE.command)];
    // The image's CMD listens on its port inside the task's network namespace; here that is a host port.
    const portAt = command.indexOf("--port");
    if (portAt >= 0) {
      const containerPort = Number(command[portAt + 1]);
      command[portAt + 1] = String(await this.ports.host(containerPort));
      this.note(`${c.name}: uvicorn --port ${containerPort} → a free host port (the task's network namespace flattened onto the host's loopback)`);
    }
    const hostAt = command.indexOf("--host");
    if (hostAt >= 0 && command[hostAt + 1] === "0.0.0.0") {
      command[hostAt + 1] = "127.0.0.1";
      this.note(`${c.name}: --host 0.0.0.0 → 127.0.0.1 (loopback only)`);
    }
    if (entryPoint.length === 1 && entryPoint[0] === "/entrypoint.sh") return ["bash", "-c", ZENML_IMAGE.entrypointScript, "/entrypoint.sh", ...command];
    return [...entryPoint, ...command];
  }

  private definition(name: string): ContainerDefinition {
    const c = this.task.containers.find((x) => x.name === name);
    if (!c) throw new Error(`the task has no container ${name}`);
    return c;
  }

  /** Starts a container (after the caller has run what it depends on). */
  async start(name: string, o: { readonly logName?: string; readonly env?: Record<string, string | undefined> } = {}): Promise<RunningContainer> {
    const c = this.definition(name);
    const env = this.environment(c);
    for (const [k, v] of Object.entries(o.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const argv = await this.argv(c);
    const logFile = path.join(this.o.dir, this.name, "logs", `${o.logName ?? name}.log`);
    const child = spawn("bwrap", this.sandbox(c, env, argv), { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const lines: { t: number; line: string }[] = [];
    const startedAt = Date.now();
    const log = fs.createWriteStream(logFile);
    const collect = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.on("data", (d: Buffer) => {
        log.write(d);
        const parts = (rest + d.toString()).split("\n");
        rest = parts.pop()!;
        for (const line of parts) lines.push({ t: Date.now(), line });
      });
      stream.on("end", () => rest && lines.push({ t: Date.now(), line: rest }));
    };
    collect(child.stdout);
    collect(child.stderr);
    const exited = new Promise<ContainerRun>((resolve) =>
      child.on("close", (code) => {
        log.end();
        resolve({ name, code, lines, text: lines.map((l) => l.line).join("\n"), startedAt, endedAt: Date.now() });
      }),
    );
    return {
      name,
      exited,
      lines: () => lines,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid!, "SIGTERM");
          } catch {
            /* already gone */
          }
          const t = setTimeout(() => {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* already gone */
            }
          }, 10_000);
          const r = await exited;
          clearTimeout(t);
          return r;
        }
        return exited;
      },
    };
  }

  /** Runs a container to completion. */
  async run(name: string, o: { readonly logName?: string; readonly env?: Record<string, string | undefined>; readonly timeoutMs?: number } = {}): Promise<ContainerRun> {
    const running = await this.start(name, o);
    const timer = setTimeout(() => void running.stop(), o.timeoutMs ?? 180_000);
    const r = await running.exited;
    clearTimeout(timer);
    return r;
  }

  /**
   * The containers the serving container depends on, in order (`dependsOn`, transitively), each with the
   * condition it must meet. Only SUCCESS is emulated (the task's containers use nothing else).
   */
  startupOrder(): { name: string; condition: string }[] {
    const order: { name: string; condition: string }[] = [];
    const visit = (name: string) => {
      for (const d of this.definition(name).dependsOn ?? []) {
        if (d.condition !== "SUCCESS") throw new Error(`${name} depends on ${d.containerName} with condition ${d.condition}, which the emulation does not run`);
        visit(d.containerName);
        if (!order.some((o) => o.name === d.containerName)) order.push({ name: d.containerName, condition: d.condition });
      }
    };
    visit(this.task.serving.name);
    return order;
  }

  /** The URL the target group's health check probes (its path on its port, through the port space). */
  async healthUrl(): Promise<string> {
    return `http://127.0.0.1:${await this.ports.host(this.task.healthCheck.port)}${this.task.healthCheck.path}`;
  }

  /** The serving container's mapped port as a base URL. */
  async baseUrl(): Promise<string> {
    const port = this.task.serving.portMappings?.[0]?.containerPort;
    if (port === undefined) throw new Error(`${this.task.serving.name} has no port mapping`);
    return `http://127.0.0.1:${await this.ports.host(port)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

/** GET with a short timeout; undefined when nothing answers. */
export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders } | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(undefined));
  });
}

/**
 * The target group's health check against the serving container, as the ALB runs it: its path on its
 * port must answer its matcher. It fails when the container exits first, when the check fails
 * `unhealthy_threshold` (3) times in a row once the server says it is up (uvicorn's "Application
 * startup complete"), or at the deadline.
 */
export async function waitHealthy(task: EmulatedTask, server: RunningContainer, deadlineMs: number, unhealthyThreshold = 3): Promise<{ status: number; body: string }> {
  const url = await task.healthUrl();
  const { path: hcPath, port, matcher } = task.task.healthCheck;
  let exited: ContainerRun | undefined;
  void server.exited.then((r) => (exited = r));
  let last = "no answer";
  let failuresSinceUp = 0;
  for (const end = Date.now() + deadlineMs; Date.now() < end; ) {
    if (exited) throw new Error(`/health: the server exited (${exited.code}) before the health check at ${url} passed; diagnosis: ${diagnose(exited.text).join(", ") || "none"}`);
    const up = server.lines().some((l) => l.line.includes("Application startup complete"));
    const r = await httpGet(url);
    if (r && String(r.status) === matcher) return r;
    last = r ? `${r.status} ${r.body.slice(0, 100)}` : "no answer";
    if (up && ++failuresSinceUp >= unhealthyThreshold) break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new Error(`/health: the target group's health check ${hcPath} on port ${port} (${url}) did not pass (last: ${last}; server up: ${server.lines().some((l) => l.line.includes("Application startup complete"))})`);
}

/** The verify log signatures (scripts/verify/signatures.ts) the lines match, in order of first appearance. */
export function diagnose(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split("\n")) {
    const s = classify(line, LOG_SIGNATURES);
    if (s && !ids.includes(s.id)) ids.push(s.id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// The control plane

/** One request the control-plane stand-in received. */
export interface ControlPlaneRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/**
 * A loopback HTTPS stand-in for `ZENML_SERVER_PRO_API_URL`, with the test CA's certificate. It answers
 * what the server calls at start-up (`src/zenml/zen_server/cloud_utils.py`): the OAuth2
 * client-credentials login `POST /auth/login` (form: client_id, client_secret, audience, grant_type;
 * 200 with `access_token` and `expires_in` only for the expected client id and secret, else 401) and,
 * with that token, `PATCH /workspace_status` (`send_pro_workspace_status_update`, called by the
 * startup event of `zen_server_api.py` for a cloud deployment). Anything else: 404, recorded.
 */
export class ControlPlaneStandIn {
  readonly requests: ControlPlaneRequest[] = [];
  private server?: https.Server;
  private token = `e2e-token-${process.pid}-${Date.now()}`;
  url = "";

  constructor(
    private readonly ca: TestCa,
    /** The client id and secret the login must carry. */
    readonly expected: { clientId: string; clientSecret: string },
  ) {}

  async start(): Promise<string> {
    this.server = https.createServer({ key: fs.readFileSync(this.ca.keyFile), cert: fs.readFileSync(this.ca.certFile) }, (req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const p = new URL(req.url ?? "/", "https://x").pathname;
        let status = 404;
        let answer: unknown = { detail: "Not Found" };
        if (req.method === "POST" && p === "/auth/login") {
          const form = new URLSearchParams(body);
          const ok = form.get("grant_type") === "client_credentials" && form.get("client_id") === this.expected.clientId && form.get("client_secret") === this.expected.clientSecret;
          [status, answer] = ok ? [200, { access_token: this.token, token_type: "bearer", expires_in: 3600 }] : [401, { detail: "invalid client credentials" }];
        } else if (req.method === "PATCH" && p === "/workspace_status") {
          [status, answer] = req.headers.authorization === `Bearer ${this.token}` ? [200, {}] : [401, { detail: "Not authenticated" }];
        }
        this.requests.push({ method: req.method ?? "", path: p, headers: req.headers, body, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    return this.url;
  }

  /** The login requests (form fields). */
  logins(): URLSearchParams[] {
    return this.requests.filter((r) => r.path === "/auth/login").map((r) => new URLSearchParams(r.body));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * HTTPS in front of the server (the ALB's role: TLS with a certificate the client verifies, forwarding
 * to the target's port), for `npm run verify --url … --ca …`.
 */
export async function httpsFront(ca: TestCa, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server = https.createServer({ key: fs.readFileSync(ca.keyFile), cert: fs.readFileSync(ca.certFile) }, (req, res) => {
    const fwd = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, "x-forwarded-proto": "https", "x-forwarded-for": req.socket.remoteAddress ?? "" } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// ---------------------------------------------------------------------------------------------
// The whole set-up, shared by the scenario and the verify step

/** A synthesized task with everything it needs around it: CA, MariaDB, control plane, secrets. */
export interface RealServerSetup {
  readonly version: string;
  readonly dir: string;
  readonly ca: TestCa;
  readonly db: MariaDb;
  readonly cp: ControlPlaneStandIn;
  readonly task: SynthTask;
  readonly secrets: SecretValues;
  /** The OAuth2 client secret's test value. */
  readonly oauth2Secret: string;
  readonly dbUser: string;
  /** Emulation options of a task of this set-up. */
  readonly options: EmulationOptions;
  /** The config copy's changes (the substitutions made before synth). */
  readonly configChanges: string;
  stop(): Promise<void>;
}

/**
 * Copies `configFile` (an environment file of config/) with `zenml.version` = `version` and
 * `zenml.apiUrl` = a loopback HTTPS control-plane stand-in, synthesizes it, and starts MariaDB for the
 * task's database with test secrets.
 */
export async function prepareRealServer(o: { readonly dir: string; readonly version: string; readonly configFile: string }): Promise<RealServerSetup> {
  fs.rmSync(o.dir, { recursive: true, force: true });
  fs.mkdirSync(o.dir, { recursive: true });
  const ca = makeTestCa(path.join(o.dir, "ca"));
  const cp = new ControlPlaneStandIn(ca, { clientId: "", clientSecret: "" });
  const apiUrl = await cp.start();
  let db: MariaDb | undefined;
  try {
    const configDir = path.join(o.dir, "config");
    fs.mkdirSync(configDir);
    for (const f of fs.readdirSync(path.dirname(o.configFile)).filter((f) => f.endsWith(".schema.json"))) fs.copyFileSync(path.join(path.dirname(o.configFile), f), path.join(configDir, f));
    const original = JSON.parse(fs.readFileSync(o.configFile, "utf8"));
    const envName = path.basename(o.configFile, ".json");
    fs.writeFileSync(path.join(configDir, `${envName}.json`), JSON.stringify({ ...original, zenml: { ...original.zenml, version: o.version, apiUrl } }, null, 2));
    const manifest = await synth(configDir, path.join(o.dir, "cdktf.out"), path.join(o.dir, "synth.log"));
    const task = readTask(readStack(path.join(o.dir, "cdktf.out", manifest.stacks[envName].workingDirectory)));
    const env = Object.fromEntries((task.serving.environment ?? []).map((e) => [e.name, e.value]));
    const database = /\/([^/]+)$/.exec(env.ZENML_STORE_URL)![1];
    const dbUser = "zenml_admin";
    const dbPassword = randomBytes(16).toString("hex");
    db = await startMariaDb({ dir: path.join(o.dir, "mariadb"), ca, database, user: dbUser, password: dbPassword });
    const secrets: SecretValues = { "rds-managed": JSON.stringify({ username: dbUser, password: dbPassword }) };
    for (const s of Object.values(task.stack.resource?.aws_secretsmanager_secret ?? {})) secrets[s.name] = randomBytes(32).toString("hex");
    const oauth2Secret = Object.entries(secrets).find(([k]) => k.endsWith("/oauth2-client-secret"))?.[1];
    if (!oauth2Secret) throw new Error(`${o.configFile}: the stack has no */oauth2-client-secret secret`);
    cp.expected.clientId = env.ZENML_SERVER_PRO_WORKSPACE_ID;
    cp.expected.clientSecret = oauth2Secret;
    return {
      version: o.version,
      dir: o.dir,
      ca,
      db,
      cp,
      task,
      secrets,
      oauth2Secret,
      dbUser,
      options: { dir: path.join(o.dir, "tasks"), venv: zenmlVenv(o.version), dbPort: db.port, ca, secrets },
      configChanges: `config copy of ${path.relative(REPO, o.configFile)}: zenml.version ${o.version}, zenml.apiUrl ${apiUrl} (the control-plane stand-in; the audience follows it)`,
      stop: async () => {
        await db!.stop();
        await cp.stop();
      },
    };
  } catch (e) {
    await db?.stop();
    await cp.stop();
    throw e;
  }
}

/**
 * One task started the way ECS starts it: the containers the serving one depends on, in order, each
 * to success, then the serving container until the target group's health check passes. Returns the
 * running server; throws with the failing step and the verify diagnosis.
 */
export async function startTask(e: EmulatedTask, deadlineMs = 120_000): Promise<RunningContainer> {
  for (const step of e.startupOrder()) {
    const r = await e.run(step.name);
    if (r.code !== 0) throw new Error(`${step.name} exited ${r.code}; diagnosis: ${diagnose(r.text).join(", ") || "none"}`);
  }
  const server = await e.start(e.task.serving.name);
  try {
    await waitHealthy(e, server, deadlineMs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
