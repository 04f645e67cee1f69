/**
 * `terraform validate` on every synthesized stack, with the real Terraform CLI and the AWS provider
 * (offline mirror when present). Without terraform the suite is skipped locally with a warning and
 * fails in CI (CI=true).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";

const TF_ENV = path.join(ROOT, "scripts", "tf-env.sh");
const terraformVersion = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
const available = terraformVersion.status === 0;
const MISSING = "terraform CLI not found on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) to run `terraform validate` on the synthesized stacks";

if (!available && !process.env.CI) console.warn(`SKIPPED terraform validate: ${MISSING}`);

function terraform(cwd: string, ...args: string[]) {
  const r = spawnSync(TF_ENV, ["terraform", ...args, "-no-color"], { cwd, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1" } });
  return { ok: r.status === 0, output: `${r.stdout}\n${r.stderr}` };
}

(available || process.env.CI ? describe : describe.skip)("terraform validate", () => {
  let out: string;
  beforeAll(() => {
    if (!available) throw new Error(MISSING);
    out = tempDir("zenml-validate-");
    const r = spawnSync(process.execPath, [path.join(ROOT, "dist", "main.js")], {
      env: { ...process.env, ZENML_CONFIG_DIR: CONFIG_DIR, CDKTF_OUTDIR: out },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  });
  afterAll(() => out && fs.rmSync(out, { recursive: true, force: true }));

  test("terraform is at least 1.10 (S3-native state locking)", () => {
    const { terraform_version: version } = JSON.parse(terraformVersion.stdout);
    const [major, minor] = version.split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 10)).toBe(true);
  });

  test.each(["dev", "prod", "state-bootstrap"])("%s is valid Terraform", (stack) => {
    const dir = path.join(out, "stacks", stack);
    const init = terraform(dir, "init", "-backend=false", "-input=false");
    expect(init.output).toContain("Terraform has been successfully initialized");
    const validate = terraform(dir, "validate");
    expect(validate.output).toContain("Success! The configuration is valid.");
    expect(validate.ok).toBe(true);
  });
});
