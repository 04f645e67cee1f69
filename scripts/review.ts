#!/usr/bin/env node
/**
 * `npm run review -- <plan.json>... [--format markdown|json|sarif] [--base <cdktf.out>] [--fail-on danger|warn|info|none]
 * [--config <cdk.tf.json>] [--output FILE] [--max-chars N] [--full-report TEXT]`: a risk summary of each
 * `terraform show -json` plan (data loss, security, drift, state, rollout, cost, policy) for a reviewer,
 * as Markdown (the PR comment, within GitHub's comment size), JSON or SARIF (docs/policy.md, "Plan
 * review"). Every output goes through one masking of the plan's secret values (scripts/review/secrets.ts).
 * Exit codes: 0 reviewed, 1 a finding at or above --fail-on, 2 bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { InputError } from "./common/checks";
import { CommandSpec, exitWith, parseCommand, runCli, usage } from "./common/cli";
import { loadStackFile } from "./common/tf-json";
import { SEVERITIES, Severity, StackReview } from "./review/model";
import { isPlan } from "./review/plan";
import { MAX_COMMENT_CHARS, renderJson, renderMarkdown } from "./review/render";
import { reviewPlan } from "./review/review";
import { renderSarif } from "./review/sarif";
import { masker, secretValues } from "./review/secrets";

/** Options and usage text of `npm run review`. */
export const REVIEW_COMMAND: CommandSpec = {
  name: "review",
  invocation: "npm run review --",
  synopsis: "<plan.json>... [options]",
  summary: `A risk summary of each plan (terraform show -json plan.out) for PR review: data loss (danger), security
and policy (warn), rollout and cost (info), then the full plan collapsed: the plan.txt next to each plan
(terraform plan output), else a list of the changes. Secret values of the plan (sensitive, user_data,
secret-named env/tag values) are "(hidden)" in every output, the full plan included (docs/policy.md#plan-review).`,
  positionals: { "plan.json": "terraform show -json plan.out, one per stack (a cdk.tf.json and plan.txt next to it are used)" },
  options: {
    format: { type: "string", choices: ["markdown", "json", "sarif"], description: "report format (default markdown; sarif: the findings for code scanning)" },
    base: { type: "string", value: "DIR", description: "a synthesized cdktf.out of the base branch: cost delta per stack" },
    "fail-on": { type: "string", choices: [...SEVERITIES, "none"], description: "exit 1 when a finding is at least this severe (default none)" },
    config: {
      type: "string",
      value: "FILE",
      description: "the cdk.tf.json the plan was made from (default: the one next to the plan;\ngives prevent_destroy, the policy suppressions and the head cost)",
    },
    output: { type: "string", value: "FILE", description: "write the report to FILE instead of stdout" },
    "max-chars": {
      type: "string",
      value: "N",
      description: `Markdown within N characters (default ${MAX_COMMENT_CHARS}: a GitHub comment); 0: no limit.\nDanger findings are never cut`,
    },
    "full-report": { type: "string", value: "TEXT", description: "where the uncut report is, named when the Markdown was cut" },
  },
  exit: "0 reviewed, 1 a finding at or above --fail-on, 2 bad input",
};
export const USAGE = usage(REVIEW_COMMAND);


