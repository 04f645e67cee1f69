#!/usr/bin/env node
/**
 * `npm run policy -- [paths] [--format text|json|sarif|junit] [--output FILE] [--suppressions FILE] [--import REPORT...]`
 *
 * Checks synthesized stacks (default: cdktf.out/stacks/<stack>/cdk.tf.json) or plan JSON
 * (`terraform show -json plan.out`) against the same rule pack the synth-time aspect runs, and
 * applies the same suppressions to imported checkov, trivy and KICS JSON reports.
 * Exit codes: 0 no violation, 1 violations, 2 usage or input error (missing/malformed file).
 */
import * as fs from "fs";
import * as path from "path";
import { evaluate } from "../lib/policy/engine";
import { applySuppressions, readScannerReport } from "../lib/policy/external";
import { loadInput, PolicyInputError } from "../lib/policy/load";
import { Format, FORMATS, PolicyReport, render, violationCount } from "../lib/policy/report";
import { ALL_RULES } from "../lib/policy/rules";
import { relatedChecks } from "../lib/policy/scanners";
import { CommandSpec, Parsed, exitWith, runCli, usage } from "./common/cli";

/** Options and usage text of `npm run policy`. */
export const POLICY_COMMAND: CommandSpec = {
  name: "policy",
  invocation: "npm run policy --",
  synopsis: "[paths...] [options]",
  summary: `Checks Terraform JSON against the policy pack (lib/policy, ${ALL_RULES.length} rules, IDs ZN*); the same rules run inside
every synth and stop it before anything is written. For clean output: npm run -s policy -- --format sarif > policy.sarif`,
  positionals: {
    paths: "cdk.tf.json files, plan JSON files (terraform show -json plan.out), or folders holding\ncdk.tf.json or stacks/*/cdk.tf.json; default: \${CDKTF_OUTDIR:-cdktf.out}/stacks/*/cdk.tf.json",
  },
  options: {
    format: { type: "string", choices: FORMATS, description: "report format (default text)" },
    output: { type: "string", value: "FILE", description: "write the report to FILE instead of stdout" },
    suppressions: {
      type: "string",
      value: "FILE",
      description: "cdk.tf.json whose suppressions apply to plan inputs\n(default: the cdk.tf.json next to each plan file)",
    },
    import: {
      type: "string",
      variadic: true,
      value: "REPORT",
      description:
        "checkov (-o json), trivy (--format json) or KICS (json) reports, or their SARIF, of the\nsame stack files: findings are checked against the same suppressions; an unsuppressed\nfinding is a violation, an unmatched suppression stale (takes every following\nargument up to the next option: put paths first)",
    },
    "list-rules": { type: "boolean", description: "print the rules and exit" },
  },
  exit: "0 no violations, 1 violations, 2 usage or input error",
};
export const USAGE = usage(POLICY_COMMAND);

/** Stack files under a cdktf output folder. */
function stackFiles(outdir: string): string[] {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return [];
  return fs
    .readdirSync(stacks)
    .sort()
    .map((s) => path.join(stacks, s, "cdk.tf.json"))
    .filter((f) => fs.existsSync(f));
}

/** Files to check for the given paths. */
function resolveInputs(paths: string[]): string[] {
  if (paths.length === 0) {
    const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
    const files = stackFiles(outdir);
    if (files.length === 0) throw new PolicyInputError(`no synthesized stacks in ${outdir}/stacks/*/cdk.tf.json: run \`npm run synth\` first, or pass files`);
    return files;
  }
  return paths.flatMap((p) => {
    if (!fs.existsSync(p)) throw new PolicyInputError(`${p}: no such file or directory`);
    if (!fs.statSync(p).isDirectory()) return [p];
    if (fs.existsSync(path.join(p, "cdk.tf.json"))) return [path.join(p, "cdk.tf.json")];
    const files = stackFiles(p);
    if (files.length === 0) throw new PolicyInputError(`${p}: no cdk.tf.json or stacks/*/cdk.tf.json inside`);
    return files;
  });
}

function listRules(): string {
  return ALL_RULES.map((r) => `${r.id.padEnd(8)} ${r.severity.padEnd(8)} ${r.title}  [${relatedChecks(r).join(", ")}]`).join("\n") + "\n";
}

function main(args: Parsed): number {
  if (args.flag("list-rules")) {
    process.stdout.write(listRules());
    return 0;
  }
  const options = { paths: [...args.positionals], format: (args.string("format") ?? "text") as Format, output: args.string("output"), suppressions: args.string("suppressions"), imports: args.list("import") };
  try {
    const files = resolveInputs(options.paths);
    const inputs = files.map((file) => ({ file, ...loadInput(file, { suppressionsFrom: options.suppressions }) }));
    const evaluation = evaluate(inputs);
    const version = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version as string;
    const reports = options.imports.map((file) => ({ file, ...readScannerReport(file) }));
    const report: PolicyReport = {
      version,
      evaluation,
      inputs: inputs.map((i) => ({ file: i.file, kind: i.kind, text: fs.readFileSync(i.file, "utf8") })),
      ...(reports.length > 0 ? { external: applySuppressions(reports, inputs) } : {}),
    };
    const text = render(report, options.format);
    if (options.output) fs.writeFileSync(options.output, text);
    else process.stdout.write(text);
    const bad = violationCount(report);
    if (options.output || options.format !== "text") {
      process.stderr.write(`policy: ${files.length} file(s): ${bad > 0 ? `${bad} violation(s)` : "no violations"}\n`);
    }
    return bad > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof PolicyInputError) {
      process.stderr.write(`policy: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) exitWith(POLICY_COMMAND, runCli(POLICY_COMMAND, process.argv.slice(2), main));
