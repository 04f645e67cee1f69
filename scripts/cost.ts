#!/usr/bin/env node
/**
 * `npm run cost [-- [--format text|markdown|json] [--stack a,b] [--synth] [stack paths...]]`:
 * monthly on-demand cost estimate per synthesized stack, with the dated price table and the
 * assumptions under it, and a side-by-side comparison when there are several stacks.
 * Stack paths as for `npm run diagram`; default `$CDKTF_OUTDIR` (cdktf.out), synthesized when missing
 * or stale.
 */
import { CommandSpec, defaultOutdir, exitWith, parseCommand, runCli, selectStacks, usage } from "./common/cli";
import { resolveStacks } from "./common/tf-json";
import { CostLine, GROUP_ORDER, StackCost, describeAssumptions, estimateStack } from "./cost/estimate";
import { DEFAULT_ASSUMPTIONS, PRICE_TABLES } from "./cost/prices";

/** Options and usage text of `npm run cost`. */
export const COST_COMMAND: CommandSpec = {
  name: "cost",
  invocation: "npm run cost --",
  synopsis: "[options] [cdk.tf.json | stack dir | cdktf.out ...]",
  summary: `Monthly on-demand cost per stack, a comparison of the stacks (dev vs prod) and the assumptions
(prices: scripts/cost/prices.ts, dated). Without paths: \${CDKTF_OUTDIR:-cdktf.out}, synthesized first
when missing or older than config/ or the compiled app. For clean JSON: npm run -s cost -- --format json`,
  positionals: { paths: "cdk.tf.json files, stack folders or cdktf output folders (default: the synthesized stacks)" },
  options: {
    format: { type: "string", choices: ["text", "markdown", "json"], description: "report format (default text)" },
    stack: { type: "string", value: "NAME[,NAME]", description: "only these stacks" },
    synth: { type: "boolean", description: "synthesize first even when cdktf.out is fresh" },
  },
  exit: "0 printed, 1 synthesis failed, 2 bad input",
};
export const USAGE = usage(COST_COMMAND);

const usd = (n: number) => (Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "n/a");

