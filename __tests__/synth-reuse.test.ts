/**
 * One bundle per synthesis, and reports that reuse a current synthesis: `npm run synth|diff|deploy|
 * destroy` bundle the app once (npm run build) and run the compiled app directly (cdktf with --skip-synth); `npm run cost|diagram` synthesize again only
 * when the inputs recorded by the last synthesis (lib/synth-inputs.ts) changed, not when a build
 * touched the compiled files.
 */
import * as fs from "fs";
import * as path from "path";
import { recordedSynthInputs, synthInputsFingerprint } from "../lib/synth-inputs";
import { cdktfArgs } from "../scripts/cdktf-run";
import { appCommand, ensureSynthesized } from "../scripts/common/tf-json";
import { CONFIG_DIR, ROOT, tempDir } from "./helpers";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

/** The shell commands an npm script runs, with `npm run X` expanded. */
function commands(script: string): string[] {
  return pkg.scripts[script].split("&&").flatMap((c) => {
    const m = /^\s*npm run (\S+)\s*$/.exec(c);
    return m ? commands(m[1]) : [c.trim()];
  });
}

test.each(["synth", "diff", "deploy", "destroy"])("npm run %s bundles the app once (npm run build), type-checks first, and never runs cdktf.json's app", (script) => {
  const run = commands(script);
  expect(run[0]).toBe("tsc -p tsconfig.json");
  expect(run.filter((c) => /\besbuild main\.ts\b/.test(c))).toHaveLength(1);
  // cdktf synthesizes (runs cdktf.json's app, which bundles again) unless told --skip-synth.
  expect(run.filter((c) => /\bcdktf (synth|diff|deploy|destroy)\b/.test(c))).toEqual([]);
  expect(appCommand()).toMatch(/\besbuild main\.ts\b/);
  const last = run[run.length - 1];
  if (script === "synth") expect(last).toMatch(/\bnode dist\/main\.js$/);
  else {
    expect(last).toMatch(new RegExp(`node dist/scripts/cdktf-run\\.js ${script}$`));
    const args = { positionals: ["dev"], string: () => undefined, list: () => [], flag: () => false, help: false };
    expect(cdktfArgs(script as "diff" | "deploy" | "destroy", args, "/tmp/out").slice(0, 4)).toEqual([script, "--skip-synth", "--output", "/tmp/out"]);
  }
});

test.each(["cost", "diagram"])("npm run %s does not rebuild the bundle before its staleness check", (script) => {
  expect(commands(script).filter((c) => /\besbuild\b/.test(c))).toEqual([]);
});

describe("ensureSynthesized", () => {
  let work: string;
  const saved = process.env.ZENML_CONFIG_DIR;
  beforeAll(() => {
    work = tempDir("zenml-reuse-");
    const config = path.join(work, "config");
    fs.mkdirSync(config);
    fs.copyFileSync(path.join(CONFIG_DIR, "dev.json"), path.join(config, "dev.json"));
    process.env.ZENML_CONFIG_DIR = config;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.ZENML_CONFIG_DIR;
    else process.env.ZENML_CONFIG_DIR = saved;
    fs.rmSync(work, { recursive: true, force: true });
  });

  test("synthesizes when missing, reuses a current synthesis after a build, synthesizes again after a config change", () => {
    const outdir = path.join(work, "out");
    const log: string[] = [];
    const config = process.env.ZENML_CONFIG_DIR!;
    // The compiled app as npm run build left it (cdktf.json's app would rebundle dist/main.js under suites that run it).
    const app = `"${process.execPath}" dist/main.js`;
    const ensure = () => ensureSynthesized(outdir, false, (m) => log.push(m), app);
    expect(ensure()).toBe(true);
    expect(fs.existsSync(path.join(outdir, "stacks", "dev", "cdk.tf.json"))).toBe(true);
    expect(recordedSynthInputs(outdir)).toBe(synthInputsFingerprint(ROOT, config));

    // A build rewrites dist/ (newer than the stacks): the synthesis is still current.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(ROOT, "dist", "main.js"), later, later);
    fs.utimesSync(path.join(config, "dev.json"), later, later);
    expect(ensure()).toBe(false);

    const doc = JSON.parse(fs.readFileSync(path.join(config, "dev.json"), "utf8"));
    doc.service = { desiredCount: 1 };
    fs.writeFileSync(path.join(config, "dev.json"), JSON.stringify(doc));
    expect(ensure()).toBe(true);
    expect(log).toEqual([
      expect.stringContaining("(no stacks in"),
      expect.stringContaining("(config or app sources changed since the last synthesis)"),
    ]);
    expect(recordedSynthInputs(outdir)).toBe(synthInputsFingerprint(ROOT, config));
  });

  test("the fingerprint covers the app's sources and the environment files, not the compiled output", () => {
    const config = process.env.ZENML_CONFIG_DIR!;
    const base = synthInputsFingerprint(ROOT, config);
    const other = path.join(work, "config2");
    fs.mkdirSync(other);
    fs.copyFileSync(path.join(config, "dev.json"), path.join(other, "dev.json"));
    fs.writeFileSync(path.join(other, "staging.json"), "{}");
    expect(synthInputsFingerprint(ROOT, other)).not.toBe(base);
    // A copy of the sources with one module changed gives another fingerprint.
    const root = path.join(work, "root");
    for (const p of ["main.ts", "package-lock.json", "tsconfig.json", "cdktf.json", "lib", "stacks", "modules"]) fs.cpSync(path.join(ROOT, p), path.join(root, p), { recursive: true });
    fs.mkdirSync(path.join(root, "dist"));
    fs.writeFileSync(path.join(root, "dist", "main.js"), "// compiled output is not an input");
    expect(synthInputsFingerprint(root, config)).toBe(base);
    fs.appendFileSync(path.join(root, "modules", "service.ts"), "\n// a change\n");
    expect(synthInputsFingerprint(root, config)).not.toBe(base);
  });
});
