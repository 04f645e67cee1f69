/**
 * The compiled app as `cdktf synth` runs it (`node dist/main.js`): good config writes every stack,
 * bad config writes nothing and exits 1 with the problems.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_DIR, ROOT, shippedFile, tempDir } from "./helpers";

const MAIN = path.join(ROOT, "dist", "main.js");

function runApp(configDir: string, outdir: string, env: Record<string, string> = {}) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const { ZENML_VERBOSE: _verbose, ...inherited } = process.env;
  return spawnSync(process.execPath, [MAIN], {
    env: { ...inherited, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
}

let work: string;
beforeAll(() => (work = tempDir("zenml-cli-")));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("the shipped config synthesizes dev, prod and the bootstrap stack", () => {
  const out = path.join(work, "good");
  const result = runApp(CONFIG_DIR, out);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual(["dev", "prod", "state-bootstrap"]);
  for (const stack of ["dev", "prod", "state-bootstrap"]) {
    const json = JSON.parse(fs.readFileSync(path.join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource).length).toBeGreaterThan(0);
  }
});

test("quiet by default: the shipped synth prints at most 5 lines (the policy summary), the suppressions go to files", () => {
  const out = path.join(work, "quiet");
  const result = runApp(CONFIG_DIR, out);
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
