/**
 * Findings of external scanners (`npm run policy -- --import <report>...`), read from their own
 * JSON reports and checked against the same justified suppressions as the pack's rules:
 * - checkov `-o json`: `{ check_type, results: { failed_checks, skipped_checks, passed_checks } }`
 *   (a list of those with several frameworks; checkov/common/output/report.py `get_dict`), each record
 *   a `Record.__dict__` with `check_id`, `resource`, `file_path`, `file_abs_path`, `file_line_range`;
 * - trivy `--format json`: `Results[].Misconfigurations[]` with `ID`, `AVDID`, `Status` and
 *   `CauseMetadata.Resource`; findings ignored by `--ignore-policy` under
 *   `Results[].ExperimentalModifiedFindings[]` (pkg/types/misconfiguration.go, pkg/result/filter.go);
 * - KICS `--report-formats json`: `queries[]` with `query_id` and `files[]` with `file_name`,
 *   `line` and `search_key` (`aws_lb[name]...`; pkg/model/summary.go, the queries' `searchKey`).
 * - SARIF 2.1.0 from any of the three (`runs[].tool.driver.name`): `results[]` with `ruleId` and a
 *   location; SARIF names no resource, so the resource is the block of the stack file whose lines
 *   contain the result's `startLine`.
 * A finding is suppressed when a suppression on the same resource names a rule mapped to its check
 * ID (Rule.scanners), or when a per-resource justification of ./scanner-justifications holds for
 * that resource and check (and, where it names messages, the finding's message); any other failed
 * finding is a violation. A suppression whose scanner IDs match
 * nothing in a report that covered its file is reported as stale.
 */
import * as fs from "fs";
import * as path from "path";
import { EvaluationInput, isActive, today } from "./engine";
import { PolicyInputError, readJson } from "./load";
import { RULES_BY_ID } from "./rules";
import { scannerJustifications } from "./scanner-justifications";
import { scannerIds, securityGroupOfRules } from "./scanners";
import { Scanner, SCANNERS } from "./types";

type Json = Record<string, any>;

/** One finding (or, for coverage, one passed or skipped check) of an external scanner. */
export interface ExternalRecord {
  readonly scanner: Scanner;
  /** Report file it was read from. */
  readonly report: string;
  readonly checkId: string;
  readonly title?: string;
  /** File the scanner names (relative to where it ran, or absolute). */
  readonly file: string;
  /** Absolute path the scanner names too (checkov's `file_abs_path`), tried first. */
  readonly absoluteFile?: string;
  /** Folder the scanner scanned, when `file` is relative to it (trivy's `ArtifactName`). */
  readonly base?: string;
  /** Resource as the scanner names it (`aws_lb.x`, checkov's `resource.x`, KICS's `aws_lb[x]`). */
  readonly resource?: string;
  readonly line?: number;
  /** The finding's message (trivy's `Message`), for justifications that cover named messages only. */
  readonly message?: string;
  /** `fail`: reported; `skipped`: suppressed by the scanner itself (baseline, ignore policy); `pass`. */
  readonly status: "fail" | "skipped" | "pass";
}

/** An external finding matched to a checked file and resource. */
export interface ExternalFinding extends ExternalRecord {
  /** The checked file it belongs to (an input's source), when known. */
  readonly source?: string;
  /** Terraform address, when known. */
  readonly address?: string;
  /** The suppression that accepts it. */
  readonly suppressedBy?: { readonly rule: string; readonly reason: string };
}

/** Rule ID shown for findings accepted by a per-resource justification (./scanner-justifications). */
export const JUSTIFIED = "scanner-justification";

/** A suppression with scanner IDs that matched nothing in a scanner's report of its file. */
export interface StaleSuppression {
  readonly scanner: Scanner;
  readonly source: string;
  readonly address: string;
  readonly rule: string;
}

/** Result of {@link applySuppressions}. */
export interface ExternalResult {
  readonly reports: readonly { file: string; scanner: Scanner }[];
  /** Failed findings accepted by a suppression. */
  readonly suppressed: ExternalFinding[];
  /** Failed findings no suppression accepts: violations. */
  readonly unsuppressed: ExternalFinding[];
  readonly stale: StaleSuppression[];
}

