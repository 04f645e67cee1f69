/** Report formats of `npm run policy`: text (default), json, sarif (2.1.0) and junit. */
import * as crypto from "crypto";
import { Evaluation, failures, suppressed } from "./engine";
import { ExternalFinding, ExternalResult } from "./external";
import { ALL_RULES } from "./rules";
import { relatedChecks } from "./scanners";
import { Finding, Rule, Severity } from "./types";

/** What was checked and what was found. */
export interface PolicyReport {
  /** Files checked, with their kind and text (for line numbers). */
  readonly inputs: readonly { file: string; kind: "config" | "plan"; text: string }[];
  readonly evaluation: Evaluation;
  /** Tool version (package.json). */
  readonly version: string;
  /** Imported scanner findings with the suppressions applied (`--import`). */
  readonly external?: ExternalResult;
}

/** Violations of a report: failed rules, unknown suppressions and unsuppressed scanner findings. */
export const violationCount = (r: Pick<PolicyReport, "evaluation" | "external">) =>
  failures(r.evaluation).length + r.evaluation.unknownSuppressions.length + (r.external?.unsuppressed.length ?? 0);

const externalAt = (f: ExternalFinding) => `${f.address ?? f.resource ?? "?"} in ${f.source ?? f.file}${f.line ? `:${f.line}` : ""}`;

/** Text lines of the imported scanner findings. */
function externalText(x: ExternalResult): string[] {
  const out = [
    "",
    `scanners: ${x.reports.map((r) => `${r.scanner} ${r.file}`).join(", ")}: ${x.unsuppressed.length} unsuppressed finding(s), ${x.suppressed.length} suppressed, ${x.stale.length} stale suppression(s)`,
  ];
  for (const f of x.unsuppressed) out.push(`FAIL ${f.scanner} ${f.checkId} ${externalAt(f)}${f.title ? `: ${f.title}` : ""}`);
  for (const f of x.suppressed) out.push(`  suppressed ${f.scanner} ${f.checkId} ${externalAt(f)} (${f.suppressedBy!.rule}): ${f.suppressedBy!.reason}`);
  for (const s of x.stale) out.push(`warning: stale suppression ${s.rule} on ${s.address} (${s.source}): matches no ${s.scanner} finding`);
  return out;
}

/** Output formats. */
export const FORMATS = ["text", "json", "sarif", "junit"] as const;
export type Format = (typeof FORMATS)[number];

/** SARIF level of a severity. */
export const sarifLevel = (s: Severity): "error" | "warning" | "note" => (s === "critical" || s === "high" ? "error" : s === "medium" ? "warning" : "note");
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/**
 * Per text: the first line of each `"address": "<x>"` and of each `"<key>": {` (JSON.stringify with an
 * indent writes one key per line; a compact file is one line, where every lookup is line 1 anyway).
 */
interface LineIndex {
  readonly addresses: Map<string, number>;
  readonly keys: Map<string, number>;
}
/** Recent texts' indexes (a report renders a few files at a time; bounded so old texts can be freed). */
const lineIndexes = new Map<string, LineIndex>();

function lineIndex(text: string): LineIndex {
  const known = lineIndexes.get(text);
  if (known) return known;
  const index: LineIndex = { addresses: new Map(), keys: new Map() };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trimStart();
    if (!t.startsWith('"')) continue;
    if (t.startsWith('"address": ')) {
      const value = t.slice(11).replace(/,$/, "");
      if (!index.addresses.has(value)) index.addresses.set(value, i + 1);
    } else if (t.endsWith('": {')) {
      const key = t.slice(0, -3);
      if (!index.keys.has(key)) index.keys.set(key, i + 1);
    }
  }
  if (lineIndexes.size >= 64) lineIndexes.clear();
  lineIndexes.set(text, index);
  return index;
}

/** 1-based line where a resource is written in its file (synthesized JSON key, or plan address). */
export function lineOf(text: string, finding: Finding): number {
  if (!text) return 1;
  const index = lineIndex(text);
  return index.addresses.get(JSON.stringify(finding.resource.address)) ?? index.keys.get(JSON.stringify(finding.resource.name)) ?? 1;
}

const problems = (r: PolicyReport) => [...failures(r.evaluation), ...suppressed(r.evaluation)];
const at = (f: Finding) => `${f.resource.address}${f.resource.constructPath ? ` (${f.resource.constructPath})` : ""}`;

