/**
 * Performance benchmark (`npm run bench`; `npm run build` runs first). Not a test: it asserts no
 * timings, it measures and reports them against the budgets below.
 *
 * Measures, each as a separate child process under `/usr/bin/time` (wall time, user+sys CPU time,
 * peak RSS of the largest process), with one discarded warm-up run and BENCH_RUNS (default 7) runs:
 * - the star-import baseline (bench/star-import-baseline.ts: a one-stack cdktf app that imports
 *   `@cdktf/provider-aws` from its root), the unit every budget is a ratio of (issue 21);
 * - synth of the shipped environments: `node dist/main.js` on config/;
 * - synth of 1, 10 and 50 generated workspace environments (copies of config/dev.json with distinct
 *   file names, `name`, workspace IDs, secret names, domains and state keys) to show how cost grows;
 * - the unit-test suite: jest with the project's config, as `npm test` runs it after the build
 *   (BENCH_JEST_RUNS runs, default 5; 0 skips it).
 * Prints a markdown table, the three ratios against the baseline (shipped synth ≤ 0.20×, 50 workspaces
 * ≤ 1.0×, unit tests ≤ 20×, medians of wall time; CPU ratios alongside) and writes them, with the
 * machine description, to bench/results.md.
 *
 * Environment: BENCH_RUNS, BENCH_JEST_RUNS, BENCH_SIZES (default "1,10,50"), BENCH_OUT (results file),
 * BENCH_BEFORE_MAIN (the dist/main.js of another build, e.g. the previous release: its shipped and
 * 50-workspace synths run interleaved in the same rounds, for a before/after table),
 * BENCH_QUIET_LOAD / BENCH_QUIET_WAIT (before each round, wait up to 90 s for a 1-minute load average
 * below the number of cores: on a shared machine other work skews wall times).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandSpec, exitWith, runCli } from "./common/cli";

/** Usage text of `npm run bench` (settings are environment variables). */
export const BENCH_COMMAND: CommandSpec = {
  name: "bench",
  invocation: "npm run bench --",
  synopsis: "",
  summary: `Build, then median wall/CPU time and peak RSS of: synth of the shipped config, synth of 1/10/50 generated
workspaces, the jest suite; writes bench/results.md. Settings (environment): BENCH_RUNS=7, BENCH_JEST_RUNS=5
(0 skips jest), BENCH_SIZES=1,10,50, BENCH_QUIET_WAIT=90 (seconds each round may wait for a 1-min load
average below the core count), BENCH_OUT (results file).`,
  options: {},
  exit: "0 measured, 1 a workload failed, 2 bad input",
};

/** The project root: the nearest folder with package.json (works from scripts/ and dist/scripts/). */
function projectRoot(dir = __dirname): string {
  return fs.existsSync(path.join(dir, "package.json")) ? dir : projectRoot(path.dirname(dir));
}
const ROOT = projectRoot();
const MAIN = path.join(ROOT, "dist", "main.js");
const BASELINE = path.join(ROOT, "dist", "bench", "star-import-baseline.js");
const BEFORE_MAIN = process.env.BENCH_BEFORE_MAIN ? path.resolve(process.env.BENCH_BEFORE_MAIN) : undefined;
const TF_ENV = path.join(ROOT, "scripts", "tf-env.sh");
const JEST = path.join(ROOT, "node_modules", "jest", "bin", "jest.js");
const TIME = "/usr/bin/time";

const RUNS = positiveInt(process.env.BENCH_RUNS, 7);
const JEST_RUNS = positiveInt(process.env.BENCH_JEST_RUNS, 5, true);
const SIZES = (process.env.BENCH_SIZES ?? "1,10,50").split(",").map((s) => positiveInt(s.trim(), 1));
const OUT_FILE = process.env.BENCH_OUT ?? path.join(ROOT, "bench", "results.md");
/** Before each round, wait (at most BENCH_QUIET_WAIT s) until the 1-minute load average is below this. */
const QUIET_LOAD = Number(process.env.BENCH_QUIET_LOAD ?? os.cpus().length);
const QUIET_WAIT = positiveInt(process.env.BENCH_QUIET_WAIT, 90, true);
/** Rounds that started with the machine still busier than QUIET_LOAD. */
let busyRounds = 0;
let rounds = 0;

