/**
 * The files the policy pack writes next to each synthesized stack, in
 * `<outdir>/stacks/<stack>/policy/`: the full report (`report.json`, `report.sarif` with SARIF
 * `suppressions` on every accepted finding), the justified suppression list (`suppressions.json`)
 * and what the external scanners honour (`checkov-baseline.json`, `trivy-ignore.rego`,
 * `kics.config`; see ./scanners, ./scanner-justifications, ./kics-config). Called by main.ts after `app.synth()`, so line numbers point into the written JSON.
 */
import * as fs from "fs";
import * as path from "path";
import { IConstruct } from "constructs";
import { Evaluation } from "./engine";
import { PolicyResult, policyResultOf } from "./aspect";
import { PolicyReport, render } from "./report";
import { kicsConfig } from "./kics-config";
import { scannerJustifications } from "./scanner-justifications";
import { checkovBaseline, securityGroupOfRules, suppressionEntries, trivyIgnorePolicy } from "./scanners";

/** Folder of the policy files of one stack, relative to the stack folder. */
export const POLICY_DIR = "policy";

/** File names written per stack. */
export const POLICY_FILES = {
  json: "report.json",
  sarif: "report.sarif",
  suppressions: "suppressions.json",
  checkovBaseline: "checkov-baseline.json",
  trivyIgnore: "trivy-ignore.rego",
  kicsConfig: "kics.config",
} as const;

/** Where {@link writePolicyOutputs} puts the files of `stack` under `outdir`. */
export const policyDir = (outdir: string, stack: string) => path.join(outdir, "stacks", stack, POLICY_DIR);

/** The part of an app-wide evaluation that concerns each stack, with its file as the source. */
function stackEvaluation(result: Evaluation): (stack: string, file: string) => Evaluation {
  // Grouped once: filtering every list for every stack grew with stacks × findings (50 workspaces: 51 × 12,600).
  const group = <T extends { source: string }>(items: readonly T[]) => {
    const by = new Map<string, T[]>();
    for (const i of items) {
      const list = by.get(i.source);
      if (list) list.push(i);
      else by.set(i.source, [i]);
    }
    return (stack: string, file: string) => (by.get(stack) ?? []).map((i) => ({ ...i, source: file }));
  };
  const findings = group(result.findings);
  const unknown = group(result.unknownSuppressions);
  const unused = group(result.unusedSuppressions);
  const expired = group(result.expiredSuppressions);
  return (stack, file) => ({
    findings: findings(stack, file),
    unknownSuppressions: unknown(stack, file),
    unusedSuppressions: unused(stack, file),
    expiredSuppressions: expired(stack, file),
  });
}

/**
 * Writes the policy files of every stack of a synthesized app into `<outdir>/stacks/<stack>/policy/`.
 * Returns the folders written. Throws when the app was not synthesized (no policy result).
 */
export function writePolicyOutputs(app: IConstruct, outdir: string, version: string, result: PolicyResult | undefined = policyResultOf(app)): string[] {
  if (!result) throw new Error("writePolicyOutputs: the app has not been synthesized (no policy result)");
  const written: string[] = [];
  const evaluationOf = stackEvaluation(result);
  const kics = kicsConfig();
  for (const input of result.inputs) {
    const stackFile = path.join(outdir, "stacks", input.source, "cdk.tf.json");
    const file = path.relative(process.cwd(), stackFile).split(path.sep).join("/");
    const dir = policyDir(outdir, input.source);
    fs.mkdirSync(dir, { recursive: true });
    const report: PolicyReport = {
      version,
      evaluation: evaluationOf(input.source, file),
      inputs: [{ file, kind: "config", text: fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : "" }],
    };
    const entries = suppressionEntries(input);
    const justified = scannerJustifications(input).map(({ source: _s, ...j }) => j);
    fs.writeFileSync(path.join(dir, POLICY_FILES.json), render(report, "json"));
    fs.writeFileSync(path.join(dir, POLICY_FILES.sarif), render(report, "sarif"));
    fs.writeFileSync(path.join(dir, POLICY_FILES.suppressions), JSON.stringify({ stack: input.source, file, suppressions: entries.map(({ source: _s, ...e }) => e), scannerJustifications: justified }, null, 2) + "\n");
    fs.writeFileSync(path.join(dir, POLICY_FILES.checkovBaseline), checkovBaseline(entries, justified, securityGroupOfRules(input)));
    fs.writeFileSync(path.join(dir, POLICY_FILES.trivyIgnore), trivyIgnorePolicy(entries, justified));
    fs.writeFileSync(path.join(dir, POLICY_FILES.kicsConfig), kics);
    written.push(dir);
  }
  return written;
}
