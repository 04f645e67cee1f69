#!/usr/bin/env node
/**
 * `npm run init -- <env> [--<field> VALUE ...] [--force]`
 *
 * Writes `config/<env>.json` from a few answers (or flags, for CI): region, account IDs, ZenML Pro
 * organization and workspace, domain, DNS mode, state bucket and preset. Each answer is checked as it
 * is given with the environment-file schema's own rule for that field (scripts/init/questions.ts) and
 * asked again when bad; the whole file is then checked as `npm run synth` checks it, together with the
 * other files of the folder (names shared in one account, state keys). Nothing is written unless it
 * passes, and an existing file only with --force. Exit codes: 0 written, 2 bad input or cancelled.
 */
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { BOOTSTRAP_STACK, ConfigError, checkAcrossEnvironments, parseConfigFile } from "../lib/config/load";
import { AnyConfig, ENV_NAME } from "../lib/config/schema";
import { Answers, QUESTIONS, Question, answer, environmentDocument } from "./init/questions";
import { CommandSpec, parseCommand, usage, usageErrorText } from "./common/cli";
import { InputError } from "./common/checks";
import { projectRoot } from "./common/tf-json";

/** `npm run init`: its options and usage text (scripts/common/cli.ts). */
export const INIT_COMMAND: CommandSpec = {
  name: "init",
  invocation: "npm run init --",
  synopsis: "<env> [options]",
  summary:
    "Writes config/<env>.json (a new environment) from your answers: asks for each value below that is not\n" +
    "given as an option, checks it as it is typed and asks again when it is not allowed.",
  positionals: { env: "the environment (stack) name: lower-case letters, digits, hyphens (file config/<env>.json)" },
  options: {
    ...Object.fromEntries(
      QUESTIONS.map((q) => [q.flag, { type: "string" as const, value: "VALUE", description: q.field + (q.askedWhen ? ` (${q.askedWhen})` : "") }]),
    ),
    "no-input": { type: "boolean", description: "ask nothing: every value without a default must be an option (CI)" },
    force: { type: "boolean", description: "overwrite an existing config/<env>.json" },
  },
  notes: "env vars: ZENML_CONFIG_DIR (the config folder, default config/)",
  exit: "0 written, 2 bad input, an existing file without --force, or cancelled (nothing written)",
};

export const USAGE = usage(INIT_COMMAND);

/** Where the command reads answers and writes messages (tests pass their own). */
export interface Io {
  readonly input: NodeJS.ReadableStream;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Whether questions may be asked (stdin is a terminal). */
  readonly interactive: boolean;
}

