/**
 * The migration container's program (lib/zenml-environment.ts `migrationProgram`), run for real:
 * Debian's python3 with pymysql (the server image's MySQL driver) against a private MariaDB server
 * that requires TLS with a test CA, exactly as the task runs it (`python -c <program>`, the same
 * variables). A stand-in `zenml` on PATH records when each "migration" runs. Shows that concurrent
 * tasks migrate one after another, the CA goes in as a file (ZENML_STORE_SSL_CA is its path), the command's exit status is the
 * container's, and a task that cannot get the lock in time fails instead of migrating.
 * The MariaDB server is e2e/mariadb.ts. Needs mariadb-server, python3-pymysql and openssl
 * (`.ci/e2e-prereqs.sh` installs them). The real program with the real `zenml` CLI: e2e/zenml-server.test.ts.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MIGRATION_LOCK_NAME, migrationProgram } from "../lib/zenml-environment";
import { MariaDb, makeTestCa, startMariaDb } from "./mariadb";

const PYTHON = process.env.E2E_PYMYSQL_PYTHON ?? "/usr/bin/python3";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "zenml-migration-lock-"));
const PASSWORD = "migration-lock-test-password";

let db: MariaDb | undefined;
let caFile = "";
const binDir = path.join(work, "bin");
const events = path.join(work, "events.log");

beforeAll(async () => {
  if (spawnSync(PYTHON, ["-c", "import pymysql"]).status !== 0) {
    throw new Error(`migration-lock test: ${PYTHON} with pymysql is missing; run .ci/e2e-prereqs.sh (apt-get install python3-pymysql)`);
  }
  const ca = makeTestCa(path.join(work, "ca"));
  caFile = ca.caFile;
  db = await startMariaDb({ dir: path.join(work, "db"), ca, database: "zenml_hybrid", user: "zenml", password: PASSWORD });
  // The stand-in CLI: logs start/end with the process id, sleeps, exits with ZENML_FAKE_EXIT.
  fs.mkdirSync(binDir);
  fs.writeFileSync(
    path.join(binDir, "zenml"),
    `#!/bin/sh\necho "start $$ $(date +%s%N) $*" >> ${events}\nsleep "\${ZENML_FAKE_SECONDS:-1}"\necho "end $$ $(date +%s%N)" >> ${events}\nexit "\${ZENML_FAKE_EXIT:-0}"\n`,
    { mode: 0o755 },
  );
}, 120_000);

afterAll(async () => {
  await db?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Runs the program as the task does; resolves with its exit code and output. */
function migrate(extra: NodeJS.ProcessEnv = {}, timeoutSeconds = 60): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ["-c", migrationProgram(timeoutSeconds)], {
      env: {
        PATH: `${binDir}:${process.env.PATH}`,
        ZENML_STORE_URL: `mysql://127.0.0.1:${db!.port}/zenml_hybrid`,
        ZENML_STORE_USERNAME: "zenml",
        ZENML_STORE_PASSWORD: PASSWORD,
        ZENML_STORE_SSL_CA: caFile,
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

test("three tasks starting together migrate one after another, over TLS verified with the CA file", async () => {
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
  const other = makeTestCa(fs.mkdtempSync(path.join(work, "other-ca-")), "Other CA");
  const r = await migrate({ ZENML_STORE_SSL_CA: other.caFile, ZENML_FAKE_SECONDS: "0" });
  expect(r.code).not.toBe(0);
  expect(r.output).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
}, 30_000);
