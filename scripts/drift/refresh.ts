/**
 * The refresh-only plan of a synthesized stack: `terraform init`, `terraform plan -refresh-only
 * -lock=false -out=drift.tfplan` (its text kept as drift.txt) and `terraform show -json` (drift.json)
 * in `<out>/stacks/<stack>`. A refresh-only plan reads every object back from AWS and changes nothing,
 * not even the state; `-lock=false` lets a read-only role run it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../common/checks";

/** The files a refresh writes next to the stack. */
export interface RefreshFiles {
  readonly planJson: string;
  readonly planText: string;
}

function terraform(dir: string, args: readonly string[]): string {
  const r = spawnSync("terraform", args, { cwd: dir, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" } });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n");
    throw new InputError(`terraform ${args[0]} in ${dir} failed:\n${why}`);
  }
  return r.stdout;
}

/** Runs the refresh-only plan of `<out>/stacks/<stack>`; returns the files written. */
export function refreshOnlyPlan(out: string, stack: string): RefreshFiles {
  const dir = path.join(out, "stacks", stack);
  if (!fs.existsSync(path.join(dir, "cdk.tf.json"))) throw new InputError(`stack "${stack}": ${dir}/cdk.tf.json not found; run \`npm run synth\` first`);
  terraform(dir, ["init", "-input=false", "-no-color"]);
  const text = terraform(dir, ["plan", "-refresh-only", "-input=false", "-lock=false", "-no-color", "-out=drift.tfplan"]);
  const planText = path.join(dir, "drift.txt");
  fs.writeFileSync(planText, text);
  const planJson = path.join(dir, "drift.json");
  fs.writeFileSync(planJson, terraform(dir, ["show", "-json", "-no-color", "drift.tfplan"]));
  return { planJson, planText };
}
