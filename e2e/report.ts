/** The run's report: a table per stack, the accepted emulator gaps with reasons, every API check. */
import * as fs from "fs";
import * as path from "path";
import { EMULATOR_GAPS } from "./emulator-gaps";
import { seconds, workDir } from "./harness";
import { StackReport } from "./scenarios";

const fmt = (ms?: number) => (ms === undefined ? "-" : seconds(ms));

/** Writes report.md and report.json into the work dir and returns the markdown. */
export function writeReport(reports: readonly StackReport[], totalMs: number): string {
  const lines: string[] = [];
  lines.push(`# e2e report (${new Date().toISOString()})`, "", `Total: ${seconds(totalMs)}; work dir: ${workDir()}`, "");
  lines.push("| stack | via | status | resources | apply | unprotect apply | destroy | accepted re-plan gaps | API checks |");
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const r of reports) {
    const gaps = [...new Set(r.accepted.map((a) => `${a.resourceType}.${a.attribute}`))].join(", ") || "none";
    lines.push(
      `| ${r.group}/${r.stack} | ${r.via} | ${r.status} | ${r.resources ?? "-"} | ${fmt(r.applyMs)} | ${fmt(r.unprotectApplyMs)} | ${fmt(r.destroyMs)} | ${gaps} | ${r.checks.length} |`,
    );
  }
  const used = new Set(reports.flatMap((r) => r.accepted.map((a) => `${a.resourceType}.${a.attribute}`)));
  const unused = EMULATOR_GAPS.filter((g) => !used.has(`${g.resourceType}.${g.attribute}`));
  if (unused.length > 0 && reports.length > 0) {
    lines.push("", `Allow-list entries not needed in this run: ${unused.map((g) => `${g.resourceType}.${g.attribute}`).join(", ")}`);
  }
  for (const r of reports) {
    lines.push("", `## ${r.group}/${r.stack} (${r.status})`, "");
    if (r.error) lines.push("```", r.error.slice(0, 4000), "```", "");
    lines.push(`Steps: ${r.steps.map((s) => `${s.step} ${seconds(s.ms)}`).join(", ")}`);
    if (r.endpoints.length > 0) lines.push(`Endpoints used: ${r.endpoints.join(", ")}`);
    if (r.fixtures.length > 0) lines.push(`Fixtures: ${r.fixtures.join("; ")}`);
    if (r.accepted.length > 0) {
      lines.push("", "Accepted on re-plan (emulator gaps):");
      for (const a of r.accepted) lines.push(`- ${a.address}.${a.attribute}: ${a.detail} — ${a.reason}`);
    }
    if (r.deferredReads.length > 0) lines.push(`Deferred data reads: ${r.deferredReads.join(", ")}`);
    if (r.drift.length > 0) {
      lines.push(`Refresh drift (informational; moto returns empty tags/defaults, not a planned change): ${r.drift.length} resources (listed in report.json)`);
    }
    if (r.checks.length > 0) {
      lines.push("", "Checks:");
      for (const c of r.checks) lines.push(`- ${c}`);
    }
  }
  const markdown = `${lines.join("\n")}\n`;
  fs.writeFileSync(path.join(workDir(), "report.md"), markdown);
  fs.writeFileSync(path.join(workDir(), "report.json"), JSON.stringify({ totalMs, reports }, null, 2));
  return markdown;
}
