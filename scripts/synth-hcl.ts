/**
 * `npm run synth:hcl [-- --outdir DIR]`: the same stacks as `npm run synth`, rendered as HCL (`cdk.tf`)
 * for human review, in a separate folder (default cdktf.out.hcl/) so it never mixes with the JSON
 * that Terraform deploys from (cdktf.out/).
 *
 * It runs the compiled app (`node dist/main.js`) with cdktf's own switch for HCL output
 * (`SYNTH_HCL_OUTPUT=true`, what `cdktf synth --hcl` sets), then repairs three defects of cdktf 0.21's
 * HCL renderer (also present in CDK Terrain 0.24) and formats the files with `terraform fmt` when
 * terraform is on PATH:
 * - a one-line string that contains both an interpolation (`${...}`) and double quotes is written
 *   without escaping its quotes, which is invalid HCL (e.g. a JSON.stringify'd ECS container
 *   definition with resource references); the quotes and backslashes outside `${...}` are escaped;
 * - `precondition` / `postcondition` in `lifecycle` are written as a list argument
 *   (`postcondition = [{...}]`), which Terraform rejects; they are turned into blocks;
 * - references in `depends_on`, `provider`, `ignore_changes` and `replace_triggered_by` are written
 *   quoted (deprecated since Terraform 0.12, a warning on every validate); the quotes are removed;
 * - top-level `ephemeral` blocks (ephemeral resources, written through the escape hatch because
 *   cdktf has no class for them) are dropped; they are rendered from a JSON synth of the same app
 *   and appended.
 * Every repair is listed on stdout, and the HCL is what `terraform validate` checks in __tests__/terraform-validate.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, exitWith, runCli, usage } from "./common/cli";

/** The project root: the nearest folder with package.json (works from scripts/ and dist/scripts/). */
function projectRoot(dir = __dirname): string {
  return fs.existsSync(path.join(dir, "package.json")) ? dir : projectRoot(path.dirname(dir));
}
const ROOT = projectRoot();
export const DEFAULT_HCL_OUTDIR = path.join(ROOT, "cdktf.out.hcl");

/** One repair made to renderer output: where (block header, line) and what. */
export interface HclRepair {
  readonly block: string;
  readonly line: number;
  readonly kind: "escaped-quotes" | "condition-blocks" | "unquoted-reference";
  readonly attribute: string;
}

/**
 * Escapes `"` and `\` outside `${...}` interpolations of a raw template string (the value as
 * Terraform JSON holds it), so it can stand between double quotes in HCL. Text inside an
 * interpolation is an expression and is kept as is (its own string literals included).
 */
export function escapeTemplate(raw: string): string {
  let out = "";
  let depth = 0; // nesting of { } inside an interpolation
  let inExprString = false; // inside a "..." literal of an interpolated expression
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (depth === 0) {
      if ((c === "$" || c === "%") && raw[i + 1] === "{") {
        if (raw[i - 1] === c) {
          // $${ / %%{ is an escaped literal: keep as is
          out += c;
          continue;
        }
        depth = 1;
        out += `${c}{`;
        i++;
      } else if (c === '"' || c === "\\") {
        out += `\\${c}`;
      } else {
        out += c;
      }
      continue;
    }
    out += c;
    if (inExprString) {
      if (c === "\\") {
        out += raw[++i] ?? "";
      } else if (c === '"') {
        inExprString = false;
      }
    } else if (c === '"') {
      inExprString = true;
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      depth--;
    }
  }
  return out;
}

/**
 * cdktf 0.21's HCL renderer writes the `terraform` block's plain settings (e.g. `required_version`) as
 * `<index> = "<name>"`: hcl/render.js `renderTerraform` hands the list of their names, not the settings,
 * to `renderSimpleAttributes`. Puts each setting back with its value from the JSON synth of the stack.
 */
export function repairTerraformSettings(text: string, terraform: Record<string, unknown> | undefined): { text: string; repaired: string[] } {
  const repaired: string[] = [];
  let depth = 0; // inside the top-level `terraform {` block while > 0
  const lines = text.split("\n").map((line) => {
    if (depth === 0 && line === "terraform {") depth = 1;
    else if (depth > 0 && line.trimEnd().endsWith("{")) depth++;
    else if (depth > 0 && line.trim() === "}") depth--;
    const m = depth === 1 ? /^\s*\d+ = "([A-Za-z_][A-Za-z0-9_]*)"$/.exec(line) : null;
    if (!m) return line;
    const value = terraform?.[m[1]];
    if (typeof value === "string") repaired.push(m[1]);
    else if (typeof value === "number" || typeof value === "boolean") repaired.push(m[1]);
    else throw new Error(`terraform.${m[1]}: cdktf rendered it as a bare name and the JSON has no plain value to put back`);
    return `  ${m[1]} = ${typeof value === "string" ? `"${escapeTemplate(value)}"` : String(value)}`;
  });
  return { text: lines.join("\n"), repaired };
}