/** Plain-text table with aligned columns; `right` marks right-aligned columns. */
function table(rows: string[][], right: boolean[], markdown: boolean): string[] {
  if (markdown) {
    const [head, ...body] = rows;
    return [`| ${head.join(" | ")} |`, `|${right.map((r) => (r ? "---:" : "---")).join("|")}|`, ...body.map((r) => `| ${r.join(" | ")} |`)];
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [fmt(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(fmt)];
}

/** Rows that have no cost in any stack and are not informative are kept: a $0 line says "counted, free". */
function stackTable(cost: StackCost, markdown: boolean): string[] {
  const rows: string[][] = [["group", "item", "quantity", "rate", "USD/month"]];
  for (const l of cost.lines) rows.push([l.group, `${l.item}${l.assumed ? " *" : ""}`, l.quantity, l.rate, usd(l.monthly)]);
  rows.push(["", "total", "", "", usd(cost.total)]);
  if (markdown) rows[rows.length - 1] = rows[rows.length - 1].map((c) => (c ? `**${c}**` : c));
  return table(rows, [false, false, false, false, true], markdown);
}

function comparisonTable(costs: StackCost[], markdown: boolean): string[] {
  const keys: CostLine[] = [];
  for (const c of costs) for (const l of c.lines) if (!keys.some((k) => k.group === l.group && k.item === l.item)) keys.push(l);
  keys.sort((x, y) => GROUP_ORDER.indexOf(x.group) - GROUP_ORDER.indexOf(y.group));
  // Two stacks (dev vs prod): add the difference.
  const pair = costs.length === 2;
  const value = (c: StackCost, k: CostLine) => c.lines.find((l) => l.group === k.group && l.item === k.item)?.monthly;
  const diff = (a?: number, b?: number) => {
    const d = (b ?? 0) - (a ?? 0);
    return Number.isFinite(d) ? `${d > 0 ? "+" : ""}${usd(d)}` : "n/a";
  };
  const rows: string[][] = [["group", "item", ...costs.map((c) => c.stack), ...(pair ? [`${costs[1].stack} − ${costs[0].stack}`] : [])]];
  for (const k of keys) {
    const values = costs.map((c) => value(c, k));
    rows.push([k.group, k.item, ...values.map((v) => (v === undefined ? "-" : usd(v))), ...(pair ? [diff(values[0], values[1])] : [])]);
  }
  rows.push(["", "total", ...costs.map((c) => usd(c.total)), ...(pair ? [diff(costs[0].total, costs[1].total)] : [])]);
  if (markdown) rows[rows.length - 1] = rows[rows.length - 1].map((c) => (c ? `**${c}**` : c));
  return table(rows, [false, false, ...costs.map(() => true), ...(pair ? [true] : [])], markdown);
}

/** The report as text or Markdown. */
export function formatReport(costs: StackCost[], markdown = false): string {
  const out: string[] = [];
  const h = (text: string) => out.push(markdown ? `### ${text}` : `== ${text}`);
  for (const c of costs) {
    h(`${c.stack} (${c.region}): $${usd(c.total)} per month`);
    out.push("");
    out.push(...stackTable(c, markdown));
    out.push("");
    for (const n of c.notes) out.push(`${markdown ? "- " : "  - "}${n}`);
    out.push("");
  }
  if (costs.length > 1) {
    h(`comparison, USD per month`);
    out.push("");
    out.push(...comparisonTable(costs, markdown));
    out.push("");
  }
  const tables = [...new Set(costs.map((c) => c.priceRegion))].map((r) => PRICE_TABLES[r]);
  h("assumptions");
  out.push("");
  out.push(`${markdown ? "- " : "  - "}Items marked * use assumed volumes; all else is counted from the synthesized Terraform JSON.`);
  for (const t of tables) {
    out.push(`${markdown ? "- " : "  - "}Prices: ${t.region} on-demand list prices in ${t.currency}, transcribed ${t.asOf} from the AWS pricing pages (sources in scripts/cost/prices.ts).`);
  }
  for (const line of describeAssumptions(DEFAULT_ASSUMPTIONS)) out.push(`${markdown ? "- " : "  - "}${line}`);
  return out.join("\n") + "\n";
}

/** The report as JSON (numbers unrounded). */
export function jsonReport(costs: StackCost[]): unknown {
  const tables = [...new Set(costs.map((c) => c.priceRegion))].map((r) => PRICE_TABLES[r]);
  return {
    currency: "USD",
    period: "month",
    prices: tables,
    assumptions: DEFAULT_ASSUMPTIONS,
    assumptionText: describeAssumptions(DEFAULT_ASSUMPTIONS),
    stacks: costs,
    ...(costs.length > 1 ? { comparison: Object.fromEntries(costs.map((c) => [c.stack, c.total])) } : {}),
  };
}

/** Runs the command; returns the printed text. */
export function runCost(argv: readonly string[]): string {
  const args = parseCommand(COST_COMMAND, argv);
  if (args.help) return `${USAGE}\n`;
  const format = args.string("format") ?? "text";
  const stacks = selectStacks(resolveStacks(args.positionals, { synth: args.flag("synth") }), args.string("stack"), args.positionals.join(", ") || defaultOutdir());
  const costs = stacks.map((s) => estimateStack(s));
  return format === "json" ? `${JSON.stringify(jsonReport(costs), null, 2)}\n` : formatReport(costs, format === "markdown");
}

if (require.main === module) {
  exitWith(
    COST_COMMAND,
    runCli(COST_COMMAND, process.argv.slice(2), () => {
      process.stdout.write(runCost(process.argv.slice(2)));
      return 0;
    }),
  );
}
