/**
 * `terraform validate` on every synthesized stack (shipped config and every example), with the real
 * Terraform CLI and the AWS provider (offline mirror when present). Without terraform the suite is
 * skipped locally with a warning and fails in CI (CI=true).
 *
 * All stacks are validated in one Terraform run: a temporary root calls each synthesized stack as a
 * module, so the AWS provider schema is loaded once (about 10x faster than one init + validate per
 * stack; sharedValidation in ./terraform). Terraform validates each module's resources, data sources, references and provider blocks
 * as it would a root; the only difference is that backends are ignored, which the test pins down:
 * the single allowed diagnostic is the "Backend configuration ignored" warning, once per stack. A
 * stack byte-identical to one before it (each example's state-bootstrap is the shipped one) is
 * validated once.
 *
 * The same run validates the HCL rendering of the shipped stacks (`npm run synth:hcl`,
 * scripts/synth-hcl.ts; its renderer repairs are unit-tested in hcl.test.ts), and each HCL stack must
 * say the same as the JSON that is deployed (HCL parsed back with hcl2json, compared with the JSON
 * synthesized from the same config).
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { CONFIG_DIR, synthAll } from "./helpers";
import { describeWithTerraform, Diagnostic, SharedValidation, sharedValidation, terraformAvailable, terraformVersion } from "./terraform";

const { describe: describeTf, missing: MISSING } = describeWithTerraform("run `terraform validate` on the synthesized stacks and their HCL rendering");

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
    // One ignored backend per stack proves every stack was loaded; a stack byte-identical to one before it
    // (the examples' state-bootstrap) is that stack, validated once.
    const validated = stacks.filter((s) => !(`json/${s}` in shared.identical));
    expect(shared.result.diagnostics.filter(mine).map((d) => path.dirname(d.range!.filename).slice("json/".length)).sort()).toEqual([...validated].sort());
    for (const [copy, first] of Object.entries(shared.identical)) {
      expect(fs.readFileSync(path.join(shared.root, copy, "cdk.tf.json"), "utf8")).toBe(fs.readFileSync(path.join(shared.root, first, "cdk.tf.json"), "utf8"));
    }
  });
});


/** hcl2json of cdktf's CLI (or of CDK Terrain's after a migration): HCL text → Terraform JSON. */
function hcl2json(): ((file: string, text: string) => Promise<any>) | undefined {
  for (const pkg of ["@cdktf/hcl2json", "@cdktn/hcl2json"]) {
    try {
      return require(pkg).parse;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * Terraform JSON in one comparable shape: no "//" metadata, every block a single object rather than
 * a one-element list (hcl2json wraps all blocks in lists), and pure expressions ("${...}") without
 * the wrapper and without whitespace, which `terraform fmt` re-spaces.
 */
function normalize(value: any): any {
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.length === 1 && items[0] && typeof items[0] === "object" && !Array.isArray(items[0]) ? items[0] : items;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).filter((k) => k !== "//").sort().map((k) => [k, normalize(value[k])]));
  }
  // HCL writes references bare (depends_on, provider); hcl2json gives them back as "${...}".
  if (typeof value === "string" && /^\$\{[\s\S]*\}$/.test(value)) return value.slice(2, -1).replace(/\s+/g, "");
  return value;
}

describeTf("HCL rendering of every stack", () => {
  /** The shipped config rendered as HCL, validated in the same terraform run as the JSON stacks (sharedValidation). */
  let shared: SharedValidation;
  let root: string;
  const stacks: string[] = [];
  /** The JSON synth of the same config (in-process, as the other suites do), by stack folder. */
  const json: Record<string, unknown> = {};
  beforeAll(async () => {
    if (!terraformAvailable) throw new Error(MISSING);
    shared = await sharedValidation();
    root = path.join(shared.root, "hcl");
    for (const [stack, synthesized] of Object.entries(synthAll(loadEnvironments(CONFIG_DIR)))) json[`config/stacks/${stack}`] = JSON.parse(synthesized.raw);
    stacks.push(...shared.stacks.filter((s) => s.startsWith("hcl/")).map((s) => s.slice("hcl/".length)));
  });

  test("each stack folder holds HCL only (cdk.tf), never the JSON", () => {
    expect(stacks).toEqual(expect.arrayContaining(["config/stacks/dev", "config/stacks/prod", "config/stacks/state-bootstrap"]));
    for (const stack of stacks) {
      const files = fs.readdirSync(path.join(root, stack));
      expect(files).toContain("cdk.tf");
      expect(files).not.toContain("cdk.tf.json");
    }
  });

  test("terraform init -backend=false + validate: valid, no warning but the ignored backends", () => {
    expect(shared.init).toContain("Terraform has been successfully initialized");
    const mine = (d: Diagnostic) => d.range?.filename.startsWith("hcl/") ?? true;
    const unexpected = shared.result.diagnostics
      .filter(mine)
      .filter((d) => !(d.severity === "warning" && d.summary === "Backend configuration ignored"))
      .map((d) => `${d.severity}: ${d.range?.filename ?? ""}: ${d.summary}: ${d.detail}`);
    expect(unexpected).toEqual([]);
    expect(shared.result.valid).toBe(true);
    // One ignored backend per stack proves every stack was loaded.
    expect(shared.result.diagnostics.filter(mine).map((d) => path.dirname(d.range!.filename).slice("hcl/".length)).sort()).toEqual([...stacks].sort());
  });

  const parse = hcl2json();
  (parse ? test : test.skip)("the HCL says the same as the synthesized JSON (hcl2json round trip)", async () => {
    for (const stack of stacks) {
      const hcl = await parse!("cdk.tf", fs.readFileSync(path.join(root, stack, "cdk.tf"), "utf8"));
      expect({ stack, config: normalize(hcl) }).toEqual({ stack, config: normalize(json[stack]) });
    }
  });
});