const checkovRecords = (doc: Json, report: string): ExternalRecord[] => {
  const sections: [string, ExternalRecord["status"]][] = [["failed_checks", "fail"], ["skipped_checks", "skipped"], ["passed_checks", "pass"]];
  return (Array.isArray(doc) ? doc : [doc]).flatMap((run: Json) =>
    sections.flatMap(([key, status]) =>
      ((run?.results?.[key] ?? []) as Json[]).map((r) => ({
        scanner: "checkov" as const,
        report,
        checkId: String(r.check_id),
        title: r.check_name,
        file: String(r.file_path ?? ""),
        absoluteFile: r.file_abs_path,
        resource: r.resource,
        line: Array.isArray(r.file_line_range) ? r.file_line_range[0] : undefined,
        status,
      })),
    ),
  );
};

const trivyRecord = (m: Json, target: string, base: string | undefined, report: string, status: ExternalRecord["status"]): ExternalRecord => ({
  scanner: "trivy",
  report,
  checkId: String(m.ID ?? m.AVDID),
  title: m.Title,
  file: target,
  base,
  resource: m.CauseMetadata?.Resource,
  line: m.CauseMetadata?.StartLine,
  ...(typeof m.Message === "string" ? { message: m.Message } : {}),
  status,
});

const trivyRecords = (doc: Json, report: string): ExternalRecord[] =>
  ((doc.Results ?? []) as Json[]).flatMap((r) => [
    ...((r.Misconfigurations ?? []) as Json[]).map((m) => trivyRecord(m, String(r.Target), doc.ArtifactName, report, m.Status === "FAIL" ? "fail" : "pass")),
    ...((r.ExperimentalModifiedFindings ?? []) as Json[])
      .filter((f) => f?.Type === "misconfiguration" && f.Finding)
      .map((f) => trivyRecord(f.Finding, String(r.Target), doc.ArtifactName, report, "skipped")),
  ]);

/**
 * `aws_lb[name].internal` → `aws_lb.name` (KICS Terraform search keys; many queries write the name
 * as `{{name}}`, e.g. `aws_ecs_task_definition[{{%s}}]` in ecs_task_definition_volume_not_encrypted).
 */
export const kicsAddress = (searchKey: string): string | undefined => {
  const m = /^((?:data\.)?[A-Za-z0-9_]+)\[(?:\{\{)?([^\]{}]+)(?:\}\})?\]/.exec(searchKey);
  return m ? `${m[1]}.${m[2]}` : undefined;
};

/**
 * The resource of a trivy `CauseMetadata.Resource`, which may name a block inside it
 * (`aws_s3_bucket_versioning.x.versioning_configuration`): the first `type.name` (with `data.` and
 * `module.m.` prefixes kept).
 */
export function trivyAddress(resource: string): string {
  const parts = resource.split(".");
  let i = 0;
  while (parts[i] === "module" && i + 2 < parts.length) i += 2;
  const head = parts.slice(0, i);
  const rest = parts.slice(i);
  const n = rest[0] === "data" ? 3 : 2;
  return rest.length > n ? [...head, ...rest.slice(0, n)].join(".") : resource;
}

const kicsRecords = (doc: Json, report: string): ExternalRecord[] =>
  ((doc.queries ?? []) as Json[]).flatMap((q) =>
    ((q.files ?? []) as Json[]).map((f) => ({
      scanner: "kics" as const,
      report,
      checkId: String(q.query_id),
      title: q.query_name,
      file: String(f.file_name ?? ""),
      resource: typeof f.search_key === "string" ? f.search_key : undefined,
      line: f.line,
      status: "fail" as const,
    })),
  );

const isSarif = (d: Json) => d.version === "2.1.0" && Array.isArray(d.runs);
const sarifScanner = (name: unknown): Scanner | undefined => SCANNERS.find((s) => String(name ?? "").toLowerCase().includes(s));