/** Runs the command; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const args = parseCommand(INIT_COMMAND, argv);
    if (args.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const positionals = args.positionals;
    const values: Record<string, string | boolean | undefined> = {
      ...Object.fromEntries(QUESTIONS.map((q) => [q.flag, args.string(q.flag)])),
      "no-input": args.flag("no-input"),
      force: args.flag("force"),
    };
    if (positionals.length !== 1) throw new InputError(`name one environment (npm run init -- staging), got ${positionals.length ? positionals.join(", ") : "none"}`);
    const env = positionals[0];
    if (!ENV_NAME.test(env) || env === BOOTSTRAP_STACK) {
      throw new InputError(`'${env}' is not allowed as an environment name: lower-case letters, digits and hyphens, starting with a letter, at most 31, not '${BOOTSTRAP_STACK}'`);
    }
    const dir = io.env.ZENML_CONFIG_DIR ?? path.join(projectRoot(), "config");
    const file = path.join(dir, `${env}.json`);
    const relative = path.relative(process.cwd(), file);
    const shown = relative.startsWith("..") ? file : relative;
    if (fs.existsSync(file) && !values.force) throw new InputError(`${shown} exists; pass --force to overwrite it`);

    const given = values as Record<string, string | boolean | undefined>;
    const ask = io.interactive && !values["no-input"] ? prompter(io) : undefined;
    try {
      const answers: Record<string, unknown> = {};
      const missing: string[] = [];
      // Fields to (re)ask; the first round asks all, later rounds what the whole-file check refused.
      let pending: readonly Question[] = QUESTIONS;
      for (;;) {
        for (const q of pending) {
          if (q.when && !q.when(answers)) {
            delete answers[q.field];
            continue;
          }
          const flag = given[q.flag];
          if (typeof flag === "string" && !(q.field in answers)) {
            const result = answer(q, flag);
            if ("error" in result) throw new InputError(`--${q.flag}: ${q.field}: ${result.error}`);
            answers[q.field] = result.value;
          } else if (ask) {
            answers[q.field] = await askUntilValid(q, answers, env, ask, io);
          } else {
            const dflt = q.default?.(answers, env);
            if (dflt === undefined) {
              missing.push(`--${q.flag}`);
              continue;
            }
            const result = answer(q, dflt);
            if ("error" in result) throw new InputError(`${q.field}: the default '${dflt}' is not allowed (${result.error}); pass --${q.flag}`);
            answers[q.field] = result.value;
          }
        }
        if (missing.length > 0) {
          throw new InputError(`missing ${missing.join(", ")} (stdin is not a terminal${values["no-input"] ? " and --no-input is set" : ""}, so nothing is asked)`);
        }
        const others = neighbours(dir, file);
        const doc = environmentDocument(answers, schemaRef(dir)) as { state: Record<string, unknown> };
        // A bucket another file already uses: its region is known (and must be the same).
        const bucketRegion = others.find((c) => c.state.bucket === answers["state.bucket"])?.state.region;
        if (bucketRegion && bucketRegion !== answers.region) doc.state.region = bucketRegion;
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        const problems = checkFile(file, text, others);
        if (problems.length === 0) {
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(file, text);
          io.out(`wrote ${shown}; next: npm run synth && npm run preflight -- ${env}\n`);
          return 0;
        }
        const refused = QUESTIONS.filter((q) => problems.some((p) => p.field === q.field));
        io.err(problems.map((p) => `${p.text}\n`).join(""));
        if (!ask || refused.length === 0 || refused.some((q) => typeof given[q.flag] === "string")) {
          throw new InputError(`${shown} not written`);
        }
        for (const q of refused) delete answers[q.field];
        pending = refused;
      }
    } finally {
      ask?.close();
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.err(usageErrorText(INIT_COMMAND, e.message));
    return 2;
  }
}

/** `$schema` of the written file: the generated schema, relative to the config folder. */
function schemaRef(dir: string): string {
  const rel = path.relative(dir, path.join(projectRoot(), "config", "environment.schema.json")).split(path.sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** A whole-file problem and the field it names. */
interface FileProblem {
  readonly field: string;
  readonly text: string;
}

/** The other files of the folder that are valid on their own (an invalid one is npm run synth's to report). */
function neighbours(dir: string, file: string): AnyConfig[] {
  const configs: AnyConfig[] = [];
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const other = path.join(dir, f);
    if (!f.endsWith(".json") || f.endsWith(".schema.json") || other === file) continue;
    try {
      configs.push(parseConfigFile(other, fs.readFileSync(other, "utf8")));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
    }
  }
  return configs;
}

/**
 * Checks the new file as `npm run synth` would: alone (rules across fields, the ZenML release), then
 * with the folder's other files (account-scoped names, state buckets and keys).
 */
function checkFile(file: string, text: string, others: readonly AnyConfig[]): FileProblem[] {
  const field = (problem: string) => problem.slice(file.length + 2).split(": ")[0];
  let config: AnyConfig;
  try {
    config = parseConfigFile(file, text);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => ({ field: field(p), text: p }));
  }
  return checkAcrossEnvironments([...others, config])
    .filter((p) => p.startsWith(`${file}: `))
    .map((p) => ({ field: field(p), text: p }));
}

/** Asks `q` until the answer passes its schema piece; Enter takes the default. */
async function askUntilValid(q: Question, answers: Answers, env: string, ask: Prompter, io: Io): Promise<unknown> {
  const dflt = q.default?.(answers, env);
  for (;;) {
    const typed = (await ask.question(`${q.label}${dflt !== undefined ? ` [${dflt}]` : ""}: `)).trim();
    const text = typed === "" && dflt !== undefined ? dflt : typed;
    if (text === "") {
      io.err(`  ${q.field} is required\n`);
      continue;
    }
    const result = answer(q, text);
    if ("value" in result) return result.value;
    io.err(`  ${q.field}: ${result.error}; try again\n`);
  }
}

/** Line questions on the terminal; closing stdin (Ctrl-D) or Ctrl-C cancels. */
interface Prompter {
  question(prompt: string): Promise<string>;
  close(): void;
}

function prompter(io: Io): Prompter {
  const rl = readline.createInterface({ input: io.input, output: process.stdout, terminal: true });
  let closed = false;
  const cancel = new Promise<never>((_, reject) => {
    rl.on("close", () => {
      closed = true;
      reject(new InputError("cancelled; nothing written"));
    });
    rl.on("SIGINT", () => rl.close());
  });
  cancel.catch(() => undefined);
  return {
    question: (prompt) => Promise.race([new Promise<string>((resolve) => rl.question(prompt, resolve)), cancel]),
    close: () => {
      if (!closed) rl.close();
    },
  };
}

if (require.main === module) {
  main(process.argv.slice(2), {
    input: process.stdin,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY),
  }).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`init: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