/** Waits for other work on the machine to calm down (a shared 2-core machine skews wall times badly). */
function waitForQuiet(): void {
  rounds++;
  const deadline = Date.now() + QUIET_WAIT * 1000;
  while (os.loadavg()[0] >= QUIET_LOAD && Date.now() < deadline) {
    spawnSync("sleep", ["2"]);
  }
  if (os.loadavg()[0] >= QUIET_LOAD) busyRounds++;
}

/** Budgets as ratios to the star-import baseline timed in the same run (issue 21), and memory (issue 6). */
const RATIO = { shipped: 0.2, fifty: 1.0, jest: 20 };
const BUDGET = { shippedMb: 150 };

function positiveInt(value: string | undefined, fallback: number, zeroOk = false): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) throw new Error(`not a ${zeroOk ? "non-negative" : "positive"} integer: ${value}`);
  return n;
}

interface Sample {
  readonly wall: number; // s
  readonly cpu: number; // user + sys, s
  readonly rssMb: number; // peak RSS of the largest process of the tree, MB
}

interface Row {
  readonly name: string;
  readonly samples: readonly Sample[];
  readonly note?: string;
}

/** Scratch folder of one run (created by main, removed on exit). */
let tmpRoot = "";

/** Runs `argv` once under /usr/bin/time; throws with the child's output when it fails. */
function measure(argv: readonly string[], env: NodeJS.ProcessEnv, check?: () => void): Sample {
  const timeFile = path.join(tmpRoot, "time.txt");
  const r = spawnSync(TIME, ["-o", timeFile, "-f", "%e %U %S %M", ...argv], { cwd: ROOT, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`\`${argv.join(" ")}\` exited ${r.status}:\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-4000)}`);
  }
  check?.();
  const [wall, user, sys, rssKb] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-4).map(Number);
  return { wall, cpu: user + sys, rssMb: rssKb / 1024 };
}

interface Workload {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly check?: () => void;
}

/**
 * One discarded warm-up run of each workload (fills the page cache), then `runs` rounds that run
 * every workload once each, so a burst of load from other processes hits all workloads alike.
 */
function interleaved(workloads: readonly Workload[], runs: number): Row[] {
  process.stdout.write("synth: warm-up");
  for (const w of workloads) measure(w.argv, w.env, w.check);
  const samples = workloads.map((): Sample[] => []);
  for (let round = 1; round <= runs; round++) {
    waitForQuiet();
    process.stdout.write(` | round ${round}:`);
    workloads.forEach((w, i) => {
      samples[i].push(measure(w.argv, w.env, w.check));
      process.stdout.write(` ${samples[i][samples[i].length - 1].wall.toFixed(2)}s`);
    });
  }
  process.stdout.write("\n");
  return workloads.map((w, i) => ({ name: w.name, samples: samples[i] }));
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const med = (row: Row, key: keyof Sample) => median(row.samples.map((s) => s[key]));

/** A synth of `configDir` into a fresh outdir, checking that every expected stack was written. */
function synthWorkload(name: string, configDir: string, expectedStacks: number, main = MAIN): Workload {
  const outdir = path.join(tmpRoot, "out");
  const env = { ...process.env, ZENML_CONFIG_DIR: configDir, CDKTF_OUTDIR: outdir, SYNTH_HCL_OUTPUT: "false" };
  const argv = ["sh", "-c", `rm -rf "${outdir}" && exec "${process.execPath}" "${main}"`];
  const check = () => {
    const stacks = fs.readdirSync(path.join(outdir, "stacks")).filter((s) => fs.existsSync(path.join(outdir, "stacks", s, "cdk.tf.json")));
    if (stacks.length !== expectedStacks) throw new Error(`${name}: expected ${expectedStacks} stacks, found ${stacks.length}`);
  };
  return { name, argv, env, check };
}

/** Number of environment files in a config folder (what main.ts turns into stacks). */
function environmentFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"));
}

