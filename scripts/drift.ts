#!/usr/bin/env node
/**
 * `npm run drift -- <stack> [--out cdktf.out] [--plan drift.json] [--format markdown|json]
 * [--output FILE] [--max-chars N] [--full-report TEXT]`: runs a refresh-only plan of the synthesized
 * stack (scripts/drift/refresh.ts) and prints its drift review (docs/operations.md, "Drift"). Exit
 * codes: 0 no drift to act on, 1 drift, 2 bad input or terraform failed.
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT, InputError } from "./common/checks";
import { CommandSpec, exitWith, knownStacks, parseCommand, runCli, unknownStack, usage } from "./common/cli";
import { actionable, driftMarkdown, driftReview } from "./drift/report";
import { refreshOnlyPlan } from "./drift/refresh";
import { isPlan } from "./review/plan";
import { MAX_COMMENT_CHARS, renderJson } from "./review/render";
import { masker, secretValues } from "./review/secrets";

/** `npm run drift`: its options and usage text (scripts/common/cli.ts). */
export const DRIFT_COMMAND: CommandSpec = {
  name: "drift",
  invocation: "npm run drift --",
  synopsis: "<stack> [options]",
  summary: `Runs terraform plan -refresh-only in <out>/stacks/<stack> (synthesize first: npm run synth) and prints
what changed outside Terraform: each attribute with before → after; what the stack ignores
(lifecycle.ignore_changes) is reported as expected (docs/operations.md, "Drift").`,
  positionals: { stack: "the stack to check" },
  options: {
    out: { type: "string", value: "DIR", description: "the synthesized app (default cdktf.out)" },
    plan: { type: "string", value: "FILE", description: "review this refresh-only plan JSON instead of running terraform" },
    format: { type: "string", choices: ["markdown", "json"], description: "report format (default markdown)" },
    output: { type: "string", value: "FILE", description: "write the report to FILE instead of stdout" },
    "max-chars": { type: "string", value: "N", description: `Markdown within N characters (default ${MAX_COMMENT_CHARS}: a GitHub issue); 0: no limit` },
    "full-report": { type: "string", value: "TEXT", description: "where the uncut report is, named when the Markdown was cut" },
  },
  exit: "0 no drift to act on, 1 drift, 2 bad input or terraform failed",
};
export const USAGE = usage(DRIFT_COMMAND);

/** Runs the command; returns [output, exit code]. */
export function runDrift(argv: readonly string[]): { text: string; code: number } {
  const args = parseCommand(DRIFT_COMMAND, argv);
  if (args.help) return { text: `${USAGE}\n`, code: EXIT.ok };
  const positionals = args.positionals;
  const flags = { plan: args.string("plan"), "max-chars": args.string("max-chars"), "full-report": args.string("full-report") };
  if (positionals.length !== 1) throw new InputError("give exactly one stack name (e.g. npm run drift -- dev)");
  const stack = positionals[0];
  const format = args.string("format") ?? "markdown";
  const maxChars = typeof flags["max-chars"] === "string" ? Number(flags["max-chars"]) : MAX_COMMENT_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 0 || (maxChars > 0 && maxChars < 2_000)) throw new InputError(`--max-chars must be 0 (no limit) or a whole number of at least 2000 (got ${flags["max-chars"]})`);
  const out = args.string("out") ?? "cdktf.out";
  if (typeof flags.plan !== "string") {
    const known = knownStacks(path.resolve(out));
    if (!known.names.includes(stack)) throw unknownStack(stack, known);
  }
  const stackFile = path.join(out, "stacks", stack, "cdk.tf.json");
  let planFile: string;
  let planText: string | undefined;
  if (typeof flags.plan === "string") {
    planFile = flags.plan;
    if (!fs.existsSync(planFile)) throw new InputError(`--plan ${planFile}: no such file`);
    const txt = path.join(path.dirname(planFile), "drift.txt");
    if (fs.existsSync(txt)) planText = fs.readFileSync(txt, "utf8");
  } else {
    const files = refreshOnlyPlan(out, stack);
    planFile = files.planJson;
    planText = fs.readFileSync(files.planText, "utf8");
  }
  let plan: any;
  try {
    plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
  } catch (e) {
    throw new InputError(`${planFile}: not valid JSON (${(e as Error).message})`);
  }
  if (!isPlan(plan)) throw new InputError(`${planFile}: not a plan (expected terraform show -json of a refresh-only plan)`);
  let stackJson: Record<string, any> | undefined;
  if (fs.existsSync(stackFile)) {
    try {
      stackJson = JSON.parse(fs.readFileSync(stackFile, "utf8"));
    } catch (e) {
      throw new InputError(`${stackFile}: not valid JSON (${(e as Error).message})`);
    }
  } else if (typeof flags.plan !== "string") throw new InputError(`${stackFile}: not found; run \`npm run synth\` first`);
  const review = driftReview(plan, planFile, stack, stackJson);
  const mask = masker(secretValues(plan));
  const fullReport = typeof flags["full-report"] === "string" ? flags["full-report"] : undefined;
  const text = mask(format === "json" ? renderJson([review]) : driftMarkdown(review, planText === undefined ? undefined : mask(planText), maxChars, fullReport));
  return { text, code: actionable(review).length > 0 ? EXIT.failed : EXIT.ok };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  exitWith(
    DRIFT_COMMAND,
    runCli(DRIFT_COMMAND, argv, (args) => {
      const { text, code } = runDrift(argv);
      const output = args.string("output");
      if (output) fs.writeFileSync(output, text);
      else process.stdout.write(text);
      if (code === EXIT.failed) process.stderr.write("drift: objects changed outside Terraform (listed above)\n");
      return code;
    }),
  );
}
