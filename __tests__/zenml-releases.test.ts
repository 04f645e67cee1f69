/**
 * The ZenML release table (lib/zenml-releases.ts): well-formed, its wheel rows exactly what the
 * committed evidence (lib/zenml-releases.evidence.json, written by `npm run zenml-contract` from the
 * PyPI wheels) gives, the server environment this project builds fitting what every release's wheel
 * reads, every shipped and example version covered, a newer release accepted with one warning, and the
 * table in docs/runtime.md the same. No network: only committed files are read.
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments, zenmlVersionWarning } from "../lib/config/load";
import { zenmlContainerEnvironment, ZenmlRuntimeRefs, ZENML_STORE_CA_FILE } from "../lib/zenml-environment";
import {
  compareZenmlVersions,
  resolveZenmlRelease,
  supportedRanges,
  zenmlRelease,
  ZENML_BACKUP_STRATEGIES,
  ZENML_LOGGING_LEVELS,
  ZENML_MIGRATION_BACKUP_STRATEGY,
  ZENML_NEWEST_KNOWN_RELEASE,
  ZENML_RELEASES,
} from "../lib/zenml-releases";
import {
  EVIDENCE_FILE,
  EvidenceFile,
  FIRST_WHEEL_RELEASE,
  generatedPart,
  renderWheelRows,
  TABLE_FILE,
  wheelRows,
} from "../scripts/zenml-contract/table";
import { configFrom, ROOT, shippedFile, synthAll } from "./helpers";

const evidence: EvidenceFile = JSON.parse(fs.readFileSync(path.join(ROOT, EVIDENCE_FILE), "utf8"));
const wheelRowsOfTable = ZENML_RELEASES.filter((r) => r.source === "wheel");

test("rows are ordered and do not overlap, git rows first; levels and strategies are known values", () => {
  ZENML_RELEASES.forEach((r, i) => {
    expect(compareZenmlVersions(r.from, r.through)).toBeLessThanOrEqual(0);
    if (i > 0) expect(compareZenmlVersions(ZENML_RELEASES[i - 1].through, r.from)).toBeLessThan(0);
    if (i > 0 && ZENML_RELEASES[i - 1].source === "wheel") expect(r.source).toBe("wheel");
    if (i > 0 && ZENML_RELEASES[i - 1].proIdentity === "workspace") expect(r.proIdentity).toBe("workspace");
    for (const level of r.loggingLevels) expect(ZENML_LOGGING_LEVELS).toContain(level);
    for (const s of r.backupStrategies) expect(ZENML_BACKUP_STRATEGIES).toContain(s);
    expect(r.loggingLevels).toContain("WARN");
  });
  const lastGit = ZENML_RELEASES.filter((r) => r.source === "git").pop()!;
  expect(compareZenmlVersions(lastGit.through, FIRST_WHEEL_RELEASE)).toBeLessThan(0);
  expect(wheelRowsOfTable[0].from).toBe(FIRST_WHEEL_RELEASE);
});

test("lookup: a version belongs to the newest row starting at or before it; older and non-release tags are unknown", () => {
  expect(zenmlRelease("0.73.9")?.storeSslField).toBe(false);
  expect(zenmlRelease("0.74.0")?.storeSslField).toBe(true);
  expect(zenmlRelease("0.75.0")).toMatchObject({ source: "wheel", proIdentity: "tenant" });
  expect(zenmlRelease("0.80.0")?.proIdentity).toBe("workspace");
  expect(zenmlRelease("0.94.10")?.proIdentity).toBe("workspace");
  expect(zenmlRelease("0.55.0")).toBeUndefined();
  for (const tag of ["0.84.3rc1", "v0.84.3", "0.84", "latest"]) expect(zenmlRelease(tag)).toBeUndefined();
});

test("a release newer than the table gets the newest row, marked newer; the newest release read is not", () => {
  const newest = ZENML_RELEASES[ZENML_RELEASES.length - 1];
  expect(ZENML_NEWEST_KNOWN_RELEASE).toBe(newest.through);
  expect(resolveZenmlRelease(ZENML_NEWEST_KNOWN_RELEASE)).toEqual({ contract: newest, newerThanTable: false });
  for (const v of ["0.99.0", "1.0.0", "0.98.1"]) expect(resolveZenmlRelease(v)).toEqual({ contract: newest, newerThanTable: true });
  expect(resolveZenmlRelease("0.84.3")?.newerThanTable).toBe(false);
});

describe("the wheel rows and the committed evidence agree", () => {
  test("the evidence covers every release from the first wheel release, each wheel named with its sha256", () => {
    expect(evidence.command).toBe("npm run zenml-contract");
    expect(evidence.firstRelease).toBe(FIRST_WHEEL_RELEASE);
    expect(evidence.releases[0].version).toBe(FIRST_WHEEL_RELEASE);
    const versions = evidence.releases.map((r) => r.version);
    expect([...versions].sort(compareZenmlVersions)).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
    for (const r of evidence.releases) {
      expect(r.wheel).toBe(`zenml-${r.version}-py3-none-any.whl`);
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(versions[versions.length - 1]).toBe(ZENML_NEWEST_KNOWN_RELEASE);
  });

  test("the generated part of lib/zenml-releases.ts is what the evidence renders to", () => {
    const table = fs.readFileSync(path.join(ROOT, TABLE_FILE), "utf8");
    expect(generatedPart(table)).toBe(renderWheelRows(wheelRows(evidence.releases)));
  });

  test.each(evidence.releases.map((r) => [r.version, r] as const))("%s: its row says what its wheel says", (version, r) => {
    const resolved = resolveZenmlRelease(version)!;
    expect(resolved.newerThanTable).toBe(false);
    const row = resolved.contract;
    expect(row.source).toBe("wheel");
    expect(row.evidence).toContain(r.wheel);
    expect(row.storeSslField).toBe(r.store.fields.includes("ssl"));
    expect(row.storeExtra).toBe(r.store.extra);
    expect([...row.loggingLevels].sort()).toEqual([...r.loggingLevels].sort());
    expect([...row.backupStrategies].sort()).toEqual([...r.backupStrategies].sort());
    expect(r.pro.required).toContain(`${row.proIdentity}_id`);
  });

  test("every row's wheels are exactly the releases from its first to its last", () => {
    for (const row of wheelRowsOfTable) {
      const members = evidence.releases.filter((r) => compareZenmlVersions(r.version, row.from) >= 0 && compareZenmlVersions(r.version, row.through) <= 0);
      expect(row.evidence.match(/zenml-[^ ,]+\.whl/g)).toEqual(members.map((m) => m.wheel));
    }
  });
});

describe("what this project sets fits what every deployable release's wheel reads", () => {
  const dev = configFrom(shippedFile("dev"), "dev");
  const refs: ZenmlRuntimeRefs = {
    dbAddress: "db.example", dbSecretArn: "arn:db", oauth2SecretValueFrom: "arn:oauth", jwtSecretValueFrom: "arn:jwt",
    secretsStoreKeyValueFrom: "arn:key", dbCaCertIdentifier: "rds-ca-rsa2048-g1",
  };
  const deployable = evidence.releases.filter((r) => r.pro.required.includes("workspace_id"));

  test("the deployable releases start at 0.80.0 and run to the newest", () => {
    expect(deployable[0].version).toBe("0.80.0");
    expect(deployable[deployable.length - 1].version).toBe(ZENML_NEWEST_KNOWN_RELEASE);
  });

  test.each(deployable.map((r) => [r.version, r] as const))("%s", (version, r) => {
    const config = { ...dev, zenml: { ...dev.zenml, version } };
    for (const container of Object.values(zenmlContainerEnvironment(config, refs)).filter((c) => typeof c === "object" && "environment" in c)) {
      const names = [...Object.keys(container.environment), ...Object.keys(container.secrets)];
      // GlobalConfiguration.get_store_configuration: ZENML_STORE_<X> -> field <x>. An unknown one stops the
      // server (extra=forbid) or is dropped silently (ignore): either way every one must be a field.
      for (const n of names.filter((n) => n.startsWith("ZENML_STORE_"))) expect(r.store.fields).toContain(n.slice("ZENML_STORE_".length).toLowerCase());
      // ServerProConfiguration.get_server_config: ZENML_SERVER_PRO_<X> -> field <x>; all required ones set.
      const pro = names.filter((n) => n.startsWith("ZENML_SERVER_PRO_")).map((n) => n.slice("ZENML_SERVER_PRO_".length).toLowerCase());
      for (const field of pro) expect([...r.pro.required, ...r.pro.optional]).toContain(field);
      for (const field of r.pro.required) expect(pro).toContain(field);
      // TLS: ssl=true is what turns the CA and verification on. The wheel takes PEM text or a path; the task
      // passes a path (the file writable-volumes writes): PEM text stops 0.84.3 at start, as the real server
      // showed (e2e/zenml-server.test.ts; lib/zenml-environment.ts ZENML_STORE_CA_FILE).
      expect(container.environment.ZENML_STORE_SSL).toBe("true");
      expect(r.store.tlsOnlyIfSsl).toBe(true);
      expect(container.environment.ZENML_STORE_SSL_CA).toBe(ZENML_STORE_CA_FILE);
      expect(r.store.sslCa).toMatchObject({ takes: "pem-or-path", writtenTo: "<GlobalConfiguration().local_stores_path>/certificates/ssl_ca.pem", fileMode: "0o600" });
      expect(r.backupStrategies).toContain(container.environment.ZENML_STORE_BACKUP_STRATEGY);
      // ZENML_LOGGING_VERBOSITY: upper-cased, then a LoggingLevels member name.
      expect(r.verbosity).toEqual({ upperCases: true, acceptsMemberNamesOnly: true });
      expect(r.loggingLevels).toContain(container.environment.ZENML_LOGGING_VERBOSITY.toUpperCase());
    }
    // ZENML_SERVER_PORT (the guide's name, kept) is read by nothing: no source mentions it and
    // ServerConfiguration has no port field. The port is the image's CMD (not in the wheel).
    expect(r.serverPort).toEqual({ filesWithZenmlServerPort: [], serverConfigurationHasPortField: false });
    expect(r.serverCommandInWheel).toEqual({ helmCharts: [], dockerfiles: [] });
  });
});

test("every shipped and example workspace runs a deployable release that has the chosen backup strategy", () => {
  const dirs = [path.join(ROOT, "config"), ...["byo-network", "multi-workspace", "workload-manager"].map((e) => path.join(ROOT, "examples", e, "config"))];
  const versions = dirs.flatMap((d) => loadEnvironments(d)).flatMap((c) => (c.kind === "workspace" ? [c.zenml.version] : []));
  expect(versions).toContain("0.84.3");
  for (const v of versions) {
    const release = zenmlRelease(v)!;
    expect(release.proIdentity).toBe("workspace");
    expect(release.storeSslField).toBe(true);
    expect(release.backupStrategies).toContain(ZENML_MIGRATION_BACKUP_STRATEGY);
  }
  expect(supportedRanges()).toBe(`0.80.0 and later (read from the wheels up to ${ZENML_NEWEST_KNOWN_RELEASE})`);
});

describe("zenml.version newer than the table", () => {
  const withVersion = (name: string, version: string) => {
    const doc = shippedFile("dev");
    doc.zenml.version = version;
    return configFrom(doc, name);
  };

  test("0.98.0, the newest release read, synthesizes with its own row and no warning", () => {
    const config = withVersion("v0980", "0.98.0");
    expect(zenmlVersionWarning([config])).toBeUndefined();
    const stack = synthAll([config]).v0980;
    const task = Object.values(stack.resource.aws_ecs_task_definition)[0] as any;
    const server = JSON.parse(task.container_definitions).find((c: any) => c.name === "zenml-server");
    expect(server.image).toMatch(/:0\.98\.0$/);
    const env = Object.fromEntries(server.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ ZENML_STORE_SSL: "true", ZENML_STORE_BACKUP_STRATEGY: "disabled" });
  });

  test("one warning for all newer stacks, naming npm run preflight and the command that extends the table", () => {
    const configs = [withVersion("a", "0.99.0"), withVersion("b", "1.2.3"), withVersion("c", "0.84.3")];
    const warning = zenmlVersionWarning(configs)!;
    expect(warning.match(/^warning:/gm)).toHaveLength(1);
    expect(warning).toContain("a (0.99.0), b (1.2.3)");
    expect(warning).not.toContain("c (");
    expect(warning).toContain("npm run preflight");
    expect(warning).toContain("npm run zenml-contract");
    expect(warning).toContain(`using ${ZENML_NEWEST_KNOWN_RELEASE}'s contract`);
  });
});

test("docs/runtime.md shows the same table", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "runtime.md"), "utf8");
  const rows = doc.split("\n").filter((l) => /^\| \d+\.\d+\.\d+–\d+\.\d+\.\d+ \|/.test(l));
  expect(rows).toHaveLength(ZENML_RELEASES.length);
  ZENML_RELEASES.forEach((r, i) => {
    const cells = rows[i].split("|").slice(1, -1).map((c) => c.trim());
    expect(cells[0]).toBe(`${r.from}–${r.through}`);
    expect(cells[1]).toBe(r.source);
    expect(cells[2].startsWith(r.storeSslField ? "yes" : "no")).toBe(true);
    expect(cells[3]).toBe(r.storeExtra);
    expect(cells[4]).toBe(r.loggingLevels.join(", "));
    expect(cells[5]).toBe(r.backupStrategies.join(", "));
    expect(cells[6]).toBe(r.proIdentity);
    expect(cells[7]).toBe(r.proIdentity === "workspace" ? "yes" : "no");
  });
});