/** HCL for the top-level `ephemeral` blocks of a stack's JSON (flat attributes: strings, numbers, booleans). */
export function renderEphemeralBlocks(ephemeral: Record<string, Record<string, Record<string, unknown>>> | undefined): string[] {
  return Object.entries(ephemeral ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => {
      const attributes = Object.entries(body).map(([k, v]) => {
        if (typeof v === "string") return `  ${k} = "${escapeTemplate(v)}"`;
        if (typeof v === "number" || typeof v === "boolean") return `  ${k} = ${v}`;
        throw new Error(`ephemeral.${type}.${name}.${k}: only strings, numbers and booleans can be rendered as HCL here`);
      });
      return `ephemeral "${type}" "${name}" {\n${attributes.join("\n")}\n}\n`;
    }),
  );
}

/** True when `body` (between a string's outer quotes) has a `"` outside interpolations that no backslash escapes. */
function hasBareQuote(body: string): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (depth === 0) {
      if (c === "\\") i++;
      else if (c === '"') return true;
      else if ((c === "$" || c === "%") && body[i + 1] === "{" && body[i - 1] !== c) {
        depth = 1;
        i++;
      }
    } else if (c === '"') {
      // a string literal of the expression: skip to its end
      for (i++; i < body.length && body[i] !== '"'; i++) if (body[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}") depth--;
  }
  return false;
}

