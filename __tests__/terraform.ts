/**
 * The real Terraform CLI for the test suites that validate synthesized output. Without terraform on
 * PATH those suites are skipped locally with a warning and fail in CI (CI=true).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { synthHcl } from "../scripts/synth-hcl";
import { CONFIG_DIR, ROOT, SYNTH_CACHE } from "./helpers";

const TF_ENV = path.join(ROOT, "scripts", "tf-env.sh");

/** `terraform version -json`, when terraform is on PATH. */
export const terraformVersion = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
/** Whether terraform is on PATH. */
export const terraformAvailable = terraformVersion.status === 0;

/**
 * `describe` when terraform is available (or in CI, where a missing terraform must fail), else
 * `describe.skip` after a warning naming what was skipped.
 */
export function describeWithTerraform(purpose: string): { describe: jest.Describe; missing: string } {
  const missing = `terraform CLI not found on PATH: install Terraform >= 1.10 (https://developer.hashicorp.com/terraform/install) to ${purpose}`;
  if (!terraformAvailable && !process.env.CI) console.warn(`SKIPPED: ${missing}`);
  return { describe: terraformAvailable || process.env.CI ? describe : describe.skip, missing };
}

/** `terraform <args>` in `cwd` with the project's settings (scripts/tf-env.sh: offline mirror, no checkpoint). */
export function terraform(cwd: string, ...args: string[]) {
  // GOGC=400 (Go's default is 100) for terraform and the provider processes it starts, one per provider
  // block of each module: the validation of every stack took 9.4 s of CPU instead of 11.8 s, 0.5 GB peak.
  const env = { GOGC: "400", ...process.env, TF_IN_AUTOMATION: "1" };
  const r = spawnSync(TF_ENV, ["terraform", ...args], { cwd, encoding: "utf8", env });
  return { ok: r.status === 0, stdout: r.stdout, output: `${r.stdout}\n${r.stderr}` };
}

/** A diagnostic of `terraform validate -json`. */
export interface Diagnostic {
  severity: string;
  summary: string;
  detail: string;
  range?: { filename: string };
}

/** The shipped config and every example, by output folder name (what `terraform validate` covers as JSON). */
export const VALIDATED_CONFIG_DIRS: Record<string, string> = {
  config: CONFIG_DIR,
  ...Object.fromEntries(fs.readdirSync(path.join(ROOT, "examples")).map((e) => [`examples-${e}`, path.join(ROOT, "examples", e, "config")])),
};

/** One `terraform init` + `validate` of every stack the suites check, JSON and HCL together. */
export interface SharedValidation {
  /** Folder with `json/<name>/stacks/<stack>` (node dist/main.js) and `hcl/config/stacks/<stack>` (npm run synth:hcl). */
  readonly root: string;
  /** Stack folders relative to `root`. */
  readonly stacks: string[];
  /**
   * Stacks whose cdk.tf.json is byte-identical to a stack listed before them (every example's
   * state-bootstrap is the shipped one), each with that stack: validating the same file again would
   * only start more provider instances. Every other stack is a module of the run.
   */
  readonly identical: Record<string, string>;
  readonly init: string;
  readonly result: { valid: boolean; diagnostics: Diagnostic[] };
}

const MAIN = path.join(ROOT, "dist", "main.js");

/** What the validation depends on: the built app, the renderer's repairs, the configs, this file and the terraform version. */
function validationKey(): string {
  const hash = crypto.createHash("sha256").update(terraformVersion.stdout ?? "");
  // dist/main.js starts the app bundle dist/synth.js (launch.ts).
  const files = [MAIN, path.join(ROOT, "dist", "synth.js"), path.join(ROOT, "scripts", "synth-hcl.ts"), __filename];
  for (const dir of Object.values(VALIDATED_CONFIG_DIRS)) for (const f of fs.readdirSync(dir).sort()) files.push(path.join(dir, f));
  for (const f of files) hash.update(`${path.relative(ROOT, f)}\0`).update(fs.readFileSync(f)).update("\0");
  return hash.digest("hex").slice(0, 32);
}