/** Writes `n` workspace environments derived from config/dev.json into a new folder. */
function generateEnvironments(n: number): string {
  const dir = path.join(tmpRoot, `envs-${n}`);
  fs.mkdirSync(dir);
  const template = JSON.parse(fs.readFileSync(path.join(ROOT, "config", "dev.json"), "utf8"));
  delete template.$schema;
  for (let i = 1; i <= n; i++) {
    const id = `ws-${String(i).padStart(3, "0")}`;
    const doc = structuredClone(template);
    doc.name = `zenml-${id}`;
    doc.zenml.workspaceId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    doc.zenml.workspaceName = `zenml-${id}`;
    if (!doc.zenml.oauth2ClientSecretArn) doc.zenml.oauth2ClientSecretName = `zenml/${id}/pro/oauth2-client-secret`;
    doc.dns.domainName = `${id}.mycompany.com`;
    doc.state = { ...doc.state, key: `zenml/${id}.tfstate` };
    fs.writeFileSync(path.join(dir, `${id}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  }
  return dir;
}

/** Seconds per jest suite file, one list entry per measured run. */
const suiteSeconds = new Map<string, number[]>();

function jestSeries(): Row | undefined {
  if (JEST_RUNS === 0) return undefined;
  const report = path.join(tmpRoot, "jest.json");
  let counts = "";
  let measuring = false;
  const argv = [TF_ENV, process.execPath, JEST, "--silent", "--json", `--outputFile=${report}`];
  const env = { ...process.env, FORCE_COLOR: "0" };
  // jest exits 1 when a test fails: time it anyway, and say so in the table.
  const timeFile = path.join(tmpRoot, "time.txt");
  let runs = 0;
  const run = (): Sample => {
    // A fresh synth cache per run (__tests__/helpers.ts): each run shares synths only within itself, as on a fresh clone.
    const cacheEnv = { ...env, ZENML_TEST_SYNTH_CACHE: path.join(tmpRoot, `jest-synth-cache-${++runs}`) };
    spawnSync(TIME, ["-o", timeFile, "-f", "%e %U %S %M", ...argv], { cwd: ROOT, env: cacheEnv, encoding: "utf8", maxBuffer: 64 << 20 });
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    counts = `${r.numPassedTests}/${r.numTotalTests} tests passed in ${r.numTotalTestSuites} suites`;
    if (measuring) {
      for (const suite of r.testResults as { name: string; startTime: number; endTime: number }[]) {
        const name = path.relative(ROOT, suite.name);
        suiteSeconds.set(name, [...(suiteSeconds.get(name) ?? []), (suite.endTime - suite.startTime) / 1000]);
      }
    }
    const [wall, user, sys, rssKb] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-4).map(Number);
    return { wall, cpu: user + sys, rssMb: rssKb / 1024 };
  };
  process.stdout.write("unit tests (jest): warm-up");
  run();
  measuring = true;
  const samples: Sample[] = [];
  for (let i = 0; i < JEST_RUNS; i++) {
    waitForQuiet();
    samples.push(run());
    process.stdout.write(` ${samples[i].wall.toFixed(1)}s`);
  }
  process.stdout.write("\n");
  return { name: "unit tests: `jest` (after build)", samples, note: counts };
}

function version(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().split("\n")[0] : "not installed";
}

function gitState(): string {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  if (head.status !== 0) return "not a git checkout";
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  return `commit ${head.stdout.trim()}${dirty ? " with uncommitted changes" : ""}`;
}

function machine(loadBefore: number[]): string[] {
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  return [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown"}`,
    `- memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- node ${process.version}, npm ${version("npm", ["--version"])}, ${version("terraform", ["version"])}`,
    `- code: ${gitState()}`,
    `- load average (1/5/15 min) before: ${load(loadBefore)}, after: ${load(os.loadavg())}; each round waited up to ${QUIET_WAIT} s for a 1-min load below ${QUIET_LOAD}, and ${busyRounds} of ${rounds} rounds started busier than that — other work on the machine inflates wall times; CPU time is less sensitive to it`,
  ];
}

function main(): void {
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "zenml-bench-"));
  process.on("exit", () => fs.rmSync(tmpRoot, { recursive: true, force: true }));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm run bench does)`);
  if (!fs.existsSync(TIME)) throw new Error(`${TIME} (GNU time) is required to measure peak RSS: apt-get install time`);
  const loadBefore = os.loadavg();
  const rows: Row[] = [];

  if (!fs.existsSync(BASELINE)) throw new Error(`${BASELINE} is missing: run \`npm run build\` first (npm run bench does)`);
  if (BEFORE_MAIN && !fs.existsSync(BEFORE_MAIN)) throw new Error(`BENCH_BEFORE_MAIN: ${BEFORE_MAIN} does not exist`);
  const shippedDir = process.env.ZENML_CONFIG_DIR ?? path.join(ROOT, "config");
  const shippedFiles = environmentFiles(shippedDir);
  const baselineOut = path.join(tmpRoot, "baseline-out");
  const baselineWorkload: Workload = {
    name: "star-import baseline (one stack, `import * as aws from \"@cdktf/provider-aws\"`)",
    argv: ["sh", "-c", `rm -rf "${baselineOut}" && exec "${process.execPath}" "${BASELINE}"`],
    env: { ...process.env, CDKTF_OUTDIR: baselineOut },
  };
  const shippedName = `synth shipped config (${shippedFiles.map((f) => path.basename(f, ".json")).join(", ")} + state-bootstrap)`;
  const sizeName = (n: number) => `synth ${n} generated workspace${n === 1 ? "" : "s"} (+ state-bootstrap)`;
  const sizeDirs = new Map(SIZES.map((n) => [n, generateEnvironments(n)]));
  const before = BEFORE_MAIN
    ? [
        synthWorkload(`before: ${shippedName}`, shippedDir, shippedFiles.length + 1, BEFORE_MAIN),
        ...(sizeDirs.has(50) ? [synthWorkload(`before: ${sizeName(50)}`, sizeDirs.get(50)!, 51, BEFORE_MAIN)] : []),
      ]
    : [];
  const workloads = [
    baselineWorkload,
    synthWorkload(shippedName, shippedDir, shippedFiles.length + 1),
    ...SIZES.map((n) => synthWorkload(sizeName(n), sizeDirs.get(n)!, n + 1)),
    ...before,
  ];
  const [baseline, shipped, ...rest] = interleaved(workloads, RUNS);
  const sized = rest.slice(0, SIZES.length);
  const beforeRows = rest.slice(SIZES.length);
  rows.push(baseline, shipped, ...sized);
  const generated = new Map<number, Row>(SIZES.map((n, i) => [n, sized[i]]));
  const jest = jestSeries();
  if (jest) rows.push(jest);

  const fmt = (x: number, d = 2) => x.toFixed(d);
  const table = [
    `| workload | runs | median wall (s) | min–max wall (s) | median CPU user+sys (s) | median peak RSS (MB) | notes |`,
    `|---|---:|---:|---:|---:|---:|---|`,
    ...rows.map((r) => {
      const walls = r.samples.map((s) => s.wall);
      return `| ${r.name} | ${r.samples.length} | ${fmt(med(r, "wall"))} | ${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))} | ${fmt(med(r, "cpu"))} | ${fmt(med(r, "rssMb"), 0)} | ${r.note ?? ""} |`;
    }),
  ];

  const verdict = (ok: boolean) => (ok ? "met" : "**not met**");
  const best = (row: Row, key: keyof Sample) => Math.min(...row.samples.map((x) => x[key]));
  const budgetRow = (label: string, row: Row, key: keyof Sample, limit: number, unit: string, digits = 2) =>
    `| ${label} | ${fmt(med(row, key), digits)} ${unit} | ${fmt(best(row, key), digits)} ${unit} | ${verdict(med(row, key) <= limit)} |`;
  const budgets = [
    `| budget | median | best run | result (on the median) |`,
    `|---|---:|---:|---|`,
    budgetRow(`shipped synth ≤ ${BUDGET.shippedMb} MB`, shipped, "rssMb", BUDGET.shippedMb, "MB", 0),
  ];
  const fifty = generated.get(50);
  // The issue's ratios: median wall time of the workload over the baseline's, from the same rounds.
  const ratio = (row: Row, key: keyof Sample) => med(row, key) / med(baseline, key);
  const ratioRow = (label: string, row: Row, target: number) =>
    `| ${label} | ≤ ${fmt(target)}× | ${fmt(med(row, "wall"))} s | **${fmt(ratio(row, "wall"))}×** | ${fmt(ratio(row, "cpu"))}× | ${verdict(ratio(row, "wall") <= target)} |`;
  const ratios = [
    `Baseline (star-import app) in this run: median ${fmt(med(baseline, "wall"))} s wall, ${fmt(med(baseline, "cpu"))} s CPU.`,
    ``,
    `| workload | target | median wall | wall ratio | CPU ratio | result (wall ratio) |`,
    `|---|---:|---:|---:|---:|---|`,
    ratioRow("shipped synth", shipped, RATIO.shipped),
    ...(fifty ? [ratioRow("50 workspaces", fifty, RATIO.fifty)] : []),
    ...(jest ? [ratioRow("unit tests (`jest` after build)", jest, RATIO.jest)] : []),
  ];
  const beforeAfter = beforeRows.length
    ? [
        `## Before / after (same rounds; before = BENCH_BEFORE_MAIN, ${path.relative(ROOT, BEFORE_MAIN!) || BEFORE_MAIN})`,
        ``,
        `| workload | before: wall / CPU (s) | after: wall / CPU (s) | before: wall ratio | after: wall ratio |`,
        `|---|---:|---:|---:|---:|`,
        ...beforeRows.map((b) => {
          const after = b.name.includes("50 generated") ? fifty! : shipped;
          return `| ${after.name} | ${fmt(med(b, "wall"))} / ${fmt(med(b, "cpu"))} | ${fmt(med(after, "wall"))} / ${fmt(med(after, "cpu"))} | ${fmt(ratio(b, "wall"))}× | ${fmt(ratio(after, "wall"))}× |`;
        }),
        ``,
      ]
    : [];
  const ratioLines = ratios.filter((l) => l.startsWith("| ") && !l.startsWith("| workload"));
  process.stdout.write(`\nratios to the star-import baseline (wall, same run):\n${ratioLines.map((l) => `  ${l.split("|").slice(1, 6).map((c) => c.trim()).join("  ")}`).join("\n")}\n`);

  const growth: string[] = [];
  const sizes = [...generated.keys()].sort((a, b) => a - b);
  if (sizes.length >= 2) {
    const first = generated.get(sizes[0])!;
    growth.push(`Fixed cost (node start, module loading) ≈ the 1-workspace run; marginal cost per extra workspace:`, ``);
    for (let i = 1; i < sizes.length; i++) {
      const [a, b] = [generated.get(sizes[i - 1])!, generated.get(sizes[i])!];
      const per = (k: keyof Sample) => (med(b, k) - med(a, k)) / (sizes[i] - sizes[i - 1]);
      growth.push(`- ${sizes[i - 1]} → ${sizes[i]}: ${fmt(per("wall") * 1000, 0)} ms wall, ${fmt(per("cpu") * 1000, 0)} ms CPU, ${fmt(per("rssMb"), 1)} MB RSS per workspace`);
    }
    const last = generated.get(sizes[sizes.length - 1])!;
    const perFirst = (med(generated.get(sizes[1])!, "cpu") - med(first, "cpu")) / (sizes[1] - sizes[0]);
    const perLast = (med(last, "cpu") - med(first, "cpu")) / (sizes[sizes.length - 1] - sizes[0]);
    growth.push(``, `CPU cost per workspace over the whole range vs the first step: ${fmt(perLast / perFirst)}× (1.00 = linear).`);
  }

  const suites = [...suiteSeconds.entries()].map(([name, secs]) => [name, median(secs)] as const).sort((a, b) => b[1] - a[1]);
  const suiteTable = suites.length
    ? [
        `## Jest suites`,
        ``,
        `Median seconds per suite file (jest runs them one after the other on 2 cores; the sum is about the suite's wall time):`,
        ``,
        `| suite | median (s) |`,
        `|---|---:|`,
        ...suites.map(([name, sec]) => `| ${name} | ${fmt(sec, 1)} |`),
        `| **sum** | ${fmt(suites.reduce((a, [, sec]) => a + sec, 0), 1)} |`,
        ``,
      ]
    : [];

  const text = [
    `# Benchmark results`,
    ``,
    `Generated by \`npm run bench\` (scripts/bench.ts). Each row: one discarded warm-up run, then the runs shown, each a separate process measured with \`/usr/bin/time\`; the synth workloads run interleaved, one of each per round. Peak RSS is that of the largest single process (for jest: the largest of the jest processes). Method, profile and measured levers: bench/README.md.`,
    ``,
    `## Machine`,
    ``,
    ...machine(loadBefore),
    ``,
    `## Results`,
    ``,
    ...table,
    ``,
    `## Growth`,
    ``,
    ...growth,
    ``,
    `## Ratios to the star-import baseline (issue 21)`,
    ``,
    ...ratios,
    ``,
    `## Budgets`,
    ``,
    ...budgets,
    ``,
    ...beforeAfter,
    ...suiteTable,
  ].join("\n");
  fs.mkdirSync(path.dirname(OUT_FILE), { recursive: true });
  fs.writeFileSync(OUT_FILE, text);
  console.log(`\n${text}\nwritten to ${path.relative(process.cwd(), OUT_FILE) || OUT_FILE}`);
}

if (require.main === module) {
  exitWith(BENCH_COMMAND, runCli(BENCH_COMMAND, process.argv.slice(2), () => (main(), 0)));
}
