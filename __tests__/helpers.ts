/** Test helpers: synthesize stacks from config and query the Terraform JSON. */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing, TerraformStack } from "cdktf";
import { buildApp } from "../lib/app";
import { ConfigError, loadEnvironments, parseEnvironment } from "../lib/config/load";
import { AnyConfig, EnvironmentConfig } from "../lib/config/schema";

export const ROOT = path.join(__dirname, "..");
export const CONFIG_DIR = path.join(ROOT, "config");
export const SHIPPED_ENVIRONMENTS = ["dev", "prod"];

/** Synthesized Terraform JSON of one stack. */
export interface StackJson {
  resource: Record<string, Record<string, Record<string, any>>>;
  data: Record<string, Record<string, Record<string, any>>>;
  output: Record<string, { value: string; description?: string }>;
  terraform: Record<string, any>;
  provider: Record<string, any[]>;
  raw: string;
}

/**
 * What a synth depends on besides its configs: the app's sources and the locked dependencies. Hashed
 * once per test file; a change to any of them gives every cached synth a new key.
 */
let sourceHash: string | undefined;
function appSourceHash(): string {
  if (sourceHash) return sourceHash;
  const hash = crypto.createHash("sha256");
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") || e.name.endsWith(".json")) hash.update(`${path.relative(ROOT, p)}\0`).update(fs.readFileSync(p)).update("\0");
    }
  };
  for (const dir of ["lib", "modules", "stacks"]) walk(path.join(ROOT, dir));
  hash.update(fs.readFileSync(path.join(ROOT, "package-lock.json")));
  return (sourceHash = hash.digest("hex"));
}

/**
 * One synth per input across the whole `npm test` run: jest gives every test file its own module
 * registry, so results are shared through files keyed by the hash of the configs and the app's
 * sources ({@link appSourceHash}); a synth is deterministic, so a hit is what the synth would write.
 * ZENML_TEST_SYNTH_CACHE=0 turns it off; a path puts the files there (npm run bench: a fresh one per run).
 */
export const SYNTH_CACHE = process.env.ZENML_TEST_SYNTH_CACHE || path.join(os.tmpdir(), "zenml-test-synth-cache");

/** Synthesizes every environment of `configs` (and the bootstrap stack); returns JSON per stack name. */
export function synthAll(configs: AnyConfig[]): Record<string, StackJson> {
  if (process.env.ZENML_TEST_SYNTH_CACHE === "0") return synthUncached(configs);
  const key = crypto.createHash("sha256").update(appSourceHash()).update(JSON.stringify(configs)).digest("hex");
  const file = path.join(SYNTH_CACHE, `${key}.json`);
  let raws: Record<string, string> | undefined;
  try {
    raws = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    raws = Object.fromEntries(Object.entries(synthUncached(configs)).map(([name, stack]) => [name, stack.raw]));
    fs.mkdirSync(SYNTH_CACHE, { recursive: true });
    // Written whole, then renamed: a concurrent reader sees the old state or the complete file.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(raws));
    fs.renameSync(tmp, file);
  }
  return Object.fromEntries(Object.entries(raws!).map(([name, raw]) => [name, { resource: {}, data: {}, output: {}, provider: {}, ...JSON.parse(raw), raw }]));
}

function synthUncached(configs: AnyConfig[]): Record<string, StackJson> {
  const app = buildApp(Testing.app(), configs, { policyLog: () => undefined });
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  // As App.synth does: resolving every stack first adds cross-stack outputs and remote-state inputs.
  stacks.forEach((s) => s.prepareStack());
  const out: Record<string, StackJson> = {};
  for (const stack of stacks) {
    const raw = Testing.synth(stack);
    out[stack.node.id] = { resource: {}, data: {}, output: {}, provider: {}, ...JSON.parse(raw), raw };
  }
  return out;
}

/** Synthesizes the shipped config/ directory. */
export function synthShipped(): Record<string, StackJson> {
  return synthAll(loadEnvironments(CONFIG_DIR));
}

/** A shipped environment file, parsed as JSON, for building variants. */
export function shippedFile(env: string): any {
  return JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${env}.json`), "utf8"));
}

/** Validates an in-memory environment document as if it were `<name>.json`. */
export function configFrom(doc: unknown, name = "test"): EnvironmentConfig {
  return parseEnvironment(`config/${name}.json`, JSON.stringify(doc));
}

/** The problems reported for a document derived from a shipped file (`mutate` edits it in place); [] when valid. */
export function problemsOf(mutate: (doc: any) => void, base = "dev"): string[] {
  const doc = shippedFile(base);
  mutate(doc);
  try {
    configFrom(doc);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

/** All resources of a type (name → body). */
export function resources(stack: StackJson, type: string): Record<string, any>[] {
  return Object.values(stack.resource[type] ?? {});
}

/** The only resource of a type; fails when there are 0 or several. */
export function only(stack: StackJson, type: string): any {
  const all = resources(stack, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Name of the Terraform address (`type.name`) of the resource whose body is `body`. */
export function addressOf(stack: StackJson, type: string, body: any): string {
  const entry = Object.entries(stack.resource[type] ?? {}).find(([, b]) => b === body);
  if (!entry) throw new Error(`resource not found in ${type}`);
  return `${type}.${entry[0]}`;
}

/** A temp directory removed by the caller. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The IAM policy document data source bodies referenced by `${data.aws_iam_policy_document.X.json}`. */
export function policyDocument(stack: StackJson, reference: string): any {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(reference);
  if (!m) throw new Error(`not a policy document reference: ${reference}`);
  return stack.data.aws_iam_policy_document[m[1]];
}