function readJsonFile(file: string, what: string): any {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new InputError(`${file}: no such file (${what})`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Runs the command; returns [output, exit code]. */
export function runReview(argv: readonly string[]): { text: string; code: number } {
  const args = parseCommand(REVIEW_COMMAND, argv);
  if (args.help) return { text: `${USAGE}\n`, code: 0 };
  const positionals = args.positionals;
  const flags = { config: args.string("config"), base: args.string("base") };
  const format = args.string("format") ?? "markdown";
  const failOn = args.string("fail-on") ?? "none";
  const maxCharsText = args.string("max-chars");
  const maxChars = maxCharsText === undefined ? MAX_COMMENT_CHARS : Number(maxCharsText);
  if (!Number.isInteger(maxChars) || maxChars < 0 || (maxChars > 0 && maxChars < 2_000)) throw new InputError(`--max-chars must be 0 (no limit) or a whole number of at least 2000 (got ${maxCharsText})`);
  const fullReport = args.string("full-report");
  if (positionals.length === 0) throw new InputError("give at least one plan JSON file (terraform show -json plan.out > plan.json)");
  if (typeof flags.config === "string" && positionals.length > 1) throw new InputError("--config applies to one plan only; put each plan next to its cdk.tf.json instead");
  const base = typeof flags.base === "string" ? flags.base : undefined;
  if (base && !fs.existsSync(path.join(base, "stacks"))) throw new InputError(`--base ${base}: no stacks/ folder (expected a synthesized cdktf.out)`);

  const planTexts = new Map<StackReview, string>();
  const secrets = new Set<string>();
  const reviews = positionals.map((file) => {
    const plan = readJsonFile(file, "plan JSON");
    if (!isPlan(plan)) throw new InputError(`${file}: not a plan (expected the output of terraform show -json plan.out, with format_version and resource_changes)`);
    for (const v of secretValues(plan)) secrets.add(v);
    const configFile = typeof flags.config === "string" ? flags.config : path.join(path.dirname(file), "cdk.tf.json");
    let stackJson: Record<string, any> | undefined;
    let stack = path.basename(path.dirname(path.resolve(file)));
    if (fs.existsSync(configFile)) {
      const loaded = (() => {
        try {
          return loadStackFile(configFile);
        } catch (e) {
          throw new InputError(`${configFile}: not valid JSON (${(e as Error).message})`);
        }
      })();
      if (!loaded.json.resource && !loaded.json.terraform) throw new InputError(`${configFile}: not a synthesized Terraform JSON configuration (cdk.tf.json)`);
      stackJson = loaded.json;
      stack = loaded.name;
    } else if (typeof flags.config === "string") throw new InputError(`${configFile}: no such file (--config)`);
    let baseStackJson: Record<string, any> | null | undefined;
    if (base) {
      const baseFile = path.join(base, "stacks", stack, "cdk.tf.json");
      baseStackJson = fs.existsSync(baseFile) ? readJsonFile(baseFile, "base stack") : null;
    }
    let review: StackReview;
    try {
      review = reviewPlan({ plan, source: file, stack, ...(stackJson ? { stackJson } : {}), ...(base ? { baseStackJson } : {}) });
    } catch (e) {
      if ((e as Error).message.startsWith("unknown plan action list")) throw new InputError(`${file}: ${(e as Error).message}`);
      throw e;
    }
    const textFile = path.join(path.dirname(file), "plan.txt");
    if (fs.existsSync(textFile)) planTexts.set(review, fs.readFileSync(textFile, "utf8"));
    return review;
  });
  // One masking for every output: the plan text is masked before it is measured and cut.
  const mask = masker(secrets);
  const text = mask(
    format === "json"
      ? renderJson(reviews)
      : format === "sarif"
        ? renderSarif(reviews)
        : renderMarkdown(reviews, (r) => (planTexts.has(r) ? mask(planTexts.get(r)!) : undefined), { maxChars, ...(fullReport ? { fullReport } : {}) }),
  );
  const limit = failOn === "none" ? -1 : SEVERITIES.indexOf(failOn as Severity);
  const failing = reviews.flatMap((r) => r.findings).filter((f) => SEVERITIES.indexOf(f.severity) <= limit);
  return { text, code: failing.length > 0 ? 1 : 0 };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  exitWith(
    REVIEW_COMMAND,
    runCli(REVIEW_COMMAND, argv, (args) => {
      const { text, code } = runReview(argv);
      const output = args.string("output");
      if (output) fs.writeFileSync(output, text);
      else process.stdout.write(text);
      if (code === 1) process.stderr.write(`review: findings at or above --fail-on ${args.string("fail-on")}; a reviewer can accept them with the PR label review:accept-danger (docs/policy.md)\n`);
      return code;
    }),
  );
}
