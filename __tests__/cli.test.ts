/**
 * The compiled app as `cdktf synth` runs it (`node dist/main.js`): good config writes every stack,
 * bad config writes nothing and exits 1 with the problems. The shipped synth runs as a new user would,
 * with no Terraform on PATH, and under a preload that fails any child process.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { RULES_BY_ID } from "../lib/policy";
import { CONFIG_DIR, ROOT, shippedFile, tempDir } from "./helpers";

const MAIN = path.join(ROOT, "dist", "main.js");
/** Fails (and reports on stderr) any child process the app starts. */
const DENY_CHILD_PROCESS = path.join(__dirname, "fixtures", "deny-child-process.js");
/** A PATH with no terraform (nor tofu) on it: synthesis needs only Node. */
const PATH_WITHOUT_TERRAFORM = "/usr/bin:/bin";

function runApp(configDir: string, outdir: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const { ZENML_VERBOSE: _verbose, ...inherited } = process.env;
  return spawnSync(process.execPath, [...nodeArgs, MAIN], {
    env: { ...inherited, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
}

let work: string;
/** One synth of the shipped config, shared by the tests that only read what it wrote or printed. */
let shipped: { out: string; result: ReturnType<typeof runApp> };
beforeAll(() => {
  work = tempDir("zenml-cli-");
  const out = path.join(work, "good");
  shipped = { out, result: runApp(CONFIG_DIR, out, { PATH: PATH_WITHOUT_TERRAFORM }, ["-r", DENY_CHILD_PROCESS]) };
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("the preload that guards synth really fails a child process (so the next test can fail)", () => {
  const r = spawnSync(process.execPath, ["-r", DENY_CHILD_PROCESS, "-e", "require('child_process').execSync('terraform version')"], { encoding: "utf8" });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('child process denied: execSync "terraform version"');
});

test("synth starts no child process and needs no terraform on PATH", () => {
  expect(spawnSync("sh", ["-c", "command -v terraform"], { env: { PATH: PATH_WITHOUT_TERRAFORM } }).status).not.toBe(0);
  expect(shipped.result.stderr).not.toContain("child process denied");
  expect(shipped.result.status).toBe(0);
});

test("the shipped config synthesizes dev, prod and the bootstrap stack", () => {
  const { out, result } = shipped;
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual(["dev", "prod", "state-bootstrap"]);
  for (const stack of ["dev", "prod", "state-bootstrap"]) {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource).length).toBeGreaterThan(0);
  }
  // What the pre-migration snapshot step runs at apply time is in the workspace stacks' folders.
  for (const stack of ["dev", "prod"]) {
    const file = path.join(out, "stacks", stack, "pre-migration-snapshot.js");
    expect(fs.readFileSync(file, "utf8")).toContain("CreateDBSnapshot");
    expect(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8")).toContain('node \\"${path.module}/pre-migration-snapshot.js\\"');
  }
  expect(fs.existsSync(path.join(out, "stacks", "state-bootstrap", "pre-migration-snapshot.js"))).toBe(false);
});

test("quiet by default: the shipped synth prints at most 5 lines (the policy summary), the suppressions go to files", () => {
  const { out, result } = shipped;
  expect(result.status).toBe(0);
  const lines = result.stdout.split("\n").filter((l) => l.trim() !== "");
  expect(lines.length).toBeLessThanOrEqual(5);
  expect(lines[0]).toMatch(/^policy: \d+ rules, \d+ checks, 0 violations, (\d+) suppressed \(listed in .*stacks\/<stack>\/policy\/\)$/);
  const count = Number(/(\d+) suppressed/.exec(lines[0])![1]);
  expect(count).toBeGreaterThan(5);
  expect(result.stdout).not.toContain("suppressed ZN");
  // Every accepted finding is in the stacks' SARIF reports, marked as suppressed with its reason.
  const sarif = ["dev", "prod", "state-bootstrap"].flatMap((s) => JSON.parse(fs.readFileSync(path.join(out, "stacks", s, "policy", "report.sarif"), "utf8")).runs[0].results);
  expect(sarif).toHaveLength(count);
  for (const r of sarif) expect(r.suppressions).toEqual([{ kind: "inSource", status: "accepted", justification: expect.stringMatching(/.{15,}/) }]);
});

test("ZENML_VERBOSE=1 also prints every suppression with its reason", () => {
  const result = runApp(CONFIG_DIR, path.join(work, "verbose"), { ZENML_VERBOSE: "1" });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("  suppressed ZNALB4 on dev/load-balancer/alb: The guide's design");
  expect(result.stdout.split("\n").filter((l) => l.startsWith("  suppressed ")).length).toBeGreaterThan(5);
});

test("every suppression of a rule mapped to a scanner, and every checkov justification, is in that scanner's generated file, and nothing else is", () => {
  const { out, result } = shipped;
  expect(result.status).toBe(0);
  let mapped = 0;
  for (const stack of ["dev", "prod", "state-bootstrap"]) {
    const dir = path.join(out, "stacks", stack);
    const stackJson = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
    const source: Record<string, { rule: string }[]> = stackJson["//"].policy_suppressions ?? {};
    const baseline = JSON.parse(fs.readFileSync(path.join(dir, "policy", "checkov-baseline.json"), "utf8"));
    const rego = fs.readFileSync(path.join(dir, "policy", "trivy-ignore.rego"), "utf8");
    const list = JSON.parse(fs.readFileSync(path.join(dir, "policy", "suppressions.json"), "utf8")).suppressions;
    // checkov's Baseline._is_check_in_baseline: any file's finding with the same resource lists the check ID.
    const inBaseline = (resource: string, id: string) =>
      baseline.failed_checks.some((f: any) => f.findings.some((x: any) => x.resource === resource && x.check_ids.includes(id)));
    const trivyRows = [...rego.matchAll(/\{"resource": ("[^"]+"), "ids": \{([^}]*)\}, "rule": ("[^"]+")/g)].map((m) => ({
      resource: JSON.parse(m[1]),
      ids: m[2].split(", ").map((s) => JSON.parse(s)),
      rule: JSON.parse(m[3]),
    }));
    const expectedTrivy: string[] = [];
    const expectedCheckov = new Set<string>();
    for (const [address, entries] of Object.entries(source)) {
      const name = address.split(".").slice(1).join(".");
      for (const { rule: id } of entries) {
        const rule = RULES_BY_ID.get(id)!;
        for (const checkId of rule.scanners.checkov ?? []) {
          mapped++;
          expect({ address, checkId, found: inBaseline(address, checkId) && inBaseline(`resource.${name}`, checkId) }).toEqual({ address, checkId, found: true });
          expectedCheckov.add(address).add(`resource.${name}`);
          // A standalone security group rule's suppression covers its group (what a plan shows the rule on).
          const group = address.startsWith("aws_security_group_rule.") ? /\$\{(aws_security_group\.[^.}]+)\.id\}/.exec(stackJson.resource.aws_security_group_rule[name].security_group_id)?.[1] : undefined;
          if (group) {
            expect({ group, checkId, found: inBaseline(group, checkId) && inBaseline(`resource.${group.split(".")[1]}`, checkId) }).toEqual({ group, checkId, found: true });
            expectedCheckov.add(group).add(`resource.${group.split(".")[1]}`);
          }
        }
        for (const checkId of rule.scanners.trivy ?? []) {
          mapped++;
          expect(trivyRows.some((r) => r.resource === address && r.rule === id && r.ids.includes(checkId) && r.ids.includes(`AVD-${checkId}`))).toBe(true);
        }
        if ((rule.scanners.trivy ?? []).length > 0) expectedTrivy.push(`${address} ${id}`);
        for (const checkId of rule.scanners.kics ?? []) {
          mapped++;
          expect(list.some((e: any) => e.address === address && e.rule === id && e.scanners.kics.includes(checkId))).toBe(true);
        }
      }
    }
    // The per-resource checkov justifications (lib/policy/scanner-justifications.ts) are in the baseline too.
    const justified = JSON.parse(fs.readFileSync(path.join(dir, "policy", "suppressions.json"), "utf8")).scannerJustifications.filter((j: any) => j.scanner === "checkov");
    for (const j of justified) {
      const [head, ...rest] = j.address.split(".");
      const short = head === "data" ? `data.${rest.slice(1).join(".")}` : `resource.${rest.join(".")}`;
      for (const id of j.ids) expect({ address: j.address, id, found: inBaseline(j.address, id) && inBaseline(short, id) }).toEqual({ address: j.address, id, found: true });
      expectedCheckov.add(j.address).add(short);
    }
    expect(justified.length).toBeGreaterThan(0);
    expect(baseline.failed_checks.flatMap((f: any) => f.findings.map((x: any) => x.resource)).sort()).toEqual([...expectedCheckov].sort());
    expect(trivyRows.map((r) => `${r.resource} ${r.rule}`).sort()).toEqual(expectedTrivy.sort());
    expect(rego).toMatch(/^package trivy$/m);
    expect(rego).toContain("s.resource == input.CauseMetadata.Resource");
  }
  expect(mapped).toBeGreaterThan(10);
});

test("one bad file among good ones: exit 1, every problem printed, no stack written", () => {
  const dir = path.join(work, "bad-config");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(shippedFile("prod")));
  const dev = shippedFile("dev");
  dev.service = { cpu: 512, memory: 8192 };
  fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(dev));
  const out = path.join(work, "bad");
  const result = runApp(dir, out);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`${path.join(dir, "dev.json")}: service.memory: 8192 MiB is not valid with 512 CPU; allowed: 1024, 2048, 3072, 4096`);
  expect(fs.existsSync(out)).toBe(false);
});

test("a config error is printed once, without wrapper lines: every problem, a missing field as required, a typo with the nearest key", () => {
  const dir = path.join(work, "once");
  fs.mkdirSync(dir);
  const dev = shippedFile("dev");
  delete dev.zenml.workspaceName;
  dev.servce = { cpu: 512 };
  fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(dev));
  const result = runApp(dir, path.join(work, "once-out"));
  expect(result.status).toBe(1);
  expect(result.stdout).toBe("");
  const file = path.join(dir, "dev.json");
  expect(result.stderr).toBe(
    [
      "Invalid configuration:",
      `  - ${file}: zenml.workspaceName: required (a string)`,
      `  - ${file}: (root): unknown field(s) 'servce' (did you mean 'service'?); allowed: $schema, kind, preset, region, name, allowedAccountIds, protected, tags, zenml, network, database, service, loadBalancer, dns, observability, workloadManager, state`,
      "",
    ].join("\n"),
  );
});
