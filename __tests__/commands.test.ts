/**
 * The one command-line grammar (scripts/common/cli.ts) across every command, the generated `help`,
 * and the guards of npm run diff/deploy/destroy (scripts/cdktf-run.ts): placeholders refused by
 * name, unknown stacks listed, a config error printed once.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { findPlaceholders, placeholdersInConfig } from "../lib/config/placeholders";
import { editDistance, nearest } from "../lib/suggest";
import { CDKTF_COMMANDS, cdktfArgs, cdktfEnv, expandStacks } from "../scripts/cdktf-run";
import { InputError } from "../scripts/common/checks";
import { CommandSpec, parseCommand, usage } from "../scripts/common/cli";
import { COMMANDS, HELP_FILE, helpText } from "../scripts/generate-help";
import { CONFIG_DIR, ROOT, shippedFile, tempDir } from "./helpers";

const DIST = path.join(ROOT, "dist", "scripts");

/** The script file and leading arguments of each command, as its npm script runs it. */
const RUNS: Record<string, string[]> = {
  init: ["init.js"],
  diff: ["cdktf-run.js", "diff"],
  deploy: ["cdktf-run.js", "deploy"],
  destroy: ["cdktf-run.js", "destroy"],
  preflight: ["preflight.js"],
  verify: ["verify.js"],
  policy: ["policy.js"],
  review: ["review.js"],
  drift: ["drift.js"],
  cost: ["cost.js"],
  diagram: ["diagram.js"],
  "synth:hcl": ["synth-hcl.js"],
  schema: ["generate-schema.js"],
  bench: ["bench.js"],
  snapshot: ["snapshot.js"],
  "zenml-contract": ["zenml-contract.js"],
};

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const [script, ...lead] = RUNS[command];
  const file = path.join(DIST, script);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
  return spawnSync(process.execPath, [file, ...lead, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
}

let work: string;
beforeAll(() => (work = tempDir("zenml-commands-")));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("help is generated from the commands' usage texts and is current (npm run schema rewrites it)", () => {
  expect(fs.readFileSync(HELP_FILE, "utf8")).toBe(helpText());
  for (const c of COMMANDS) expect(helpText()).toContain(usage(c).split("\n")[0]);
  expect(COMMANDS.map((c) => c.name).sort()).toEqual(Object.keys(RUNS).sort());
});

describe.each(Object.keys(RUNS))("%s", (command) => {
  const spec = COMMANDS.find((c) => c.name === command)!;

  test("--help prints the usage on stdout, exit 0; --fromat is bad input (exit 2), with --format suggested where it exists", () => {
    const help = run(command, ["--help"]);
    expect([help.status, help.stderr]).toEqual([0, ""]);
    expect(help.stdout).toBe(`${usage(spec)}\n`);
    const typo = run(command, ["--fromat", "json"]);
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe("");
    const suggestion = spec.options.format ? "; did you mean --format?" : "";
    expect(typo.stderr).toBe(`${command}: unknown option --fromat${suggestion}\n(${spec.invocation} --help prints the usage)\n`);
  });
});

describe("one parser", () => {
  const spec: CommandSpec = {
    name: "t",
    invocation: "t",
    synopsis: "",
    summary: "",
    positionals: { x: "" },
    options: {
      format: { type: "string", choices: ["text", "json"], description: "" },
      import: { type: "string", variadic: true, description: "" },
      verbose: { type: "boolean", description: "" },
    },
    exit: "",
  };
  const error = (argv: string[]) => {
    try {
      parseCommand(spec, argv);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error(`accepted ${argv.join(" ")}`);
  };

  test("values, flags, variadic options and positionals", () => {
    const p = parseCommand(spec, ["a", "--format=json", "--import", "r1", "r2", "--verbose", "b"]);
    expect([p.positionals, p.string("format"), p.list("import"), p.flag("verbose"), p.help]).toEqual([["a", "b"], "json", ["r1", "r2"], true, false]);
    expect(parseCommand(spec, ["-h"]).help).toBe(true);
  });

  test.each([
    [["--fromat", "json"], "unknown option --fromat; did you mean --format?"],
    [["--colour"], "unknown option --colour"],
    [["-x"], "unknown option -x"],
    [["--format"], "--format needs a value"],
    [["--format="], "--format needs a value"],
    [["--format", "jsn"], 'must be one of text, json, got "jsn"; did you mean json?'],
    [["--format", "xml"], '--format must be one of text, json, got "xml"'],
    [["--verbose=yes"], "--verbose takes no value"],
    [["--import"], "--import needs at least one value"],
  ])("%j: %s", (argv, message) => {
    expect(error(argv)).toContain(message);
    if (!message.includes("did you mean")) expect(error(argv)).not.toContain("did you mean");
  });

  test("a command without positionals rejects one, suggesting the option it resembles", () => {
    expect(() => parseCommand({ ...spec, positionals: undefined }, ["verbos"])).toThrow('unexpected argument "verbos"; did you mean --verbose?');
  });

  test("nearest: transpositions and small typos, nothing for unrelated words", () => {
    expect(editDistance("fromat", "format")).toBe(1);
    expect(nearest("servce", ["service", "state"])).toBe("service");
    expect(nearest("dve", ["dev", "prod", "state-bootstrap"])).toBe("dev");
    expect(nearest("xml", ["text", "json"])).toBeUndefined();
  });
});

describe("unknown stacks list the stacks that exist", () => {
  const env = { CDKTF_OUTDIR: path.join(ROOT, "no-such-cdktf-out"), ZENML_CONFIG_DIR: CONFIG_DIR };
  test.each([
    ["preflight", ["dve"]],
    ["verify", ["dve"]],
  ])("%s", (command, args) => {
    const r = run(command, args, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${command}: unknown stack "dve"; stacks: dev, prod, state-bootstrap (from ${CONFIG_DIR}); did you mean dev?`);
  });

  test("cost and diagram --stack, against the stacks given", () => {
    const out = path.join(work, "synth");
    const synth = spawnSync(process.execPath, [path.join(ROOT, "dist", "main.js")], { env: { ...process.env, CDKTF_OUTDIR: out }, encoding: "utf8" });
    expect(synth.status).toBe(0);
    for (const command of ["cost", "diagram"]) {
      const r = run(command, ["--stack", "dev,prdo", out]);
      expect([command, r.status]).toEqual([command, 2]);
      expect(r.stderr).toContain(`${command}: unknown stack "prdo"; stacks: dev, prod, state-bootstrap (from ${out}); did you mean prod?`);
    }
    expect(() => expandStacks(["dev*", "nope"], { names: ["dev", "dev-b", "prod"], source: "x" })).toThrow('unknown stack "nope"; stacks: dev, dev-b, prod (from x)');
    expect(expandStacks(["dev*", "prod"], { names: ["dev", "dev-b", "prod"], source: "x" })).toEqual(["dev", "dev-b", "prod"]);
  });
});

describe("placeholders cannot reach AWS", () => {
  test("every shipped config and example file holds placeholders; the fields are named", () => {
    const dirs = [CONFIG_DIR, ...fs.readdirSync(path.join(ROOT, "examples")).map((e) => path.join(ROOT, "examples", e, "config"))];
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".json") && !x.endsWith(".schema.json"))) {
        expect({ f, found: placeholdersInConfig(dir, [f.replace(/\.json$/, "")]).length > 0 }).toEqual({ f, found: true });
      }
    }
    const fields = findPlaceholders("config/prod.json", shippedFile("prod")).map((u) => u.field);
    expect(fields).toEqual([
      "allowedAccountIds.0",
      "zenml.organizationId",
      "zenml.organizationName",
      "zenml.workspaceId",
      "dns.domainName",
      "dns.hostedZoneId",
      "observability.alarmEmail",
      "state.bucket",
    ]);
  });

  test("a file with its own values has none; one stack's file is checked alone, state-bootstrap checks all", () => {
    const dir = path.join(work, "own");
    fs.mkdirSync(dir);
    const dev = shippedFile("dev");
    dev.zenml = { ...dev.zenml, organizationId: "3f0c7f3e-2b1e-4d7a-9d43-6a3c2f0f9a12", organizationName: "acme", workspaceId: "4a1b2c3d-2b1e-4d7a-9d43-6a3c2f0f9a13" };
    dev.dns = { ...dev.dns, domainName: "zenml-dev.acme.example", certificateArn: "arn:aws:acm:eu-central-1:210987654321:certificate/5e6f7a8b-2b1e-4d7a-9d43-6a3c2f0f9a14" };
    dev.state = { bucket: "acme-zenml-tfstate" };
    fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(dev));
    fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(shippedFile("prod")));
    expect(placeholdersInConfig(dir, ["dev"])).toEqual([]);
    expect(placeholdersInConfig(dir, ["state-bootstrap"]).map((u) => u.file)).toContain(path.join(dir, "prod.json"));
  });

  test("npm run deploy refuses the shipped config by file and field, before cdktf runs (exit 2)", () => {
    const r = run("deploy", ["dev", "--auto-approve"], { CDKTF_OUTDIR: path.join(work, "deploy-out") });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("deploy: refusing to deploy dev: the shipped example values below would reach AWS; put your own values in:\n  config/dev.json:\n");
    for (const field of ["zenml.organizationId", "zenml.workspaceId", "dns.domainName", "dns.certificateArn", "state.bucket"]) {
      expect(r.stderr).toMatch(new RegExp(`\\n    ${field.replace(".", "\\.")}: `));
    }
    expect(r.stderr).not.toContain("config/prod.json");
  });

  test("cdktf runs with CI=true when stdout is not a terminal (no spinner frames), unless CI is set", () => {
    expect(cdktfEnv({ A: "1" }, false)).toEqual({ A: "1", CI: "true" });
    expect(cdktfEnv({ A: "1" }, true)).toEqual({ A: "1" });
    expect(cdktfEnv({ CI: "false" }, false)).toEqual({ CI: "false" });
  });

  test("cdktf gets the synthesized folder, the stacks and the options as given, after --skip-synth", () => {
    const args = parseCommand(CDKTF_COMMANDS.deploy, ["dev", "--auto-approve", "--var", "a=1", "--var", "b=2", "--outputs-file=o.json"]);
    expect(cdktfArgs("deploy", args, "/x/out")).toEqual(["deploy", "--skip-synth", "--output", "/x/out", "dev", "--auto-approve", "--outputs-file", "o.json", "--var", "a=1", "--var", "b=2"]);
  });
});

test("npm run diff/deploy/destroy print a config error once, as the app wrote it (no cdktf wrapper), exit 1", () => {
  const dir = path.join(work, "bad");
  fs.mkdirSync(dir);
  const dev = shippedFile("dev");
  delete dev.zenml.workspaceName;
  fs.writeFileSync(path.join(dir, "dev.json"), JSON.stringify(dev));
  const r = run("diff", ["dev"], { ZENML_CONFIG_DIR: dir, CDKTF_OUTDIR: path.join(work, "bad-out") });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`Invalid configuration:\n  - ${path.join(dir, "dev.json")}: zenml.workspaceName: required (a string)\n`);
  expect(r.stdout).toBe("");
});

test("npm run synth runs the app itself (cdktf would print its errors twice and a spinner frame per line)", () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
  expect(scripts.synth).toMatch(/node dist\/main\.js$/);
  for (const c of ["diff", "deploy", "destroy"]) expect(scripts[c]).toMatch(new RegExp(`node dist/scripts/cdktf-run\\.js ${c}$`));
});
