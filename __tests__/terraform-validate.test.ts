/**
 * `terraform validate` on every synthesized stack (shipped config and every example), with the real
 * Terraform CLI and the AWS provider (offline mirror when present). Without terraform the suite is
 * skipped locally with a warning and fails in CI (CI=true).
 *
 * All stacks are validated in one Terraform run: a temporary root calls each synthesized stack as a
 * module, so the AWS provider schema is loaded once (about 10x faster than one init + validate per
 * stack); the run also validates hcl.test.ts's HCL stacks (sharedValidation in ./terraform). Terraform validates each module's resources, data sources, references and provider blocks
 * as it would a root; the only difference is that backends are ignored, which the test pins down:
 * the single allowed diagnostic is the "Backend configuration ignored" warning, once per stack.
 */
import * as path from "path";
import { describeWithTerraform, Diagnostic, SharedValidation, sharedValidation, terraformAvailable, terraformVersion } from "./terraform";

const { describe: describeTf, missing: MISSING } = describeWithTerraform("run `terraform validate` on the synthesized stacks");

describeTf("terraform validate", () => {
  let shared: SharedValidation;
  /** The JSON stacks (shipped config and examples), as `<name>/stacks/<stack>`. */
  let stacks: string[];
  beforeAll(async () => {
    if (!terraformAvailable) throw new Error(MISSING);
    shared = await sharedValidation();
    stacks = shared.stacks.filter((s) => s.startsWith("json/")).map((s) => s.slice("json/".length));
  });

  test("terraform is at least 1.11 (S3-native state locking, ephemeral resources, write-only arguments)", () => {
    const { terraform_version: version } = JSON.parse(terraformVersion.stdout);
    const [major, minor] = version.split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 11)).toBe(true);
  });

  test("every stack of the shipped config and of every example is valid Terraform", () => {
    expect(stacks).toEqual(expect.arrayContaining(["config/stacks/dev", "config/stacks/prod", "config/stacks/state-bootstrap"]));
    expect(stacks.filter((s) => s.startsWith("examples-")).length).toBeGreaterThanOrEqual(3);
    expect(shared.init).toContain("Terraform has been successfully initialized");
    const mine = (d: Diagnostic) => d.range?.filename.startsWith("json/") ?? true;
    const unexpected = shared.result.diagnostics
      .filter(mine)
      .filter((d) => !(d.severity === "warning" && d.summary === "Backend configuration ignored"))
      .map((d) => `${d.severity}: ${d.range?.filename ?? ""}: ${d.summary}: ${d.detail}`);
    expect(unexpected).toEqual([]);
    expect(shared.result.valid).toBe(true);
    // One ignored backend per stack proves every stack was loaded.
    expect(shared.result.diagnostics.filter(mine).map((d) => path.dirname(d.range!.filename).slice("json/".length)).sort()).toEqual([...stacks].sort());
  });
});
