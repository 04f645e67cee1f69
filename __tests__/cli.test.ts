/**
 * The compiled app as `cdktf synth` runs it (`node dist/main.js`): good config writes every stack,
 * bad config writes nothing and exits 1 with the problems.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_DIR, ROOT, shippedFile, tempDir } from "./helpers";

const MAIN = path.join(ROOT, "dist", "main.js");

function runApp(configDir: string, outdir: string) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: outdir },
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