/** Human-readable report. */
export function toText(report: PolicyReport): string {
  const e = report.evaluation;
  const fails = failures(e);
  const accepted = suppressed(e);
  const out: string[] = [];
  out.push(
    `policy: ${report.inputs.length} file(s), ${ALL_RULES.length} rules, ${e.findings.length} checks: ` +
      `${fails.length} violation(s), ${accepted.length} suppressed`,
  );
  for (const f of fails) {
    out.push("", `FAIL ${f.rule.id} [${f.rule.severity}] ${f.source}`, `     ${at(f)}`, `     ${f.rule.title}: ${f.message}`, `     fix: ${f.rule.fix}`);
  }
  for (const u of e.unknownSuppressions) out.push("", `FAIL unknown rule ID ${u.ruleId} in a suppression on ${u.address} (${u.source})`);
  if (accepted.length > 0) {
    out.push("", `suppressed (${accepted.length}):`);
    for (const f of accepted) out.push(`  ${f.rule.id} ${f.source} ${at(f)}: ${f.reason}`);
  }
  for (const u of e.unusedSuppressions) out.push(`warning: unused suppression ${u.ruleId} on ${u.address} (${u.source})`);
  for (const x of e.expiredSuppressions) {
    out.push(`warning: expired suppression ${x.ruleId} on ${x.address} (${x.source}): ended ${x.expires}${x.owner ? `, owner ${x.owner}` : ""}; no longer applied`);
  }
  if (report.external) out.push(...externalText(report.external));
  out.push("", violationCount(report) > 0 ? "RESULT: FAIL" : "RESULT: PASS");
  return out.join("\n") + "\n";
}

const findingJson = (f: Finding) => ({
  ruleId: f.rule.id,
  severity: f.rule.severity,
  status: f.status,
  file: f.source,
  address: f.resource.address,
  constructPath: f.resource.constructPath,
  title: f.rule.title,
  message: f.message,
  fix: f.rule.fix,
  ...(f.reason ? { suppressionReason: f.reason } : {}),
  references: relatedChecks(f.rule),
});

/** Machine-readable JSON report. */
export function toJson(report: PolicyReport): string {
  const e = report.evaluation;
  return (
    JSON.stringify(
      {
        tool: "zenml-policy",
        version: report.version,
        inputs: report.inputs.map(({ file, kind }) => ({ file, kind })),
        summary: {
          rules: ALL_RULES.length,
          checks: e.findings.length,
          violations: failures(e).length,
          suppressed: suppressed(e).length,
          passed: violationCount(report) === 0,
        },
        results: problems(report).map(findingJson),
        unknownSuppressions: e.unknownSuppressions,
        unusedSuppressions: e.unusedSuppressions,
        expiredSuppressions: e.expiredSuppressions,
        ...(report.external ? { external: report.external } : {}),
      },
      null,
      2,
    ) + "\n"
  );
}

const sarifRule = (r: Rule, related = relatedChecks(r)) => ({
  id: r.id,
  name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")).replace(/^./, (c) => c.toUpperCase()),
  shortDescription: { text: r.title },
  fullDescription: { text: r.description },
  help: { text: `Fix: ${r.fix}`, markdown: `**Fix:** ${r.fix}\n\nRelated checks: ${related.join(", ") || "none"}` },
  defaultConfiguration: { level: sarifLevel(r.severity) },
  properties: { tags: ["security", "terraform", r.service, ...related], "security-severity": SECURITY_SEVERITY[r.severity], precision: "high" },
});

/** The pack's rules as SARIF rule objects, built once (every stack's report carries all of them). */
let SARIF_RULES: ReturnType<typeof sarifRule>[] | undefined;
const sarifRules = () => (SARIF_RULES ??= ALL_RULES.map((r) => sarifRule(r)));

