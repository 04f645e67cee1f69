/**
 * Readers of a deployed or synthesized stack for the post-deploy commands: the stack's Terraform
 * outputs (`terraform output -json` in `cdktf.out/stacks/<stack>`, which reads the S3 backend, or a
 * saved copy of that JSON) and its synthesized JSON (`cdktf.out/stacks/<stack>/cdk.tf.json`).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "./checks";
import { knownStacks, unknownStack } from "./cli";
import { loadStackFile, projectRoot, TfStack } from "./tf-json";

/** Output values by name (the `value` of each `terraform output -json` entry). */
export type StackOutputs = Readonly<Record<string, unknown>>;

/** Where the outputs came from, for messages. */
export interface LoadedOutputs {
  readonly outputs: StackOutputs;
  readonly source: string;
}

/** The folder of a synthesized stack: `$CDKTF_OUTDIR/stacks/<stack>` (default cdktf.out). */
export function stackDir(stack: string): string {
  const outdir = process.env.CDKTF_OUTDIR ?? path.join(projectRoot(), "cdktf.out");
  return path.join(outdir, "stacks", stack);
}

/** Parses `terraform output -json` text (`{"name": {"value": ..., "type": ..., "sensitive": ...}}`). */
export function parseOutputsJson(text: string, source: string): StackOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not JSON (${(e as Error).message}); expected the output of \`terraform output -json\``);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new InputError(`${source}: expected a JSON object of outputs (\`terraform output -json\`)`);
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!entry || typeof entry !== "object" || !("value" in entry)) {
      throw new InputError(`${source}: output "${name}" has no "value": expected the output of \`terraform output -json\``);
    }
    out[name] = (entry as { value: unknown }).value;
  }
  return out;
}

/**
 * The outputs of a stack: from `file` (a saved `terraform output -json`) when given, else by running
 * `terraform output -json` in the synthesized stack's folder (initialized by `cdktf deploy`).
 */
export function readStackOutputs(stack: string, file?: string): LoadedOutputs {
  if (file) {
    if (!fs.existsSync(file)) throw new InputError(`--outputs ${file}: no such file`);
    return { outputs: parseOutputsJson(fs.readFileSync(file, "utf8"), file), source: file };
  }
  const dir = stackDir(stack);
  if (!fs.existsSync(path.join(dir, "cdk.tf.json"))) {
    const known = knownStacks();
    if (!known.names.includes(stack)) throw unknownStack(stack, known);
    throw new InputError(`stack "${stack}": ${dir}/cdk.tf.json not found; run \`npm run synth\` (and deploy it), or pass --outputs FILE`);
  }
  const r = spawnSync("terraform", ["output", "-json", "-no-color"], { cwd: dir, encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ");
    throw new InputError(`stack "${stack}": \`terraform output -json\` in ${dir} failed (${why}); deploy the stack first, or pass --outputs FILE`);
  }
  const outputs = parseOutputsJson(r.stdout, `terraform output -json (${dir})`);
  if (Object.keys(outputs).length === 0) throw new InputError(`stack "${stack}": no outputs in its state (${dir}); is it deployed?`);
  return { outputs, source: `terraform output -json (${dir})` };
}

/** A string output, or an {@link InputError} naming the output and the source. */
export function requireOutput(loaded: LoadedOutputs, name: string): string {
  const v = loaded.outputs[name];
  if (typeof v !== "string" || v === "") throw new InputError(`${loaded.source}: output "${name}" is missing or not a string`);
  return v;
}

/** The synthesized JSON of a stack (`cdktf.out/stacks/<stack>/cdk.tf.json`, or `file`). */
export function readSynthesizedStack(stack: string, file?: string): TfStack {
  const target = file ?? path.join(stackDir(stack), "cdk.tf.json");
  if (!fs.existsSync(target)) throw new InputError(`${target}: not found; run \`npm run synth\`${file ? "" : " or pass --stack-json FILE"}`);
  try {
    return loadStackFile(target);
  } catch (e) {
    throw new InputError(`${target}: not valid JSON (${(e as Error).message})`);
  }
}