function buildValidation(dir: string): void {
  const stacks: string[] = [];
  for (const kind of ["json", "hcl"]) fs.mkdirSync(path.join(dir, kind), { recursive: true });
  for (const [name, configDir] of Object.entries(VALIDATED_CONFIG_DIRS)) {
    const out = path.join(dir, "json", name);
    const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: out }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`synth of ${configDir} failed: ${r.stderr}`);
    for (const stack of fs.readdirSync(path.join(out, "stacks")).sort()) stacks.push(`json/${name}/stacks/${stack}`);
  }
  // The HCL rendering of the shipped config (the examples need no renderer repair the unit tests miss).
  synthHcl(path.join(dir, "hcl", "config"), { configDir: CONFIG_DIR, log: () => undefined });
  for (const stack of fs.readdirSync(path.join(dir, "hcl", "config", "stacks")).sort()) stacks.push(`hcl/config/stacks/${stack}`);
  // A JSON stack's required variables (e.g. a deploy-time secret) need a value to validate as a module.
  const requiredInputs = (s: string) => {
    if (!s.startsWith("json/")) return {};
    const variables = JSON.parse(fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8")).variable ?? {};
    return Object.fromEntries(Object.entries<any>(variables).filter(([, v]) => !("default" in v)).map(([k]) => [k, "validate-placeholder"]));
  };
  const identical: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const s of stacks) {
    const file = fs.readdirSync(path.join(dir, s)).find((f) => f === "cdk.tf.json" || f === "cdk.tf")!;
    const text = `${file}\0${fs.readFileSync(path.join(dir, s, file), "utf8")}`;
    const first = seen.get(text);
    if (first) identical[s] = first;
    else seen.set(text, s);
  }
  const modules = Object.fromEntries(stacks.filter((s) => !(s in identical)).map((s) => [s.replace(/[^A-Za-z0-9_-]/g, "_"), { source: `./${s}`, ...requiredInputs(s) }]));
  fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ module: modules }, null, 2));
  const init = terraform(dir, "init", "-backend=false", "-input=false", "-no-color");
  const validate = init.ok ? terraform(dir, "validate", "-json", "-no-color") : undefined;
  const result = validate ? JSON.parse(validate.stdout) : { valid: false, diagnostics: [] };
  fs.writeFileSync(path.join(dir, "validation.json"), JSON.stringify({ stacks, identical, init: init.output, result }));
}

/**
 * `terraform validate` of the shipped and example stacks (JSON) and of the shipped stacks' HCL
 * rendering, in one Terraform run: the AWS provider's schema, the costly part, loads once
 * (terraform-validate.test.ts). Built under a lock (a concurrent run of the suite waits for the
 * result) and cached by a key of what it validates ({@link validationKey}) under the test cache folder
 * (helpers.ts SYNTH_CACHE).
 */
export async function sharedValidation(): Promise<SharedValidation> {
  const dir = path.join(SYNTH_CACHE, `validate-${validationKey()}`);
  const resultFile = path.join(dir, "validation.json");
  const lock = `${dir}.lock`;
  const errorFile = `${dir}.error`;
  fs.mkdirSync(SYNTH_CACHE, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  while (!fs.existsSync(resultFile)) {
    let owner = false;
    try {
      fs.mkdirSync(lock);
      owner = true;
    } catch {
      // another suite is building it
    }
    if (owner) {
      const tmp = `${dir}.tmp-${process.pid}`;
      try {
        fs.rmSync(errorFile, { force: true });
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.mkdirSync(tmp, { recursive: true });
        buildValidation(tmp);
        fs.renameSync(tmp, dir);
      } catch (e) {
        fs.writeFileSync(errorFile, (e as Error).message);
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock} (remove it if no test run holds it)`);
    await new Promise((r) => setTimeout(r, 500));
    // The builder gave up: say why rather than build again.
    if (!fs.existsSync(lock) && !fs.existsSync(resultFile) && fs.existsSync(errorFile)) {
      throw new Error(`the shared terraform validation failed: ${fs.readFileSync(errorFile, "utf8")}`);
    }
  }
  return { root: dir, ...JSON.parse(fs.readFileSync(resultFile, "utf8")) };
}
