/**
 * `npm run synth:hcl` (scripts/synth-hcl.ts): the HCL rendering for human review.
 * - The repair of cdktf 0.21's HCL renderer output, on small inputs (always run).
 * - Every stack of the shipped config, rendered as HCL, is valid Terraform (`terraform init
 *   -backend=false` + `terraform validate`, in the same run as terraform-validate.test.ts's JSON stacks),
 *   and says the same as the JSON that is deployed (HCL parsed back with hcl2json, compared with the
 *   JSON synthesized from the same config). Skipped with a warning when terraform is missing locally;
 *   fails in CI (CI=true).
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import { escapeTemplate, repairHcl, repairTerraformSettings } from "../scripts/synth-hcl";
import { CONFIG_DIR, synthAll } from "./helpers";
import { describeWithTerraform, Diagnostic, SharedValidation, sharedValidation, terraformAvailable } from "./terraform";

describe("repair of cdktf's HCL rendering", () => {
  test("puts the terraform block's plain settings back (cdktf writes `0 = \"required_version\"`), only inside that block", () => {
    const text = ['terraform {', 'required_providers {', '}', '', '  0 = "required_version"', '}', 'locals {', '  0 = "x"', '}'].join("\n");
    const { text: out, repaired } = repairTerraformSettings(text, { required_version: ">= 1.11" });
    expect(repaired).toEqual(["required_version"]);
    expect(out.split("\n")).toEqual(['terraform {', 'required_providers {', '}', '', '  required_version = ">= 1.11"', '}', 'locals {', '  0 = "x"', '}']);
    expect(() => repairTerraformSettings(text, {})).toThrow(/terraform\.required_version/);
  });

  test("escapes quotes and backslashes outside interpolations only", () => {
    expect(escapeTemplate('[{"a":"${x.y}"}]')).toBe('[{\\"a\\":\\"${x.y}\\"}]');
    expect(escapeTemplate('"${lookup(m, "k", "}")}"')).toBe('\\"${lookup(m, "k", "}")}\\"');
    expect(escapeTemplate('{"v":"a\\"b"} ${x}')).toBe('{\\"v\\":\\"a\\\\\\"b\\"} ${x}');
    expect(escapeTemplate('"$${literal}" "%{ if x }"')).toBe('\\"$${literal}\\" \\"%{ if x }\\"');
    expect(escapeTemplate("${a.b}")).toBe("${a.b}");
  });

  test("fixes an unescaped interpolated string and quoted references, and nothing else", () => {
    const input = [
      'resource "aws_ecs_task_definition" "task" {',
      'container_definitions = "[{"name":"x","value":"${aws_db_instance.db.address}"}]"',
      'family = "zenml \\"quoted\\""',
      'provider = "aws.eu"',
      "policy = <<EOF",
      '"Statement": "${data.x.json}",',
      "EOF",
      "depends_on = [",
      '"aws_lb_listener.https",',
      "]",
      "lifecycle {",
      "ignore_changes = [",
      '"desired_count",',
      "]",
      "}",
      "tags = [",
      '"not-a-reference",',
      "]",
      "}",
    ].join("\n");
    const { text, repairs } = repairHcl(input);
    expect(text.split("\n")).toEqual([
      'resource "aws_ecs_task_definition" "task" {',
      'container_definitions = "[{\\"name\\":\\"x\\",\\"value\\":\\"${aws_db_instance.db.address}\\"}]"',
      'family = "zenml \\"quoted\\""',
      "provider = aws.eu",
      "policy = <<EOF",
      '"Statement": "${data.x.json}",',
      "EOF",
      "depends_on = [",
      "aws_lb_listener.https,",
      "]",
      "lifecycle {",
      "ignore_changes = [",
      "desired_count,",
      "]",
      "}",
      "tags = [",
      '"not-a-reference",',
      "]",
      "}",
    ]);
    expect(repairs.map((r) => `${r.line} ${r.attribute} ${r.kind}`)).toEqual([
      "2 container_definitions escaped-quotes",
      "4 provider unquoted-reference",
      "9 depends_on unquoted-reference",
      "13 ignore_changes unquoted-reference",
    ]);
    expect(repairs[0].block).toBe('resource "aws_ecs_task_definition" "task"');
    // Idempotent: repaired text needs no further repair.
    expect(repairHcl(text).repairs).toEqual([]);
  });

  test("turns lifecycle condition lists into blocks", () => {
    const input = [
      'data "aws_subnet" "s" {',
      "lifecycle {",
      "postcondition = [",
      "{",
      'condition = "${self.vpc_id == "vpc-1"}"',
      'error_message = "not in vpc-1"',
      "},",
      "{",
      'condition = "${contains(keys({ a = 1 }), "a")}"',
      'error_message = "x"',
      "},",
      "]",
      "}",
      "}",
    ].join("\n");
    const { text, repairs } = repairHcl(input);
    expect(text.split("\n")).toEqual([
      'data "aws_subnet" "s" {',
      "lifecycle {",
      "postcondition {",
      'condition = "${self.vpc_id == "vpc-1"}"',
      'error_message = "not in vpc-1"',
      "}",
      "postcondition {",
      'condition = "${contains(keys({ a = 1 }), "a")}"',
      'error_message = "x"',
      "}",
      "}",
      "}",
    ]);
    expect(repairs.map((r) => `${r.block}: ${r.attribute} ${r.kind}`)).toEqual(['data "aws_subnet" "s": postcondition condition-blocks']);
    expect(repairHcl(text).repairs).toEqual([]);
  });
});

const { describe: describeTf, missing: MISSING } = describeWithTerraform("validate the HCL rendering of the stacks");

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
