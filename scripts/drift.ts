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
import { parseArgs } from "./common/tf-json";
import { actionable, driftMarkdown, driftReview } from "./drift/report";
import { refreshOnlyPlan } from "./drift/refresh";
import { isPlan } from "./review/plan";
import { MAX_COMMENT_CHARS, renderJson } from "./review/render";
import { masker, secretValues } from "./review/secrets";

const VALUED = ["out", "plan", "format", "output", "max-chars", "full-report"];

const USAGE = `usage: npm run drift -- <stack> [options]

Runs terraform plan -refresh-only in <out>/stacks/<stack> (synthesize first: npm run synth) and prints
what changed outside Terraform: each attribute with before → after; what the stack ignores
(lifecycle.ignore_changes) is reported as expected.
options   --out DIR                 the synthesized app (default cdktf.out)
          --plan FILE               review this refresh-only plan JSON instead of running terraform
          --format markdown|json    default markdown
          --output FILE             write the report to FILE instead of stdout
          --max-chars N             Markdown within N characters (default ${MAX_COMMENT_CHARS}: a GitHub issue); 0: no limit
          --full-report TEXT        where the uncut report is, named when the Markdown was cut
exit 0 no drift to act on, 1 drift, 2 bad input or terraform failed`;

/** Runs the command; returns [output, exit code]. */
export function runDrift(argv: readonly string[]): { text: string; code: number } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, VALUED);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const { flags, positionals } = parsed;
  if (flags.help) return { text: `${USAGE}\n`, code: EXIT.ok };
  const unknown = Object.keys(flags).filter((k) => ![...VALUED, "help"].includes(k));
  if (unknown.length) throw new InputError(`unknown option --${unknown[0]}`);
  if (VALUED.some((k) => flags[k] === true)) throw new InputError(`--${VALUED.find((k) => flags[k] === true)} needs a value`);
  if (positionals.length !== 1) throw new InputError("give exactly one stack name (e.g. npm run drift -- dev)");
  const stack = positionals[0];
  const format = typeof flags.format === "string" ? flags.format : "markdown";
  if (!["markdown", "json"].includes(format)) throw new InputError(`--format must be markdown or json (got ${format})`);
  const maxChars = typeof flags["max-chars"] === "string" ? Number(flags["max-chars"]) : MAX_COMMENT_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 0 || (maxChars > 0 && maxChars < 2_000)) throw new InputError(`--max-chars must be 0 (no limit) or a whole number of at least 2000 (got ${flags["max-chars"]})`);
  const out = typeof flags.out === "string" ? flags.out : "cdktf.out";
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
  try {
    const { flags } = parseArgs(process.argv.slice(2), VALUED);
    const { text, code } = runDrift(process.argv.slice(2));
    if (typeof flags.output === "string") fs.writeFileSync(flags.output, text);
    else process.stdout.write(text);
    if (code === EXIT.failed) process.stderr.write("drift: objects changed outside Terraform (listed above)\n");
    process.exitCode = code;
  } catch (e) {
    if (e instanceof InputError || (e as Error).message?.endsWith("needs a value")) {
      process.stderr.write(`drift: ${(e as Error).message}\n\n${USAGE}\n`);
      process.exitCode = EXIT.badInput;
    } else throw e;
  }
}
