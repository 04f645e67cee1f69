/**
 * A private MariaDB server (Debian's mariadb-server) standing in for the RDS instance: TLS with a test
 * CA, `require_secure_transport=ON` (as the parameter group sets it), real grant tables (a wrong
 * password is refused with 1045), one database and one user. Shared by e2e/migration-lock.test.ts and
 * the real-server scenario (e2e/zenml-server.ts). Needs mariadb-server and openssl
 * (`.ci/e2e-prereqs.sh` installs them).
 *
 * MariaDB is not MySQL 8.4: a connection without TLS is refused with 1045 "Access denied" (MariaDB's
 * `require_secure_transport` fails the login, `sql/sql_acl.cc`), where MySQL answers 3159
 * "Connections using insecure transport are prohibited" (docs/runtime.md, Running the real server).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export const MARIADBD = "/usr/sbin/mariadbd";

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A free TCP port on 127.0.0.1 (never a fixed one: other suites run servers at the same time). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on("error", reject).listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A test CA and a server certificate it issued for 127.0.0.1 and localhost (files in `dir`). */
export interface TestCa {
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** Makes a CA (`/CN=<name>`) and a server certificate it issued for 127.0.0.1 and localhost. */
export function makeTestCa(dir: string, name = "Test RDS Root CA"): TestCa {
  fs.mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", f("ca.key"), "-out", f("ca.pem")]);
  run("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f("server.key"), "-out", f("server.csr")]);
  fs.writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run("openssl", ["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("san.ext"), "-out", f("server.pem")]);
  return { caFile: f("ca.pem"), caPem: fs.readFileSync(f("ca.pem"), "utf8"), certFile: f("server.pem"), keyFile: f("server.key") };
}

/** What is missing to run MariaDB here (empty when ready). */
export function mariadbMissing(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(MARIADBD)) missing.push(MARIADBD);
  if (spawnSync("mariadb-install-db", ["--help"]).error) missing.push("mariadb-install-db");
  if (spawnSync("openssl", ["version"]).status !== 0) missing.push("openssl");
  return missing;
}

/** Options of {@link startMariaDb}. */
export interface MariaDbOptions {
  /** Data, socket, error log. */
  readonly dir: string;
  readonly ca: TestCa;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** A running MariaDB server. */
export interface MariaDb {
  readonly port: number;
  readonly errorLog: string;
  /** Runs SQL as root over the Unix socket (not subject to require_secure_transport); returns tab-separated rows. */
  sql(statement: string): string;
  stop(): Promise<void>;
}

/** Starts MariaDB on a free port with TLS required, then creates the database and the user. */
export async function startMariaDb(o: MariaDbOptions): Promise<MariaDb> {
  const missing = mariadbMissing();
  if (missing.length > 0) throw new Error(`MariaDB test server: ${missing.join(", ")} missing; run .ci/e2e-prereqs.sh (apt-get install mariadb-server openssl)`);
  const datadir = path.join(o.dir, "data");
  const socket = path.join(o.dir, "mysqld.sock");
  const errorLog = path.join(o.dir, "mysqld.err");
  fs.mkdirSync(o.dir, { recursive: true });
  const install = () => run("mariadb-install-db", ["--no-defaults", `--datadir=${datadir}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"]);
  try {
    install();
  } catch (e) {
    // Seen once on a shared machine ("Table 'sys.x$…' doesn't exist" while another job ran apt): one fresh retry.
    process.stderr.write(`[mariadb] mariadb-install-db failed, retrying once: ${(e as Error).message.split("\n")[0]}\n`);
    fs.rmSync(datadir, { recursive: true, force: true });
    install();
  }
  const port = await freePort();
  const server = spawn(MARIADBD, [
    "--no-defaults", `--datadir=${datadir}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1",
    "--user=root", `--ssl-ca=${path.resolve(o.ca.caFile)}`, `--ssl-cert=${path.resolve(o.ca.certFile)}`, `--ssl-key=${path.resolve(o.ca.keyFile)}`,
    "--require-secure-transport=ON", `--pid-file=${path.join(o.dir, "mysqld.pid")}`, `--log-error=${errorLog}`, "--log-warnings=2",
    "--innodb-buffer-pool-size=64M", "--max-connections=200",
  ], { stdio: "ignore" });
  const sql = (statement: string) => run("mariadb", ["--no-defaults", `--socket=${socket}`, "-u", "root", "-N", "-B", "-e", statement]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnSync("mariadb", ["--no-defaults", `--socket=${socket}`, "-u", "root", "-e", "SELECT 1"]).status === 0) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      throw new Error(`mariadbd did not start: ${fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8").slice(-2000) : "(no log)"}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const q = (s: string) => s.replace(/'/g, "''");
  sql(`CREATE DATABASE \`${o.database}\`; CREATE USER '${q(o.user)}'@'%' IDENTIFIED BY '${q(o.password)}'; GRANT ALL ON \`${o.database}\`.* TO '${q(o.user)}'@'%'; FLUSH PRIVILEGES;`);
  return {
    port,
    errorLog,
    sql,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    },
  };
}
