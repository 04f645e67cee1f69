/**
 * The ZenML release table (lib/zenml-releases.ts): well-formed, covering every shipped and example
 * version, and the same as the table in docs/runtime.md.
 */
import * as fs from "fs";
import * as path from "path";
import { loadEnvironments } from "../lib/config/load";
import {
  parseZenmlVersion,
  supportedRanges,
  zenmlRelease,
  ZENML_LOGGING_LEVELS,
  ZENML_MIGRATION_BACKUP_STRATEGY,
  ZENML_RELEASES,
} from "../lib/zenml-releases";
import { ROOT } from "./helpers";

const cmp = (a: string, b: string) => {
  const [x, y] = [parseZenmlVersion(a)!, parseZenmlVersion(b)!];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

test("ranges are ordered, non-empty and do not overlap; their levels are LoggingLevels members", () => {
  ZENML_RELEASES.forEach((r, i) => {
    expect(cmp(r.from, r.until)).toBeLessThan(0);
    if (i > 0) expect(cmp(ZENML_RELEASES[i - 1].until, r.from)).toBeLessThanOrEqual(0);
    for (const level of r.loggingLevels) expect(ZENML_LOGGING_LEVELS).toContain(level);
    // WARN exists in every release read; WARNING only in the newest source, so no range claims it.
    expect(r.loggingLevels).toContain("WARN");
    expect(r.loggingLevels).not.toContain("WARNING");
  });
});

test("lookup: inclusive lower bound, exclusive upper bound, gaps and non-release tags are unknown", () => {
  expect(zenmlRelease("0.73.9")?.storeSslField).toBe(false);
  expect(zenmlRelease("0.74.0")?.storeSslField).toBe(true);
  expect(zenmlRelease("0.75.0")).toBeUndefined();
  expect(zenmlRelease("0.80.0")?.proIdentity).toBe("workspace");
  expect(zenmlRelease("0.94.10")?.proIdentity).toBe("workspace");
  expect(zenmlRelease("0.95.0")).toBeUndefined();
  expect(zenmlRelease("0.55.0")).toBeUndefined();
  for (const tag of ["0.84.3rc1", "v0.84.3", "0.84", "latest"]) expect(zenmlRelease(tag)).toBeUndefined();
});

test("every shipped and example workspace runs a deployable release that has the chosen backup strategy", () => {
  const dirs = [path.join(ROOT, "config"), ...["byo-network", "multi-workspace", "workload-manager"].map((e) => path.join(ROOT, "examples", e, "config"))];
  const versions = dirs.flatMap((d) => loadEnvironments(d)).flatMap((c) => (c.kind === "workspace" ? [c.zenml.version] : []));
  expect(versions).toContain("0.84.3");
  for (const v of versions) {
    const release = zenmlRelease(v)!;
    expect(release.proIdentity).toBe("workspace");
    expect(release.storeSslField).toBe(true);
    expect(release.backupStrategies).toContain(ZENML_MIGRATION_BACKUP_STRATEGY);
  }
  expect(supportedRanges()).toBe("0.80.0 ≤ v < 0.95.0");
});

test("docs/runtime.md shows the same table", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "runtime.md"), "utf8");
  const rows = doc.split("\n").filter((l) => /^\| \d+\.\d+\.\d+ ≤ v < /.test(l));
  expect(rows).toHaveLength(ZENML_RELEASES.length);
  ZENML_RELEASES.forEach((r, i) => {
    const cells = rows[i].split("|").slice(1, -1).map((c) => c.trim());
    expect(cells[0]).toBe(`${r.from} ≤ v < ${r.until}`);
    expect(cells[1].startsWith(r.storeSslField ? "yes" : "no")).toBe(true);
    expect(cells[2]).toContain("forbid");
    expect(cells[3]).toBe(r.loggingLevels.join(", "));
    expect(cells[4]).toBe(r.backupStrategies.join(", "));
    expect(cells[5]).toBe(r.proIdentity);
    expect(cells[6]).toBe(r.proIdentity === "workspace" ? "yes" : "no");
  });
});
