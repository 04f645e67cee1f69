/**
 * `terraform validate` on every synthesized stack (shipped config and every example), with the real
 * Terraform CLI and the AWS provider (offline mirror when present). Without terraform the suite is
 * skipped locally with a warning and fails in CI (CI=true).
 *
 * All stacks are validated in one Terraform run: a temporary root calls each synthesized stack as a
 * module, so the AWS provider schema is loaded once (about 10x faster than one init + validate per
 * stack). Terraform validates each module's resources, data sources, references and provider blocks
 * as it would a root; the only difference is that backends are ignored, which the test pins down:
 * the single allowed diagnostic is the "Backend configuration ignored" warning, once per stack.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";
import { describeWithTerraform, Diagnostic, terraform, terraformAvailable, terraformVersion } from "./terraform";

const EXAMPLES = path.join(ROOT, "examples");
/** Shipped config and every example, by output folder name. */
const CONFIG_DIRS: Record<string, string> = {
  config: CONFIG_DIR,
  ...Object.fromEntries(fs.readdirSync(EXAMPLES).map((e) => [`examples-${e}`, path.join(EXAMPLES, e, "config")])),
};
const { describe: describeTf, missing: MISSING } = describeWithTerraform("run `terraform validate` on the synthesized stacks");

describeTf("terraform validate", () => {
  let root: string;
  const stacks: string[] = [];
  beforeAll(() => {
    if (!terraformAvailable) throw new Error(MISSING);
    root = tempDir("zenml-validate-");
    for (const [name, dir] of Object.entries(CONFIG_DIRS)) {
      const r = spawnSync(process.execPath, [path.join(ROOT, "dist", "main.js")], {
        env: { ...process.env, ZENML_CONFIG_DIR: dir, CDKTF_OUTDIR: path.join(root, name) },
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`synth of ${dir} failed: ${r.stderr}`);
      for (const stack of fs.readdirSync(path.join(root, name, "stacks")).sort()) stacks.push(`${name}/stacks/${stack}`);
    }
    // A stack's required variables (e.g. a deploy-time secret) need a value to validate as a module.
    const requiredInputs = (s: string) => {
      const variables = JSON.parse(fs.readFileSync(path.join(root, s, "cdk.tf.json"), "utf8")).variable ?? {};
      return Object.fromEntries(Object.entries<any>(variables).filter(([, v]) => !("default" in v)).map(([k]) => [k, "validate-placeholder"]));
    };
    const modules = Object.fromEntries(stacks.map((s) => [s.replace(/[^A-Za-z0-9_-]/g, "_"), { source: `./${s}`, ...requiredInputs(s) }]));
    fs.writeFileSync(path.join(root, "main.tf.json"), JSON.stringify({ module: modules }, null, 2));
  });
  afterAll(() => root && fs.rmSync(root, { recursive: true, force: true }));

  test("terraform is at least 1.11 (S3-native state locking, ephemeral resources, write-only arguments)", () => {
    const { terraform_version: version } = JSON.parse(terraformVersion.stdout);
    const [major, minor] = version.split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 11)).toBe(true);
  });

  test("every stack of the shipped config and of every example is valid Terraform", () => {
    expect(stacks).toEqual(expect.arrayContaining(["config/stacks/dev", "config/stacks/prod", "config/stacks/state-bootstrap"]));
    expect(stacks.filter((s) => s.startsWith("examples-")).length).toBeGreaterThanOrEqual(3);

    const init = terraform(root, "init", "-backend=false", "-input=false", "-no-color");
    expect(init.output).toContain("Terraform has been successfully initialized");
    const validate = terraform(root, "validate", "-json", "-no-color");
    const result = JSON.parse(validate.stdout) as { valid: boolean; diagnostics: Diagnostic[] };
    const unexpected = result.diagnostics
      .filter((d) => !(d.severity === "warning" && d.summary === "Backend configuration ignored"))
      .map((d) => `${d.severity}: ${d.range?.filename ?? ""}: ${d.summary}: ${d.detail}`);
    expect(unexpected).toEqual([]);
    expect(result.valid).toBe(true);
    // One ignored backend per stack proves every stack was loaded.
    expect(result.diagnostics.map((d) => path.dirname(d.range!.filename)).sort()).toEqual([...stacks].sort());
  });
});