const STRING_LINE = /^(\s*(?:("?)([A-Za-z0-9_-]+)\2\s*=\s*)?)"(.*)"(,?)\s*$/;
const BLOCK_HEADER = /^\s*(resource|data|provider|output|module|locals|terraform|variable)\b(.*?)\s*\{\s*$/;
/** Attributes whose values are references or keywords, never strings. */
const REFERENCE_ATTRIBUTES = new Set(["depends_on", "provider", "ignore_changes", "replace_triggered_by"]);
const REFERENCE = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/**
 * Repairs cdktf 0.21 HCL renderer output (see the file comment). Pure: returns the new text and
 * the list of repairs; text without those defects is returned unchanged.
 */
export function repairHcl(text: string): { text: string; repairs: HclRepair[] } {
  const repairs: HclRepair[] = [];
  let block = "";
  let referenceList: string | undefined; // the attribute while inside `depends_on = [` and the like
  let heredoc: string | undefined; // the closing marker while inside <<EOF ... EOF
  let conditions: { name: string; depth: number } | undefined; // inside `postcondition = [`
  const lines = text.split("\n").map((line, index): string | undefined => {
    if (conditions) {
      const trimmed = line.trim();
      if (conditions.depth === 0) {
        if (trimmed === "{") {
          conditions.depth = 1;
          return line.replace("{", `${conditions.name} {`);
        }
        if (trimmed === "]") conditions = undefined;
        return undefined; // the list's closing bracket
      }
      if (trimmed.startsWith("}")) conditions.depth--;
      if (trimmed.endsWith("{")) conditions.depth++;
      return conditions.depth === 0 ? line.replace(/\},?\s*$/, "}") : line;
    }
    const conditionList = /^\s*(precondition|postcondition)\s*=\s*\[\s*$/.exec(line);
    if (conditionList) {
      conditions = { name: conditionList[1], depth: 0 };
      repairs.push({ block, line: index + 1, kind: "condition-blocks", attribute: conditionList[1] });
      return undefined;
    }
    if (heredoc !== undefined) {
      if (line.trim() === heredoc) heredoc = undefined;
      return line;
    }
    const opening = /<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(line);
    if (opening) {
      heredoc = opening[1];
      return line;
    }
    const header = BLOCK_HEADER.exec(line);
    if (header && !/=/.test(line)) block = `${header[1]}${header[2] ? ` ${header[2].trim()}` : ""}`;
    const list = /^\s*([a-z_]+)\s*=\s*\[\s*$/.exec(line);
    if (list) {
      referenceList = REFERENCE_ATTRIBUTES.has(list[1]) ? list[1] : undefined;
      return line;
    }
    if (referenceList && /^\s*\]/.test(line)) referenceList = undefined;

    const m = STRING_LINE.exec(line);
    if (!m) return line;
    const [, prefix, , attribute = "", body, comma] = m;
    const reference = attribute ? REFERENCE_ATTRIBUTES.has(attribute) : referenceList;
    if (reference && REFERENCE.test(body)) {
      repairs.push({ block, line: index + 1, kind: "unquoted-reference", attribute: attribute || referenceList || "" });
      return `${prefix}${body}${comma}`;
    }
    // The renderer leaves strings with an interpolation completely unescaped (its escapeQuotes
    // returns early on "${"): the body is the raw template, to be escaped outside interpolations.
    if (body.includes("${") && hasBareQuote(body)) {
      repairs.push({ block, line: index + 1, kind: "escaped-quotes", attribute: attribute || "(list item)" });
      return `${prefix}"${escapeTemplate(body)}"${comma}`;
    }
    return line;
  });
  return { text: lines.filter((l): l is string => l !== undefined).join("\n"), repairs };
}

function terraformAvailable(): boolean {
  return spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
}

/** Options and usage text of `npm run synth:hcl`. */
export const SYNTH_HCL_COMMAND: CommandSpec = {
  name: "synth:hcl",
  invocation: "npm run synth:hcl --",
  synopsis: "[--outdir DIR]",
  summary: `The same stacks as HCL for review: cdktf.out.hcl/stacks/<stack>/cdk.tf (never mixed with the JSON in
cdktf.out/), with cdktf's HCL quoting defects repaired and terraform fmt applied (docs/development.md).`,
  options: { outdir: { type: "string", value: "DIR", description: "output folder (default cdktf.out.hcl); replaced when it is a synth output" } },
  exit: "0 written, 1 synth failed, 2 bad input",
};
export const USAGE = usage(SYNTH_HCL_COMMAND);

export interface SynthHclOptions {
  /** Folder of environment files (default: $ZENML_CONFIG_DIR, else config/). */
  readonly configDir?: string;
  /** Where the app's own output (e.g. the policy report) and the repair notes go; default stdout. */
  readonly log?: (line: string) => void;
}

/** Synthesizes HCL into `outdir` (replacing an earlier HCL synth there); returns the stack folders. */
export function synthHcl(outdir: string, options: SynthHclOptions = {}): string[] {
  const log = options.log ?? ((line: string) => console.log(line));
  if (fs.existsSync(outdir)) {
    const entries = fs.readdirSync(outdir);
    if (entries.length > 0 && !entries.includes("manifest.json")) {
      throw new Error(`${outdir} exists and is not a synth output folder (no manifest.json): not replacing it`);
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  const main = path.join(ROOT, "dist", "main.js");
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (npm run synth:hcl does)`);
  const env: NodeJS.ProcessEnv = { ...process.env, SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: outdir };
  if (options.configDir) env.ZENML_CONFIG_DIR = options.configDir;
  const r = spawnSync(process.execPath, [main], { env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`synth failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  if (r.stdout.trim()) log(r.stdout.trimEnd());
  if (r.stderr.trim()) log(r.stderr.trimEnd());
  // The same app as JSON, for the blocks the HCL renderer drops.
  const jsonDir = fs.mkdtempSync(path.join(outdir, ".json-"));
  const j = spawnSync(process.execPath, [main], { env: { ...env, SYNTH_HCL_OUTPUT: "false", CDKTF_OUTDIR: jsonDir }, encoding: "utf8", maxBuffer: 64 << 20 });
  if (j.status !== 0) throw new Error(`JSON synth failed (exit ${j.status}):\n${j.stderr}${j.stdout}`);

  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs.readdirSync(stacksDir).sort();
  for (const stack of stacks) {
    const file = path.join(stacksDir, stack, "cdk.tf");
    if (!fs.existsSync(file)) throw new Error(`${file} was not written: is SYNTH_HCL_OUTPUT ignored?`);
    const { text: repairedText, repairs } = repairHcl(fs.readFileSync(file, "utf8"));
    const json = JSON.parse(fs.readFileSync(path.join(jsonDir, "stacks", stack, "cdk.tf.json"), "utf8"));
    const { text, repaired } = repairTerraformSettings(repairedText, json.terraform);
    if (repaired.length > 0) log(`  ${stack}/cdk.tf: terraform ${repaired.join(", ")}: wrote the value cdktf's HCL renderer drops`);
    const ephemeral = renderEphemeralBlocks(json.ephemeral);
    fs.writeFileSync(file, [text, ...ephemeral].join("\n"));
    if (ephemeral.length > 0) log(`  ${stack}/cdk.tf: added ${ephemeral.length} ephemeral block(s) cdktf's HCL renderer drops`);
    for (const fix of repairs.filter((r) => r.kind !== "unquoted-reference")) {
      const what = fix.kind === "escaped-quotes" ? "escaped the quotes that cdktf's HCL renderer left unescaped" : "turned the list cdktf renders into blocks";
      log(`  ${stack}/cdk.tf:${fix.line} ${fix.block}: ${fix.attribute}: ${what}`);
    }
    const unquoted = repairs.filter((r) => r.kind === "unquoted-reference").length;
    if (unquoted > 0) log(`  ${stack}/cdk.tf: removed the quotes cdktf puts around ${unquoted} reference(s) (depends_on, provider, lifecycle)`);
  }
  fs.rmSync(jsonDir, { recursive: true, force: true });
  if (terraformAvailable()) {
    const fmt = spawnSync("terraform", ["fmt", "-recursive", "-list=false", stacksDir], { encoding: "utf8" });
    if (fmt.status !== 0) throw new Error(`terraform fmt failed (the HCL is not valid):\n${fmt.stderr}`);
  } else {
    log("  terraform not on PATH: HCL left unformatted");
  }
  return stacks.map((s) => path.join(stacksDir, s));
}

if (require.main === module) {
  exitWith(
    SYNTH_HCL_COMMAND,
    runCli(SYNTH_HCL_COMMAND, process.argv.slice(2), (args) => {
      const stacks = synthHcl(path.resolve(args.string("outdir") ?? DEFAULT_HCL_OUTDIR));
      console.log(`HCL for review: ${stacks.map((s) => path.relative(process.cwd(), path.join(s, "cdk.tf"))).join(", ")}`);
      return 0;
    }),
  );
}
