#!/usr/bin/env node
/**
 * `npm run zenml-contract [-- --check] [--verbose]`
 *
 * Reads the runtime contract of every ZenML release from 0.75.0 to the newest on PyPI out of the
 * release's wheel (scripts/zenml-contract/read_wheel.py, Python's `ast`, nothing imported), writes what
 * it read with each wheel's file name and sha256 to lib/zenml-releases.evidence.json, and regenerates
 * the wheel rows of lib/zenml-releases.ts (docs/runtime.md, "ZenML releases"). `--check` changes
 * nothing and fails when the committed evidence is not what the wheels it names contain.
 * Exit codes: 0 done (or the check passed), 1 the check failed or PyPI/pip failed, 2 bad input.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { CommandSpec, parseCommand, usage, usageErrorText } from "./common/cli";
import { EXIT, InputError } from "./common/checks";
import { projectRoot } from "./common/tf-json";
import { listReleases, PypiError, wheelCacheDir, wheelOf } from "./zenml-contract/pypi";
import {
  ContractError,
  EVIDENCE_FILE,
  EvidenceFile,
  FIRST_WHEEL_RELEASE,
  READER,
  TABLE_FILE,
  WheelEvidence,
  renderWheelRows,
  replaceGeneratedPart,
  wheelRows,
} from "./zenml-contract/table";

/** `npm run zenml-contract`: its options and usage text (scripts/common/cli.ts). */
export const ZENML_CONTRACT_COMMAND: CommandSpec = {
  name: "zenml-contract",
  invocation: "npm run zenml-contract --",
  synopsis: "[--check] [--verbose]",
  summary:
    `Reads what every ZenML release from ${FIRST_WHEEL_RELEASE} to the newest on PyPI accepts out of its wheel\n` +
    `(pip download zenml==X --no-deps) and regenerates ${TABLE_FILE} with ${EVIDENCE_FILE}.`,
  options: {
    check: { type: "boolean", description: "change nothing; fail when the committed evidence differs from the wheels it names" },
    verbose: { type: "boolean", description: "print every release read" },
  },
  notes: "env: PYTHON (default python3, with pip), ZENML_WHEEL_CACHE (default ~/.cache/zenml-hybrid-ecs/wheels)",
  exit: "0 done / check passed, 1 check failed or pip/PyPI failed, 2 bad input",
};

const USAGE = usage(ZENML_CONTRACT_COMMAND);

/** Output streams and environment (tests pass their own). */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

function readWheels(python: string, root: string, wheels: string[]): WheelEvidence[] {
  const r = spawnSync(python, [path.join(root, READER), ...wheels], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) throw new ContractError(`${READER} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return JSON.parse(r.stdout) as WheelEvidence[];
}

/** Runs the command; returns the exit code. */
export function main(argv: string[], io: Io): number {
  try {
    const args = parseCommand(ZENML_CONTRACT_COMMAND, argv);
    if (args.help) {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    const root = projectRoot();
    const python = io.env.PYTHON ?? "python3";
    const cache = wheelCacheDir(io.env);
    const evidencePath = path.join(root, EVIDENCE_FILE);
    const tablePath = path.join(root, TABLE_FILE);

    const onPypi = listReleases(python, FIRST_WHEEL_RELEASE);
    const committed: EvidenceFile | undefined = fs.existsSync(evidencePath) ? JSON.parse(fs.readFileSync(evidencePath, "utf8")) : undefined;
    const versions = args.flag("check") ? (committed?.releases ?? []).map((r) => r.version) : onPypi;
    if (args.flag("check") && versions.length === 0) throw new InputError(`${EVIDENCE_FILE} is missing or empty; run npm run zenml-contract`);
    const wheels = versions.map((v) => wheelOf(python, v, cache));
    const read = readWheels(python, root, wheels);
    if (args.flag("verbose")) for (const r of read) io.out(`${r.version}  ${r.wheel}  sha256 ${r.sha256}\n`);
    for (const [i, r] of read.entries()) {
      if (r.version !== versions[i]) throw new ContractError(`${r.wheel}: its METADATA says version ${r.version}, not ${versions[i]}`);
    }
    const rows = wheelRows(read);
    const newer = onPypi.filter((v) => !versions.includes(v));

    if (args.flag("check")) {
      const problems: string[] = [];
      for (const r of read) {
        const c = committed!.releases.find((e) => e.version === r.version)!;
        if (c.sha256 !== r.sha256 || c.wheel !== r.wheel) problems.push(`${r.version}: PyPI serves ${r.wheel} sha256 ${r.sha256}; the evidence records ${c.wheel} sha256 ${c.sha256}`);
        else if (JSON.stringify(c) !== JSON.stringify(r)) problems.push(`${r.version}: the reader now reads something else from ${r.wheel} than the evidence records`);
      }
      const table = fs.readFileSync(tablePath, "utf8");
      if (replaceGeneratedPart(table, renderWheelRows(rows)) !== table) problems.push(`${TABLE_FILE}: the wheel rows are not the ones the evidence gives`);
      for (const p of problems) io.err(`zenml-contract: ${p}\n`);
      if (newer.length > 0) io.out(`zenml-contract: PyPI has releases newer than the table (${newer.join(", ")}); extend it with npm run zenml-contract\n`);
      if (problems.length > 0) {
        io.err(`zenml-contract: fix with npm run zenml-contract (it rewrites ${EVIDENCE_FILE} and ${TABLE_FILE})\n`);
        return EXIT.failed;
      }
      io.out(`zenml-contract: ${read.length} wheels (${versions[0]} … ${versions[versions.length - 1]}) match ${EVIDENCE_FILE} and ${TABLE_FILE}\n`);
      return EXIT.ok;
    }

    const evidence: EvidenceFile = { command: "npm run zenml-contract", reader: READER, firstRelease: FIRST_WHEEL_RELEASE, releases: read };
    const table = replaceGeneratedPart(fs.readFileSync(tablePath, "utf8"), renderWheelRows(rows));
    fs.writeFileSync(evidencePath, `${JSON.stringify(evidence, null, 2)}\n`);
    fs.writeFileSync(tablePath, table);
    io.out(`zenml-contract: read ${read.length} wheels (${versions[0]} … ${versions[versions.length - 1]}) into ${rows.length} rows of ${TABLE_FILE}; evidence in ${EVIDENCE_FILE}. Update the table in docs/runtime.md if a row changed.\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError) {
      io.err(usageErrorText(ZENML_CONTRACT_COMMAND, e.message));
      return EXIT.badInput;
    }
    if (e instanceof PypiError || e instanceof ContractError) {
      io.err(`zenml-contract: ${e instanceof PypiError ? "blocked: " : ""}${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env });
}
