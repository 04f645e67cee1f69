/**
 * The migration container's program (lib/zenml-environment.ts `migrationProgram`), run for real:
 * Debian's python3 with pymysql (the server image's MySQL driver) against a private MariaDB server
 * that requires TLS with a test CA, exactly as the task runs it (`python -c <program>`, the same
 * variables). A stand-in `zenml` on PATH records when each "migration" runs. Shows that concurrent
 * tasks migrate one after another, the CA goes in as PEM content, the command's exit status is the
 * container's, and a task that cannot get the lock in time fails instead of migrating.
 * Needs mariadb-server, python3-pymysql and openssl (`.ci/e2e-prereqs.sh` installs them).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { MIGRATION_LOCK_NAME, migrationProgram } from "../lib/zenml-environment";

const PYTHON = process.env.E2E_PYMYSQL_PYTHON ?? "/usr/bin/python3";
const MARIADBD = "/usr/sbin/mariadbd";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "zenml-migration-lock-"));

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: env ?? process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A CA and a server certificate for 127.0.0.1, made with openssl. */
function certificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test RDS Root CA", "-keyout", f("ca.key"), "-out", f("ca.pem")]);
  run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f("server.key"), "-out", f("server.csr")]);
  fs.writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1\n");
  run("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("san.ext"), "-out", f("server.pem")]);
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

let server: ReturnType<typeof spawn> | undefined;
let port = 0;
let caPem = "";
const binDir = path.join(work, "bin");
const events = path.join(work, "events.log");

beforeAll(async () => {
  for (const [what, ok] of [
    [MARIADBD, fs.existsSync(MARIADBD)],
    [`${PYTHON} with pymysql`, spawnSync(PYTHON, ["-c", "import pymysql"]).status === 0],
    ["openssl", spawnSync("openssl", ["version"]).status === 0],
  ] as const) {
    if (!ok) throw new Error(`migration-lock test: ${what} is missing; run .ci/e2e-prereqs.sh (apt-get install mariadb-server python3-pymysql openssl)`);
  }
  const certs = certificates(work);
  caPem = fs.readFileSync(certs.ca, "utf8");
  const datadir = path.join(work, "data");
  run("mariadb-install-db", ["--no-defaults", `--datadir=${datadir}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"]);
  port = await freePort();
  server = spawn(MARIADBD, [
    "--no-defaults", `--datadir=${datadir}`, `--socket=${path.join(work, "mysqld.sock")}`, `--port=${port}`, "--bind-address=127.0.0.1",
    "--user=root", "--skip-grant-tables", `--ssl-ca=${certs.ca}`, `--ssl-cert=${certs.cert}`, `--ssl-key=${certs.key}`,
    "--require-secure-transport=ON", `--pid-file=${path.join(work, "mysqld.pid")}`, `--log-error=${path.join(work, "mysqld.err")}`,
  ], { stdio: "ignore" });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const probe = spawnSync(PYTHON, ["-c", `import pymysql,ssl; c=ssl.create_default_context(cafile='${certs.ca}'); pymysql.connect(host='127.0.0.1', port=${port}, user='zenml', password='x', ssl=c).cursor().execute('CREATE DATABASE IF NOT EXISTS zenml_hybrid')`]);
    if (probe.status === 0) break;
    if (Date.now() > deadline) throw new Error(`mariadbd did not start: ${fs.readFileSync(path.join(work, "mysqld.err"), "utf8")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  // The stand-in CLI: logs start/end with the process id, sleeps, exits with ZENML_FAKE_EXIT.
  fs.mkdirSync(binDir);
  fs.writeFileSync(
    path.join(binDir, "zenml"),
    `#!/bin/sh\necho "start $$ $(date +%s%N) $*" >> ${events}\nsleep "\${ZENML_FAKE_SECONDS:-1}"\necho "end $$ $(date +%s%N)" >> ${events}\nexit "\${ZENML_FAKE_EXIT:-0}"\n`,
    { mode: 0o755 },
  );
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Runs the program as the task does; resolves with its exit code and output. */
function migrate(extra: NodeJS.ProcessEnv = {}, timeoutSeconds = 60): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ["-c", migrationProgram(timeoutSeconds)], {
      env: {
        PATH: `${binDir}:${process.env.PATH}`,
        ZENML_STORE_URL: `mysql://127.0.0.1:${port}/zenml_hybrid`,
        ZENML_STORE_USERNAME: "zenml",
        ZENML_STORE_PASSWORD: "not-checked-with-skip-grant-tables",
        ZENML_STORE_SSL_CA: caPem,
        ...extra,
      },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

function intervals(): [number, number][] {
  const lines = fs.existsSync(events) ? fs.readFileSync(events, "utf8").trim().split("\n") : [];
  const start = new Map<string, number>();
  const out: [number, number][] = [];
  for (const line of lines) {
    const [kind, pid, ns] = line.split(" ");
    if (kind === "start") start.set(pid, Number(ns) / 1e6);
    else out.push([start.get(pid)!, Number(ns) / 1e6]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

test("three tasks starting together migrate one after another, over TLS verified with the CA content", async () => {
  fs.rmSync(events, { force: true });
  const results = await Promise.all([migrate(), migrate(), migrate()]);
  for (const r of results) {
    expect(r.output).toContain("migration lock acquired; running zenml migrate-database");
    expect(r.code).toBe(0);
  }
  const spans = intervals();
  expect(spans).toHaveLength(3);
  for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  expect(fs.readFileSync(events, "utf8")).toContain("migrate-database");
}, 60_000);

test("the container exits with the migration's status", async () => {
  const r = await migrate({ ZENML_FAKE_EXIT: "3", ZENML_FAKE_SECONDS: "0" });
  expect(r.code).toBe(3);
}, 30_000);

test("a task that cannot get the lock in time fails without migrating", async () => {
  fs.rmSync(events, { force: true });
  const holder = migrate({ ZENML_FAKE_SECONDS: "4" });
  await new Promise((r) => setTimeout(r, 1500));
  const late = await migrate({ ZENML_FAKE_SECONDS: "0" }, 1);
  expect(late.code).not.toBe(0);
  expect(late.output).toContain(`migration lock ${MIGRATION_LOCK_NAME} not acquired within 1 s`);
  expect((await holder).code).toBe(0);
  expect(intervals()).toHaveLength(1);
}, 30_000);

test("a CA that did not issue the server's certificate is refused", async () => {
  const other = fs.mkdtempSync(path.join(work, "other-ca-"));
  run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA", "-keyout", path.join(other, "k"), "-out", path.join(other, "c.pem")]);
  const r = await migrate({ ZENML_STORE_SSL_CA: fs.readFileSync(path.join(other, "c.pem"), "utf8"), ZENML_FAKE_SECONDS: "0" });
  expect(r.code).not.toBe(0);
  expect(r.output).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
}, 30_000);