const sarifRecords = (doc: Json, report: string): ExternalRecord[] =>
  (doc.runs as Json[]).flatMap((run) => {
    const scanner = sarifScanner(run?.tool?.driver?.name);
    if (!scanner) return [];
    return ((run.results ?? []) as Json[]).map((r) => {
      const location = r.locations?.[0]?.physicalLocation;
      return {
        scanner,
        report,
        checkId: String(r.ruleId ?? ""),
        title: r.message?.text,
        file: String(location?.artifactLocation?.uri ?? "").replace(/^file:\/\//, ""),
        line: location?.region?.startLine,
        status: Array.isArray(r.suppressions) && r.suppressions.length > 0 ? ("skipped" as const) : ("fail" as const),
      };
    });
  });

/** Which scanner wrote a JSON or SARIF report. */
export function scannerOf(doc: unknown): Scanner | undefined {
  const d = (Array.isArray(doc) ? doc[0] : doc) as Json | undefined;
  if (!d || typeof d !== "object") return undefined;
  if (isSarif(d)) return sarifScanner((d.runs as Json[])[0]?.tool?.driver?.name);
  if ("check_type" in d || "checkov_version" in d || d.summary?.checkov_version) return "checkov";
  if (Array.isArray(d.Results) || ("SchemaVersion" in d && "ArtifactName" in d)) return "trivy";
  if (Array.isArray(d.queries) && ("kics_version" in d || "files_scanned" in d || d.queries.every((q: Json) => "query_id" in q))) return "kics";
  return undefined;
}

/** Reads a checkov, trivy or KICS JSON report, or their SARIF. */
export function readScannerReport(file: string): { scanner: Scanner; records: ExternalRecord[] } {
  const doc = readJson(file) as Json;
  const scanner = scannerOf(doc);
  if (!scanner) throw new PolicyInputError(`${file}: not a checkov (-o json), trivy (--format json) or KICS (--report-formats json) report, nor their SARIF`);
  const records = isSarif(doc) ? sarifRecords(doc, file) : { checkov: checkovRecords, trivy: trivyRecords, kics: kicsRecords }[scanner](doc, file);
  return { scanner, records };
}

const slash = (p: string) => p.split(path.sep).join("/").replace(/\\/g, "/");

/** Folders a report file sits in, nearest first (a report saved in a stack folder names `cdk.tf.json`). */
const ancestors = (file: string): string[] => {
  const out: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); out[out.length - 1] !== dir; dir = path.dirname(dir)) out.push(dir);
  return out;
};

/**
 * The checked file a scanner's paths name: the input at the absolute path, at the path relative to
 * the scanned folder, the working directory or the report's folders; else the one input whose path
 * ends with it. A path that ends more than one input's path is an input error.
 */
function inputFor(record: ExternalRecord, inputs: readonly Pick<EvaluationInput, "source">[]): string | undefined {
  // checkov names files `/<path relative to the scanned folder>`.
  const file = record.scanner === "checkov" ? record.file.replace(/^\/+/, "") : record.file;
  const candidates = [
    ...(record.absoluteFile ? [record.absoluteFile] : []),
    ...(record.base ? [path.join(record.base, file)] : []),
    file,
    ...ancestors(record.report).map((dir) => path.join(dir, file)),
  ].map((c) => slash(path.resolve(c)));
  for (const c of candidates) {
    const hit = inputs.find((i) => slash(path.resolve(i.source)) === c);
    if (hit) return hit.source;
  }
  const rels = [...(record.base ? [path.join(record.base, file)] : []), file].map((r) => slash(r).replace(/^(\.\/|\/)+/, "")).filter(Boolean);
  for (const rel of rels) {
    const matches = inputs.filter((i) => slash(path.resolve(i.source)).endsWith(`/${rel}`));
    if (matches.length === 1) return matches[0].source;
    if (matches.length > 1) {
      throw new PolicyInputError(
        `${record.report}: "${rel}" matches ${matches.map((m) => m.source).join(", ")}: scan each stack folder and save its report there (cdktf.out/stacks/<stack>/policy/), or scan from the repository root`,
      );
    }
  }
  return undefined;
}

/**
 * The resource or data block of a synthesized stack file (`JSON.stringify(…, null, 2)`, as cdktf writes
 * it) whose lines contain `line`: the nearest `"<name>": {` at block depth above it.
 */
export function addressAtLine(text: string, line: number): string | undefined {
  let section: string | undefined;
  let type: string | undefined;
  let address: string | undefined;
  const lines = text.split("\n").slice(0, line);
  for (const l of lines) {
    const top = /^  "([^"]+)": \{$/.exec(l);
    if (top) [section, type, address] = [top[1], undefined, undefined];
    const t = /^    "([^"]+)": \{$/.exec(l);
    if (t && (section === "resource" || section === "data")) [type, address] = [t[1], undefined];
    const n = /^      "([^"]+)": \{$/.exec(l);
    if (n && type) address = `${section === "data" ? "data." : ""}${type}.${n[1]}`;
  }
  return address;
}

