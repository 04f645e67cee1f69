#!/usr/bin/env node
/**
 * `npm run diff|deploy|destroy -- <stack...> [options]`: the cdktf commands with this project's
 * conventions (scripts/common/cli.ts) and three guards cdktf alone does not give:
 * - the app is synthesized first by `node dist/main.js` itself, so a config error or a policy
 *   violation is printed once and plainly (cdktf re-prints the app's stderr wrapped in
 *   `[ERROR] default -` and again after its command line); cdktf then runs with `--skip-synth`;
 * - every stack named must exist (the stacks of the synthesized manifest are listed otherwise);
 * - `deploy` refuses the shipped placeholder values (lib/config/placeholders.ts), naming each file
 *   and field, before anything reaches AWS.
 * When stdout is not a terminal, cdktf runs with CI=true: its progress UI (ink 3, bundled in
 * cdktf-cli 0.21) then writes only the final frame instead of a spinner line per frame.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { describePlaceholders, placeholdersInConfig } from "../lib/config/placeholders";
import { InputError } from "./common/checks";
import { CommandSpec, OptionSpec, Parsed, defaultOutdir, exitWith, knownStacks, requireStacks, runCli } from "./common/cli";
import { projectRoot } from "./common/tf-json";

/** The cdktf subcommands wrapped here. */
export type CdktfCommand = "diff" | "deploy" | "destroy";

const VARS: Record<string, OptionSpec> = {
  var: { type: "string", multiple: true, value: "NAME=VALUE", description: "a Terraform variable (repeatable)" },
  "var-file": { type: "string", multiple: true, value: "FILE", description: "a .tfvars file (repeatable)" },
  "terraform-parallelism": { type: "string", value: "N", description: "terraform's -parallelism" },
  "migrate-state": { type: "boolean", description: "pass -migrate-state to terraform init" },
  "no-color": { type: "boolean", description: "no colours in the output" },
  "skip-provider-lock": { type: "boolean", description: "skip terraform providers lock (offline, with only a provider mirror)" },
};
const MANY: Record<string, OptionSpec> = {
  "auto-approve": { type: "boolean", description: "apply without asking (CI)" },
  parallelism: { type: "string", value: "N", description: "stacks run at the same time" },
  "ignore-missing-stack-dependencies": { type: "boolean", description: "run even when a stack's dependencies are not selected" },
};

const command = (name: CdktfCommand, synopsis: string, summary: string, options: Record<string, OptionSpec>): CommandSpec => ({
  name,
  invocation: `npm run ${name} --`,
  synopsis,
  summary,
  positionals: { stack: "stack name(s) (cdktf globs like 'dev*' work); see npx cdktf list" },
  options,
  exit: `0 done, 1 synth or terraform failed, 2 bad input${name === "deploy" ? " (an unknown stack, a placeholder value)" : ""}`,
});

/** The usage of each wrapped command. */
export const CDKTF_COMMANDS: Readonly<Record<CdktfCommand, CommandSpec>> = {
  diff: command("diff", "<stack> [options]", "Build, synthesize, then cdktf diff: the terraform plan of one stack.", VARS),
  deploy: command(
    "deploy",
    "<stack...> [options]",
    `Build, synthesize, refuse the shipped placeholder values of the stacks' environment files, then cdktf
deploy: terraform apply (add --auto-approve for CI).`,
    { ...MANY, "outputs-file": { type: "string", value: "FILE", description: "write the stack outputs to FILE" }, "outputs-file-include-sensitive-outputs": { type: "boolean", description: "include sensitive outputs in --outputs-file" }, ...VARS },
  ),
  destroy: command("destroy", "<stack...> [options]", "Build, synthesize, then cdktf destroy.", { ...MANY, ...VARS }),
};

/** The arguments for cdktf: the synthesized folder, the stacks, then every option given, as given. */
export function cdktfArgs(name: CdktfCommand, args: Parsed, outdir: string): string[] {
  const out: string[] = [name, "--skip-synth", "--output", outdir, ...args.positionals];
  for (const [option, spec] of Object.entries(CDKTF_COMMANDS[name].options)) {
    if (spec.type === "boolean") {
      if (args.flag(option)) out.push(`--${option}`);
    } else for (const v of args.list(option)) out.push(`--${option}`, v);
  }
  return out;
}

/**
 * cdktf's environment: CI=true when stdout is not a terminal (and CI is unset), so its progress UI
 * writes only the final frame (ink 3 renders every spinner frame as a line otherwise).
 */
export function cdktfEnv(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): NodeJS.ProcessEnv {
  return stdoutIsTty || env.CI !== undefined ? { ...env } : { ...env, CI: "true" };
}

/** Stack names after expanding cdktf's globs against the stacks that exist. @throws InputError for a name matching none. */
export function expandStacks(patterns: readonly string[], known: ReturnType<typeof knownStacks>): string[] {
  return patterns.flatMap((p) => {
    if (!p.includes("*")) {
      requireStacks([p], known);
      return [p];
    }
    const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    const matched = known.names.filter((n) => re.test(n));
    if (matched.length === 0) throw new InputError(`"${p}" matches no stack; stacks: ${known.names.join(", ")} (from ${known.source})`);
    return matched;
  });
}

/** Runs one wrapped command; returns the exit code. */
export async function run(name: CdktfCommand, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const spec = CDKTF_COMMANDS[name];
  return runCli(spec, argv, (args) => {
    if (args.positionals.length === 0) throw new InputError(`name the stack(s), e.g. npm run ${name} -- dev; stacks: ${knownStacks(defaultOutdir(env), env).names.join(", ")}`);
    if (name === "diff" && args.positionals.length > 1) throw new InputError(`diff takes one stack, got ${args.positionals.join(", ")}`);
    const root = projectRoot();
    const outdir = env.CDKTF_OUTDIR ?? "cdktf.out";
    // Synthesize with the app itself: its messages reach the terminal once, unwrapped.
    const synth = spawnSync(process.execPath, [path.join(root, "dist", "main.js")], { cwd: root, env: { ...env, CDKTF_OUTDIR: outdir }, stdio: "inherit" });
    if (synth.status !== 0) return 1;
    const stacks = expandStacks(args.positionals, knownStacks(path.resolve(root, outdir), env));
    if (name === "deploy") {
      const configDir = path.relative(process.cwd(), env.ZENML_CONFIG_DIR ?? path.join(root, "config")) || ".";
      const found = placeholdersInConfig(configDir, stacks);
      if (found.length > 0) {
        throw new InputError(
          [
            `refusing to deploy ${stacks.join(", ")}: the shipped example values below would reach AWS; put your own values in:`,
            ...describePlaceholders(found).map((l) => `  ${l}`),
            "(docs/configuration.md#placeholders; they only serve offline synth and tests)",
          ].join("\n"),
        );
      }
    }
    const r = spawnSync(path.join(root, "node_modules", ".bin", "cdktf"), cdktfArgs(name, args, outdir), { cwd: root, env: cdktfEnv(env, process.stdout.isTTY === true), stdio: "inherit" });
    return r.status ?? 1;
  });
}

if (require.main === module) {
  const [name, ...argv] = process.argv.slice(2);
  if (!(name in CDKTF_COMMANDS)) {
    process.stderr.write(`cdktf-run: first argument must be one of ${Object.keys(CDKTF_COMMANDS).join(", ")}\n`);
    process.exitCode = 2;
  } else exitWith(CDKTF_COMMANDS[name as CdktfCommand], run(name as CdktfCommand, argv));
}
