#!/usr/bin/env node
/**
 * `npm run preflight -- <stack> [--stack-json FILE] [--config FILE] [--offline | --require-aws] [--format text|json] [--verbose]`
 *
 * What can be known before a deploy (docs/operations.md#preflight): the environment file holds no
 * shipped placeholder, the server image's configuration, read from its registry without Docker,
 * against the task definition (port, command, user, mounts, version), the caller's AWS account
 * against the provider's allowed_account_ids, and the OAuth2 client secret's value. Without AWS
 * credentials the run is incomplete and exits 1 unless --offline says that is intended.
 * Exit codes: 0 all checks pass, 1 a check failed (or AWS checks could not run), 2 bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { describePlaceholders, placeholdersInConfig } from "../lib/config/placeholders";
import { CheckResult, FORMATS, Format, InputError, exitCode, render } from "./common/checks";
import { CommandSpec, defaultOutdir, exitWith, knownStacks, runCli, unknownStack, usage } from "./common/cli";
import { TfJson, projectRoot } from "./common/tf-json";
import { runPreflight } from "./preflight/run";
import { result } from "./preflight/result";
import { readPreflightStack } from "./preflight/task";

/** Options and usage text of `npm run preflight`. */
export const PREFLIGHT_COMMAND: CommandSpec = {
  name: "preflight",
  invocation: "npm run preflight --",
  synopsis: "<stack> [options]",
  summary: `Checks what can be known before a deploy: no shipped placeholder left in the environment file, the
server image (read from its registry, no Docker) against the task definition (port, command --port,
non-root user, mounts over HOME or PATH, version label vs tag), the AWS account (allowedAccountIds) and the
OAuth2 client secret's value (never printed). Without AWS credentials the AWS checks cannot run: the first
line says so and the exit code is 1, unless --offline.`,
  positionals: { stack: "stack name: reads \${CDKTF_OUTDIR:-cdktf.out}/stacks/<stack>/cdk.tf.json (npm run synth first)" },
  options: {
    "stack-json": { type: "string", value: "FILE", description: "read this cdk.tf.json instead (a stack name given too names the report)" },
    config: { type: "string", value: "FILE", description: "the environment file to check for placeholders\n(default: \${ZENML_CONFIG_DIR:-config}/<stack>.json)" },
    offline: { type: "boolean", description: "make no AWS call: AWS checks are not checked, placeholders allowed (exit 0 if the rest passes)" },
    "require-aws": { type: "boolean", description: "unchecked AWS checks are failures (the deploy workflow sets it)" },
    format: { type: "string", choices: FORMATS, description: "report format (default text)" },
    verbose: { type: "boolean", description: "also print the evidence of passed checks" },
  },
  exit: "0 all checks pass, 1 a check failed or AWS checks could not run, 2 bad input",
};
export const USAGE = usage(PREFLIGHT_COMMAND);

/** Output streams (tests pass their own). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** The placeholder check of the environment file behind the stack. */
function placeholderCheck(file: string | undefined, offline: boolean): CheckResult {
  const id = "config-placeholders";
  const title = "Config values";
  if (!file) return result(id, title, "skip", "no environment file for this stack (pass --config FILE)");
  const uses = placeholdersInConfig(path.dirname(file), [path.basename(file, ".json")]);
  if (uses.length === 0) return result(id, title, "pass", `${file}: no shipped example value`);
  const fields = uses.map((u) => u.field).join(", ");
  if (offline) return result(id, title, "skip", `${file}: shipped example values (allowed with --offline): ${fields}`, describePlaceholders(uses));
  return result(id, title, "fail", `${file}: ${uses.length} shipped example value(s) would reach AWS: ${fields}`, describePlaceholders(uses).slice(1).map((l) => l.trim()), {
    cause: "the deploy would create resources for another organization, account, bucket or domain (npm run deploy refuses it)",
    fix: `put your own values into ${file} (docs/configuration.md#placeholders)`,
  });
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  return runCli(
    PREFLIGHT_COMMAND,
    argv,
    async (args) => {
      if (args.positionals.length > 1) throw new InputError(`one stack at a time, got ${args.positionals.join(", ")}`);
      if (args.flag("offline") && args.flag("require-aws")) throw new InputError("--offline and --require-aws exclude each other");
      const stackJson = args.string("stack-json");
      const positional = args.positionals[0];
      if (!stackJson && !positional) throw new InputError("name a stack (npm run preflight -- dev) or pass --stack-json FILE");
      const outdir = defaultOutdir(io.env);
      const file = stackJson ?? path.join(outdir, "stacks", positional, "cdk.tf.json");
      if (!fs.existsSync(file)) {
        if (stackJson) throw new InputError(`${file}: no such file`);
        const known = knownStacks(outdir, io.env);
        if (!known.names.includes(positional)) throw unknownStack(positional, known);
        throw new InputError(`${file}: no such file (run npm run synth first)`);
      }
      let json: TfJson;
      try {
        json = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (e) {
        throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
      }
      const name = positional ?? json["//"]?.metadata?.stackName ?? path.basename(path.dirname(file));
      const configArg = args.string("config");
      if (configArg && !fs.existsSync(configArg)) throw new InputError(`--config ${configArg}: no such file`);
      const defaultConfig = path.relative(process.cwd(), path.join(io.env.ZENML_CONFIG_DIR ?? path.join(projectRoot(), "config"), `${name}.json`));
      const configFile = configArg ?? (fs.existsSync(defaultConfig) ? defaultConfig : undefined);
      const stack = readPreflightStack(name, file, json);
      const offline = args.flag("offline");
      const checks = [
        placeholderCheck(configFile, offline),
        ...(await runPreflight(stack, { requireAws: args.flag("require-aws"), offline, env: io.env, fetch: io.fetch })),
      ];
      const unchecked = checks.filter((c) => c.status === "skip" && c.summary.startsWith("no AWS credentials"));
      const notice =
        unchecked.length > 0
          ? `preflight ${name}: INCOMPLETE: no AWS credentials, so ${unchecked.length} check(s) did not run (${unchecked.map((c) => c.id).join(", ")}); run with credentials for the stack's account, or pass --offline to accept checking only what needs no AWS`
          : undefined;
      const report = { command: "preflight", subject: name, at: new Date().toISOString(), checks, ...(notice ? { notice } : {}) };
      io.out(render(report, (args.string("format") ?? "text") as Format, args.flag("verbose")));
      return exitCode(report);
    },
    { out: io.out, err: io.err },
  );
}

if (require.main === module) {
  // The SDK's notice about its future Node.js requirement is not for the user of this command (the
  // clients are pinned in package-lock.json); keep stderr for what must be acted on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  exitWith(PREFLIGHT_COMMAND, main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env }));
}