/** The Terraform address of a scanner's resource name (or, for SARIF, line) within a checked file. */
function addressFor(record: ExternalRecord, input: EvaluationInput | undefined): string | undefined {
  const raw = record.resource;
  if (!raw) return input && record.line ? addressAtLine(fs.readFileSync(input.source, "utf8"), record.line) : undefined;
  if (record.scanner === "kics") return kicsAddress(raw);
  if (record.scanner === "trivy") return trivyAddress(raw);
  const parts = raw.split(".");
  // checkov's terraform_json Python checks name a resource `resource.<name>` (runner.py run_block).
  if (record.scanner === "checkov" && parts.length === 2 && (parts[0] === "resource" || parts[0] === "data") && input) {
    const mode = parts[0] === "data" ? "data" : "managed";
    const match = input.resources.filter((r) => r.mode === mode && r.name === parts[1]);
    return match.length === 1 ? match[0].address : raw;
  }
  return raw;
}

/** Applies the inputs' suppressions (those in force on `day`) to the records of external scanner reports. */
export function applySuppressions(
  reports: readonly { file: string; scanner: Scanner; records: readonly ExternalRecord[] }[],
  inputs: readonly EvaluationInput[],
  day = today(),
): ExternalResult {
  const bySource = new Map(inputs.map((i) => [i.source, i]));
  const justifications = new Map(inputs.map((i) => [i.source, scannerJustifications(i)]));
  const rulesOfGroup = new Map(
    inputs.map((i) => {
      const byGroup = new Map<string, string[]>();
      for (const [rule, group] of securityGroupOfRules(i)) byGroup.set(group, [...(byGroup.get(group) ?? []), rule]);
      return [i.source, byGroup];
    }),
  );
  const suppressed: ExternalFinding[] = [];
  const unsuppressed: ExternalFinding[] = [];
  const matched = new Set<string>();
  const covered = new Set<string>();
  for (const report of reports) {
    for (const record of report.records) {
      const source = inputFor(record, inputs);
      if (source) covered.add(`${record.scanner}\u0000${source}`);
      if (record.status === "pass") continue;
      const input = source ? bySource.get(source) : undefined;
      const address = addressFor(record, input);
      const suppressionOn = (at: string) =>
        (input?.suppressions.get(at) ?? []).find((s) => {
          const rule = RULES_BY_ID.get(s.ruleId);
          return rule !== undefined && isActive(s, day) && scannerIds(rule, record.scanner).includes(record.checkId);
        });
      // A plan shows a group's standalone rules in the group's own ingress/egress (securityGroupOfRules):
      // a finding on the group is covered by a suppression on one of its rules.
      const at = address ? [address, ...(rulesOfGroup.get(source ?? "")?.get(address) ?? [])].find((a) => suppressionOn(a)) : undefined;
      const suppression = at ? suppressionOn(at) : undefined;
      if (suppression) matched.add(`${record.scanner}\u0000${source}\u0000${at}\u0000${suppression.ruleId}`);
      if (record.status === "skipped") continue;
      const justification = suppression
        ? undefined
        : (source ? justifications.get(source) ?? [] : []).find(
            (j) => j.scanner === record.scanner && j.address === address && j.ids.includes(record.checkId) && (!j.messages || (record.message !== undefined && j.messages.includes(record.message))),
          );
      const by = suppression ? { rule: suppression.ruleId, reason: suppression.reason } : justification ? { rule: JUSTIFIED, reason: justification.reason } : undefined;
      const finding: ExternalFinding = { ...record, source, address, ...(by ? { suppressedBy: by } : {}) };
      (by ? suppressed : unsuppressed).push(finding);
    }
  }
  const stale: StaleSuppression[] = [];
  for (const scanner of SCANNERS) {
    for (const input of inputs) {
      if (!covered.has(`${scanner}\u0000${input.source}`)) continue;
      for (const [address, list] of input.suppressions) {
        for (const s of list) {
          const rule = RULES_BY_ID.get(s.ruleId);
          if (!rule || !isActive(s, day) || scannerIds(rule, scanner).length === 0) continue;
          if (!matched.has(`${scanner}\u0000${input.source}\u0000${address}\u0000${s.ruleId}`)) stale.push({ scanner, source: input.source, address, rule: s.ruleId });
        }
      }
    }
  }
  return { reports: reports.map(({ file, scanner }) => ({ file, scanner })), suppressed, unsuppressed, stale };
}
