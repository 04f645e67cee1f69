/** Test helpers: synthesize stacks from config and query the Terraform JSON. */
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

/** Synthesizes every environment of `configs` (and the bootstrap stack); returns JSON per stack name. */
export function synthAll(configs: AnyConfig[]): Record<string, StackJson> {
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
