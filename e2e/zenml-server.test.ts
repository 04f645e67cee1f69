/**
 * The real ZenML server run from the synthesized task definition (e2e/zenml-server.ts emulates ECS;
 * docs/runtime.md, "Running the real server", says what this proves and what it does not), for the
 * shipped default release (config/dev.json) and the newest release of the contract table that has
 * pinned requirements (e2e/requirements-zenml-<v>.txt):
 *
 * 1. the shipped dev config, copied with `zenml.version` = the release and `zenml.apiUrl` = a loopback
 *    HTTPS control-plane stand-in, is synthesized; the task is read from its cdk.tf.json;
 * 2. two tasks: each runs `writable-volumes`, then both run the `migrate-database` container's own
 *    program at once: one migrates, the other waits on the lock and exits 0; the schema is at the
 *    release's Alembic head;
 * 3. the serving container starts with the image's command: the target group's health check passes,
 *    /api/v1/info reports the cloud deployment and the Pro dashboard, the control plane received the
 *    task's OAuth2 client id and secret, the log is at the configured level with no ERROR line;
 * 4. every verify log signature a real server can produce is produced and matched from its real output;
 * 5. mutation checks: without ZENML_STORE_SSL the scenario fails on the database's TLS refusal; with the
 *    task's port changed it fails on /health.
 *
 * Needs bubblewrap, MariaDB, openssl and the venvs (`bash .ci/e2e-prereqs.sh`). Logs: $E2E_WORK_DIR/zenml-server
 * (default a temp dir), one folder per release and task. Run alone:
 * `E2E_WORK_DIR=/tmp/x npm run test:e2e -- e2e/zenml-server.test.ts`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZENML_NEWEST_KNOWN_RELEASE } from "../lib/zenml-releases";
import { CHECK_IDS } from "../scripts/verify/checks";
import { log, REPO, run } from "./harness";
import { freePort, MariaDb, makeTestCa, mariadbMissing, TestCa } from "./mariadb";
import {
  alembicHeads,
  ControlPlaneStandIn,
  diagnose,
  EmulatedTask,
  EmulationOptions,
  httpGet,
  httpsFront,
  mutateContainer,
  pinnedZenmlReleases,
  prepareRealServer,
  RealServerSetup,
  realServerMissing,
  scenarioReleases,
  SecretValues,
  startTask,
  SynthTask,
  waitHealthy,
  withEnvironment,
  zenmlVenv,
} from "./zenml-server";

const SHIPPED = JSON.parse(fs.readFileSync(path.join(REPO, "config", "dev.json"), "utf8"));
const RELEASES = scenarioReleases(SHIPPED.zenml.version);
const ROOT = process.env.E2E_WORK_DIR ? path.join(path.resolve(process.env.E2E_WORK_DIR), "zenml-server") : fs.mkdtempSync(path.join(os.tmpdir(), "zenml-server-"));
const SERVER_START_MS = 120_000;

const envOf = (task: SynthTask, container: string): Record<string, string> =>
  Object.fromEntries((task.containers.find((c) => c.name === container)?.environment ?? []).map((e) => [e.name, e.value]));

test("the scenario covers the shipped default and the newest release of the contract table with pins", () => {
  expect(RELEASES).toEqual([SHIPPED.zenml.version, ZENML_NEWEST_KNOWN_RELEASE]);
  // Every release the scenario runs has its pinned requirements (e2e/requirements-zenml-<v>.txt).
  expect(pinnedZenmlReleases()).toEqual(expect.arrayContaining(RELEASES));
  log("zenml-server", `releases run: ${RELEASES.join(", ")}`);
  const missing = [...mariadbMissing(), ...realServerMissing(RELEASES)];
  if (missing.length > 0) throw new Error(`the real-server scenario cannot run: ${missing.join("; ")} (run bash .ci/e2e-prereqs.sh)`);
});

describe.each(RELEASES)("zenml[server]==%s from the synthesized task", (version) => {
  const dir = path.join(ROOT, version);
  let setup: RealServerSetup;
  let task: SynthTask;
  let ca: TestCa;
  let db: MariaDb;
  let cp: ControlPlaneStandIn;
  let secrets: SecretValues;
  let oauth2Secret = "";
  const substitutions = new Set<string>();

  /** A fresh emulated task (own volumes) of this set-up, with changes. */
  const emulate = (name: string, t: SynthTask = task, o: Partial<EmulationOptions> = {}) => new EmulatedTask(t, name, { ...setup.options, ...o });
  const remember = (e: EmulatedTask) => e.substitutions.forEach((x) => substitutions.add(x));

  /** Starts the serving container on a fresh task (volumes prepared, schema already migrated); it must fail. */
  async function failingServer(e: EmulatedTask): Promise<{ code: number | null; text: string; ids: string[] }> {
    const prep = await e.run("writable-volumes");
    expect(prep.code).toBe(0);
    const server = await e.start(e.task.serving.name);
    const timer = setTimeout(() => void server.stop(), SERVER_START_MS);
    const r = await server.exited;
    clearTimeout(timer);
    remember(e);
    return { code: r.code, text: r.text, ids: diagnose(r.text) };
  }

  beforeAll(async () => {
    setup = await prepareRealServer({ dir, version, configFile: path.join(REPO, "config", "dev.json") });
    ({ task, ca, db, cp, secrets, oauth2Secret } = setup);
    substitutions.add(setup.configChanges);
    log(`zenml ${version}`, `synthesized; MariaDB on ${db.port}, control plane ${cp.url}; logs in ${dir}`);
  }, 180_000);

  afterAll(async () => {
    await setup?.stop();
    fs.writeFileSync(path.join(dir, "substitutions.txt"), [...substitutions].join("\n") + "\n");
    log(`zenml ${version}`, `substitutions:\n  ${[...substitutions].join("\n  ")}`);
  }, 60_000);

  test("writable-volumes, then the migration program twice at once: one migrates, the other waits on the lock; schema at head", async () => {
    const a = emulate("task-a");
    const b = emulate("task-b");
    expect(a.startupOrder()).toEqual([
      { name: "writable-volumes", condition: "SUCCESS" },
      { name: "migrate-database", condition: "SUCCESS" },
    ]);
    for (const e of [a, b]) {
      const r = await e.run("writable-volumes");
      expect(r.code).toBe(0);
      for (const v of task.volumes) expect(fs.statSync(e.volumeDir(v)).mode & 0o7777).toBe(0o1777);
    }
    // The CA file the migration and the server read (ZENML_STORE_SSL_CA), written from the task.
    const caPath = envOf(task, "migrate-database").ZENML_STORE_SSL_CA;
    const mount = task.containers.find((c) => c.name === "migrate-database")!.mountPoints!.find((m) => caPath.startsWith(`${m.containerPath}/`))!;
    const caOnHost = path.join(a.volumeDir(mount.sourceVolume), caPath.slice(mount.containerPath.length));
    expect(fs.readFileSync(caOnHost, "utf8")).toBe(ca.caPem);
    expect(fs.statSync(caOnHost).mode & 0o777).toBe(0o444);

    const [ra, rb] = await Promise.all([a.run("migrate-database"), b.run("migrate-database")]);
    remember(a);
    for (const r of [ra, rb]) {
      expect({ code: r.code, ids: diagnose(r.text) }).toEqual({ code: 0, ids: [] });
      expect(r.text).toContain("migration lock acquired; running zenml migrate-database");
      expect(r.text).toContain("Database migration finished.");
    }
    const acquired = (r: typeof ra) => r.lines.find((l) => l.line.includes("migration lock acquired"))!.t;
    const [first, second] = acquired(ra) <= acquired(rb) ? [ra, rb] : [rb, ra];
    // The second took the lock only when the first had finished its migration.
    const firstDone = first.lines.find((l) => l.line.includes("Database migration finished."))!.t;
    expect(acquired(second)).toBeGreaterThanOrEqual(firstDone);
    expect(first.text).toContain("Creating database tables");
    expect(second.text).not.toContain("Creating database tables");
    const heads = alembicHeads(zenmlVenv(version));
    const database = /\/([^/]+)$/.exec(envOf(task, "migrate-database").ZENML_STORE_URL)![1];
    expect(db.sql(`SELECT version_num FROM \`${database}\`.alembic_version`).trim().split("\n").sort()).toEqual(heads);
    log(`zenml ${version}`, `migrated once to ${heads.join(",")}; the second task waited ${((acquired(second) - second.startedAt) / 1000).toFixed(1)} s on the lock`);
  }, 300_000);

  test("the server: health check, /api/v1/info of a Pro workspace, the control-plane login with the task's client id and secret, npm run verify's https check, logs at the configured level", async () => {
    const e = emulate("task-a-server");
    expect((await e.run("writable-volumes")).code).toBe(0);
    const env = e.environment(task.serving);
    const server = await e.start(task.serving.name);
    try {
      const health = await waitHealthy(e, server, SERVER_START_MS);
      expect(health.status).toBe(200);
      const info = await httpGet(`${await e.baseUrl()}/api/v1/info`);
      expect(info?.status).toBe(200);
      const body = JSON.parse(info!.body);
      expect(body).toMatchObject({ version, deployment_type: "cloud", auth_scheme: "EXTERNAL", pro_dashboard_url: env.ZENML_SERVER_PRO_DASHBOARD_URL, pro_workspace_id: env.ZENML_SERVER_PRO_WORKSPACE_ID });
      // The control plane: the client-credentials login with the task's client id (the workspace ID,
      // ServerConfiguration.external_server_id for a cloud deployment) and the secret ECS injected.
      const logins = cp.logins();
      expect(logins.length).toBeGreaterThan(0);
      expect(Object.fromEntries(logins[0])).toEqual({ client_id: env.ZENML_SERVER_PRO_WORKSPACE_ID, client_secret: oauth2Secret, audience: env.ZENML_SERVER_PRO_OAUTH2_AUDIENCE, grant_type: "client_credentials" });
      expect(cp.requests.filter((r) => r.path === "/workspace_status").map((r) => [r.method, r.status])).toEqual([["PATCH", 200]]);
      await verifyHttps(await e.baseUrl());
    } finally {
      await server.stop();
      remember(e);
    }
    const text = server.lines().map((l) => l.line).join("\n");
    expect(env.ZENML_LOGGING_VERBOSITY).toBe(SHIPPED.zenml.loggingLevel ?? "INFO");
    // INFO: ZenML's INFO lines appear (0.98.0 prints the level; 0.84.3 prints INFO messages bare), no DEBUG line, no ERROR line.
    expect(text).toMatch(/Application startup complete/);
    expect(text).not.toMatch(/\|\s*DEBUG\s*\||^DEBUG:/m);
    expect(diagnose(text)).toEqual([]);
  }, 300_000);

  /**
   * `npm run verify` (the built command) against the live server behind HTTPS with the test CA: its
   * https check (/health, / leading to the Pro login, /api/v1/info) passes with --ca and fails without.
   * The AWS checks are skipped here (they run on moto in e2e/verify-step.ts); the outputs are a saved
   * `terraform output -json` with the stack's names.
   */
  async function verifyHttps(target: string): Promise<void> {
    const front = await httpsFront(ca, target);
    try {
      const outputs = path.join(dir, "outputs.json");
      const value = (v: string) => ({ value: v, type: "string", sensitive: false });
      fs.writeFileSync(outputs, JSON.stringify({
        url: value(`https://${new URL(envOf(task, task.serving.name).ZENML_SERVER_SERVER_URL).hostname}`),
        cluster_name: value(SHIPPED.name), service_name: value("zenml-server"), log_group: value(`/ecs/${SHIPPED.name}`), alb_dns_name: value("alb.example"),
        oauth2_secret_arn: value(`arn:aws:secretsmanager:${SHIPPED.region}:123456789012:secret:oauth2`),
      }));
      const skip = CHECK_IDS.filter((c) => c !== "https").join(",");
      const verify = (extra: string[]) =>
        run(process.execPath, [path.join(REPO, "dist", "scripts", "verify.js"), "dev", "--outputs", outputs, "--url", front.url, "--skip", skip, "--format", "json", ...extra], {
          cwd: REPO, env: { ...process.env, AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" }, logFile: path.join(dir, "verify.log"), timeoutMs: 60_000,
        });
      const ok = await verify(["--ca", ca.caFile]);
      const https = JSON.parse(ok.stdout).checks.find((c: { id: string }) => c.id === "https");
      expect({ code: ok.code, status: https.status }).toEqual({ code: 0, status: "pass" });
      expect(https.summary).toContain(envOf(task, task.serving.name).ZENML_SERVER_PRO_DASHBOARD_URL);
      const untrusted = await verify([]);
      expect(untrusted.code).toBe(1);
      expect(JSON.parse(untrusted.stdout).checks.find((c: { id: string }) => c.id === "https").summary).toMatch(/pass --ca FILE/);
    } finally {
      await front.close();
    }
  }

  // Every verify log signature a real server produces, from its real output.
  const cases: [string, string, () => { t?: SynthTask; o?: Partial<EmulationOptions>; check?: (ids: string[]) => void }][] = [
    ["control-plane-auth", "a wrong OAuth2 client secret (the control plane answers 401)", () => ({ o: { secrets: { ...secrets, [Object.keys(secrets).find((k) => k.endsWith("/oauth2-client-secret"))!]: "wrong-secret" } } })],
    ["mysql-access-denied", "a wrong database password (1045)", () => ({ o: { secrets: { ...secrets, "rds-managed": JSON.stringify({ username: setup.dbUser, password: "wrong" }) } } })],
    ["mysql-unreachable", "nothing listening at the database address (2003)", () => ({ o: { dbPort: closedPort } })],
    ["logging-verbosity", "an unknown ZENML_LOGGING_VERBOSITY", () => ({ t: withEnvironment(task, task.serving.name, "ZENML_LOGGING_VERBOSITY", "VERBOSE") })],
    ["certificate-verify-failed", "a CA that did not issue the database's certificate", () => ({ o: { dbCaPem: makeTestCa(path.join(dir, "other-ca"), "Other CA").caPem } })],
  ];
  let closedPort = 0;
  beforeAll(async () => {
    closedPort = await freePort();
  });

  test(`every producible verify signature from the real output: ${cases.map(([id]) => id).join(", ")}`, async () => {
    // The cases are independent tasks (own volumes, own ports): run at once, report every mismatch.
    const results = await Promise.all(
      cases.map(async ([id, what, make]) => {
        const { t, o } = make();
        const r = await failingServer(emulate(`signature-${id}`, t ?? task, o ?? {}));
        // The specific signature, and no other (uvicorn's "ERROR:    Traceback …" header line is the generic error-line).
        const specific = r.ids.filter((x) => x !== "error-line");
        const ok = r.code !== 0 && specific.join() === id;
        return ok ? "" : `${id} (${what}): exit ${r.code}, diagnoses [${r.ids.join(", ")}]:\n${r.text.split("\n").slice(-12).join("\n")}`;
      }),
    );
    const failed = results.filter(Boolean);
    if (failed.length > 0) throw new Error(failed.join("\n\n"));
    // The wrong secret reached the control plane and was answered 401.
    expect(cp.requests.some((q) => q.path === "/auth/login" && q.status === 401 && new URLSearchParams(q.body).get("client_secret") === "wrong-secret")).toBe(true);
  }, 300_000);

  test("mutation: without ZENML_STORE_SSL the task fails on the database's refusal of a connection without TLS", async () => {
    let t = task;
    for (const c of ["migrate-database", task.serving.name]) t = withEnvironment(t, c, "ZENML_STORE_SSL", undefined);
    const e = emulate("mutation-no-ssl", t);
    const err = await startTask(e, SERVER_START_MS).then((server) => server.stop().then(() => undefined), (x: Error) => x);
    remember(e);
    expect(err?.message).toMatch(/^migrate-database exited 1; diagnosis: /);
    // MariaDB answers a connection without TLS under require_secure_transport with 1045 "Access denied"
    // (MySQL 8.4 with 3159, matched by mysql-insecure-transport); the password is the one that works with TLS.
    expect(err!.message).toMatch(/mysql-access-denied|mysql-insecure-transport/);
  }, 300_000);

  test("mutation: with the task's port changed, the task fails on /health", async () => {
    // As `service.containerPort: 9090` would change it: the port mapping, the health check and the guide's
    // ZENML_SERVER_PORT (which no ZenML code reads, so the image keeps listening on 8080).
    const t = withEnvironment(
      mutateContainer(task, task.serving.name, (c) => ({ ...c, portMappings: c.portMappings!.map((p) => ({ ...p, containerPort: 9090, hostPort: 9090 })) })),
      task.serving.name, "ZENML_SERVER_PORT", "9090",
    );
    const moved: SynthTask = { ...t, healthCheck: { ...t.healthCheck, port: 9090 } };
    const e = emulate("mutation-port", moved);
    const err = await startTask(e, SERVER_START_MS).then((server) => server.stop().then(() => undefined), (x: Error) => x);
    remember(e);
    expect(err?.message).toMatch(/^\/health: the target group's health check \/health on port 9090 .* did not pass .*server up: true/);
  }, 300_000);
});