/** One SARIF run per imported scanner: its findings, the accepted ones with an external suppression. */
function externalRuns(x: ExternalResult) {
  const scanners = [...new Set(x.reports.map((r) => r.scanner))];
  return scanners.map((scanner) => ({
    tool: { driver: { name: `${scanner} (imported by zenml-policy)`, rules: [] } },
    results: [...x.unsuppressed, ...x.suppressed]
      .filter((f) => f.scanner === scanner)
      .map((f) => ({
        ruleId: f.checkId,
        level: "error",
        message: { text: `${f.title ?? f.checkId} (${f.address ?? f.resource ?? "?"})` },
        locations: [{ physicalLocation: { artifactLocation: { uri: (f.source ?? f.file).split("\\").join("/").replace(/^\/+/, "") }, region: { startLine: Math.max(1, f.line ?? 1) } } }],
        ...(f.suppressedBy ? { suppressions: [{ kind: "external", status: "accepted", justification: `${f.suppressedBy.rule}: ${f.suppressedBy.reason}` }] } : {}),
      })),
  }));
}

/** SARIF 2.1.0 log (GitHub code scanning accepts it through upload-sarif). */
export function toSarif(report: PolicyReport): string {
  const index = new Map(ALL_RULES.map((r, i) => [r.id, i]));
  const texts = new Map(report.inputs.map((i) => [i.file, i.text]));
  const results = problems(report).map((f) => ({
    ruleId: f.rule.id,
    ruleIndex: index.get(f.rule.id),
    level: sarifLevel(f.rule.severity),
    message: { text: `${f.rule.title}: ${f.message} (${f.resource.address}). Fix: ${f.rule.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.source.split("\\").join("/") },
          region: { startLine: lineOf(texts.get(f.source) ?? "", f) },
        },
        logicalLocations: [
          { name: f.resource.constructPath ?? f.resource.name, fullyQualifiedName: f.resource.address, kind: "resource" },
        ],
      },
    ],
    partialFingerprints: {
      "zenmlPolicy/v1": crypto.createHash("sha256").update(`${f.rule.id}|${f.source}|${f.resource.address}|${f.message}`).digest("hex"),
    },
    ...(f.status === "suppressed" ? { suppressions: [{ kind: "inSource", status: "accepted", justification: f.reason }] } : {}),
  }));
  return (
    JSON.stringify(
      {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
          {
            tool: { driver: { name: "zenml-policy", semanticVersion: report.version, version: report.version, rules: sarifRules() } },
            artifacts: report.inputs.map((i) => ({ location: { uri: i.file.split("\\").join("/") } })),
            results,
          },
          ...(report.external ? externalRuns(report.external) : []),
        ],
      },
      null,
      2,
    ) + "\n"
  );
}

const xml = (s: unknown) =>
  String(s ?? "").replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** JUnit XML: one test suite per file, one test case per (rule, resource) checked. */
export function toJunit(report: PolicyReport): string {
  const e = report.evaluation;
  const bySource = new Map<string, Finding[]>();
  for (const f of e.findings) bySource.set(f.source, [...(bySource.get(f.source) ?? []), f]);
  const count = (fs: Finding[], s: Finding["status"]) => fs.filter((f) => f.status === s).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="zenml-policy" tests="${e.findings.length}" failures="${count(e.findings, "fail")}" skipped="${count(e.findings, "suppressed")}">`);
  for (const input of report.inputs) {
    const fs = bySource.get(input.file) ?? [];
    out.push(`  <testsuite name="${xml(input.file)}" tests="${fs.length}" failures="${count(fs, "fail")}" skipped="${count(fs, "suppressed")}">`);
    for (const f of fs) {
      const head = `    <testcase classname="${xml(f.rule.id)}" name="${xml(`${f.rule.id} ${f.resource.address}`)}"`;
      if (f.status === "pass") out.push(`${head}/>`);
      else if (f.status === "suppressed") out.push(`${head}><skipped message="${xml(`suppressed: ${f.reason}`)}"/></testcase>`);
      else out.push(`${head}><failure message="${xml(`${f.rule.title}: ${f.message}`)}" type="${f.rule.severity}">${xml(`fix: ${f.rule.fix}`)}</failure></testcase>`);
    }
    out.push("  </testsuite>");
  }
  for (const u of e.unknownSuppressions) {
    out.push(`  <testsuite name="suppressions" tests="1" failures="1"><testcase classname="suppressions" name="${xml(`${u.ruleId} ${u.address}`)}"><failure message="unknown rule ID"/></testcase></testsuite>`);
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/** Renders a report. */
export function render(report: PolicyReport, format: Format): string {
  return { text: toText, json: toJson, sarif: toSarif, junit: toJunit }[format](report);
}
