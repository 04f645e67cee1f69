#!/usr/bin/env node
/**
 * `npm run preflight -- <stack> [--stack-json FILE] [--require-aws] [--format text|json] [--verbose]`
 *
 * What can be known before a deploy (docs/operations.md#preflight): the server image's configuration,
 * read from its registry without Docker, against the task definition (port, command, user, mounts,
 * version), the caller's AWS account against the provider's allowed_account_ids, and the OAuth2
 * client secret's value. Exit codes: 0 all checks pass, 1 a check failed, 2 bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { parseOptions } from "./common/args";
import { EXIT, FORMATS, Format, InputError, exitCode, render } from "./common/checks";
import { TfJson, projectRoot } from "./common/tf-json";
import { runPreflight } from "./preflight/run";
import { readPreflightStack } from "./preflight/task";

const USAGE = `usage: npm run preflight -- <stack> [options]

Checks what can be known before a deploy: the server image (read from its registry) against the task
definition, the AWS account and the OAuth2 client secret.
stack     stack name: reads \${CDKTF_OUTDIR:-cdktf.out}/stacks/<stack>/cdk.tf.json (npm run synth first)
options   --stack-json FILE        read this cdk.tf.json instead (a stack name given too names the report)
          --require-aws            checks that need AWS fail (instead of "not checked") without credentials
          --format text|json       report format (default text)
          --verbose                also print the evidence of passed checks
exit      0 all checks pass, 1 a check failed, 2 bad input`;

/** Output streams (tests pass their own). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    if (argv.includes("-h") || argv.includes("--help")) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const args = parseOptions(argv, { valued: ["stack-json", "format"], flags: ["require-aws", "verbose"], choices: { format: FORMATS } });
    if (args.positionals.length > 1) throw new InputError(`one stack at a time, got ${args.positionals.join(", ")}`);
    const stackJson = args.values["stack-json"];
    const positional = args.positionals[0];
    if (!stackJson && !positional) throw new InputError("name a stack (npm run preflight -- dev) or pass --stack-json FILE");
    const outdir = io.env.CDKTF_OUTDIR ?? path.join(projectRoot(), "cdktf.out");
    const file = stackJson ?? path.join(outdir, "stacks", positional, "cdk.tf.json");
    if (!fs.existsSync(file)) throw new InputError(`${file}: no such file${stackJson ? "" : ` (is "${positional}" a stack? run npm run synth first)`}`);
    let json: TfJson;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    const name = positional ?? json["//"]?.metadata?.stackName ?? path.basename(path.dirname(file));
    const stack = readPreflightStack(name, file, json);
    const checks = await runPreflight(stack, { requireAws: args.flags.has("require-aws"), env: io.env, fetch: io.fetch });
    const report = { command: "preflight", subject: name, at: new Date().toISOString(), checks };
    io.out(render(report, (args.values.format ?? "text") as Format, args.flags.has("verbose")));
    return exitCode(report);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.err(`preflight: ${e.message}\n${e.message.startsWith("name a stack") ? `\n${USAGE}\n` : ""}`);
    return EXIT.badInput;
  }
}

if (require.main === module) {
  // The SDK's notice about its future Node.js requirement is not for the user of this command (the
  // clients are pinned in package-lock.json); keep stderr for what must be acted on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env }).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`preflight: ${(e as Error).stack ?? e}\n`);
      process.exitCode = EXIT.badInput;
    },
  );
}
