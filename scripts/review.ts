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
import { loadStackFile, parseArgs } from "./common/tf-json";
import { SEVERITIES, Severity, StackReview } from "./review/model";
import { isPlan } from "./review/plan";
import { MAX_COMMENT_CHARS, renderJson, renderMarkdown } from "./review/render";
import { reviewPlan } from "./review/review";
import { renderSarif } from "./review/sarif";
import { masker, secretValues } from "./review/secrets";

const VALUED = ["format", "base", "fail-on", "config", "output", "max-chars", "full-report"];

const USAGE = `usage: npm run review -- <plan.json>... [options]

A risk summary of each plan (terraform show -json plan.out): data loss (danger), security and policy
(warn), rollout and cost (info), then the full plan collapsed.
options   --format markdown|json    default markdown
          --base <dir>              a synthesized cdktf.out of the base branch: cost delta per stack
          --fail-on danger|warn|info|none  exit 1 when a finding is at least this severe (default none)
          --config <cdk.tf.json>    the stack the plan was made from (default: cdk.tf.json next to the plan;
                                    gives prevent_destroy, the policy suppressions and the head cost)
          --output FILE             write the report to FILE instead of stdout
          --max-chars N             Markdown within N characters (default ${MAX_COMMENT_CHARS}: a GitHub
                                    comment); 0: no limit. Danger findings are never cut
          --full-report TEXT        where the uncut report is, named when the Markdown was cut
The full plan under each summary is the plan.txt next to the plan (terraform plan output), else a list
of the changes. Secret values of the plan (sensitive, user_data, secret-named env/tag values) are "(hidden)" in every
output, the full plan included. exit 0 reviewed, 1 a finding at or above --fail-on, 2 bad input`;

class InputError extends Error {}

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
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv, VALUED);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const { flags, positionals } = parsed;
  if (flags.help) return { text: `${USAGE}\n`, code: 0 };
  const known = [...VALUED, "help"];
  const unknown = Object.keys(flags).filter((k) => !known.includes(k));
  if (unknown.length) throw new InputError(`unknown option --${unknown[0]}`);
  const format = typeof flags.format === "string" ? flags.format : "markdown";
  if (!["markdown", "json", "sarif"].includes(format)) throw new InputError(`--format must be markdown, json or sarif (got ${format})`);
  const failOn = typeof flags["fail-on"] === "string" ? flags["fail-on"] : "none";
  if (![...SEVERITIES, "none"].includes(failOn)) throw new InputError(`--fail-on must be danger, warn, info or none (got ${failOn})`);
  if (VALUED.some((k) => flags[k] === true)) throw new InputError(`--${VALUED.find((k) => flags[k] === true)} needs a value`);
  const maxChars = typeof flags["max-chars"] === "string" ? Number(flags["max-chars"]) : MAX_COMMENT_CHARS;
  if (!Number.isInteger(maxChars) || maxChars < 0 || (maxChars > 0 && maxChars < 2_000)) throw new InputError(`--max-chars must be 0 (no limit) or a whole number of at least 2000 (got ${flags["max-chars"]})`);
  const fullReport = typeof flags["full-report"] === "string" ? flags["full-report"] : undefined;
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
  try {
    const { flags } = parseArgs(process.argv.slice(2), VALUED);
    const { text, code } = runReview(process.argv.slice(2));
    if (typeof flags.output === "string") fs.writeFileSync(flags.output, text);
    else process.stdout.write(text);
    if (code === 1) process.stderr.write(`review: findings at or above --fail-on ${flags["fail-on"]}; a reviewer can accept them with the PR label review:accept-danger (docs/policy.md)\n`);
    process.exitCode = code;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`review: ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else throw e;
  }
}
