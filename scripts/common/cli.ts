/**
 * The one command-line grammar of every command under scripts/ (docs/development.md, "Commands"):
 * node's `util.parseArgs` in strict mode, driven by a {@link CommandSpec} that also produces the
 * command's usage text (so `--help`, the generated `help` file and the parser never disagree).
 *
 * Conventions: `--name VALUE` or `--name=VALUE`; an unknown option, a missing value, or a value
 * outside an option's `choices` is bad input (exit 2) with the nearest allowed word suggested;
 * `-h`/`--help` prints the usage text on stdout (exit 0); an unknown stack name lists the stacks
 * that exist.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { didYouMean } from "../../lib/suggest";
import { EXIT, InputError } from "./checks";
import { TfStack, projectRoot } from "./tf-json";

/** One option of a command. */
export interface OptionSpec {
  /** `string` takes a value; `boolean` is a switch. */
  readonly type: "string" | "boolean";
  /** Name of the value in the usage text, e.g. `FILE` (default: the choices joined by `|`, else `VALUE`). */
  readonly value?: string;
  /** The values allowed (an enum option). */
  readonly choices?: readonly string[];
  /** May be given more than once; every value is kept. */
  readonly multiple?: boolean;
  /** Takes every following argument up to the next option (`--import a.json b.json`); implies multiple. */
  readonly variadic?: boolean;
  /** One line (or more, joined) for the usage text. */
  readonly description: string;
}

/** What a command accepts, and the text that describes it. */
export interface CommandSpec {
  /** Program name used in messages, e.g. `cost`. */
  readonly name: string;
  /** How it is run, e.g. `npm run cost --`. */
  readonly invocation: string;
  /** Arguments after the invocation, e.g. `[options] [cdk.tf.json ...]`. */
  readonly synopsis: string;
  /** What the command does (a paragraph, already wrapped). */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments (name → description for the usage text); without it, none are accepted. */
  readonly positionals?: Readonly<Record<string, string>>;
  /** Extra lines after the options (environment, notes). */
  readonly notes?: string;
  /** Exit codes, e.g. `0 pass, 1 violations, 2 bad input`. */
  readonly exit: string;
}

/** Parsed arguments. */
export interface Parsed {
  readonly positionals: readonly string[];
  /** The value of a string option (the last one given), or undefined. */
  string(name: string): string | undefined;
  /** Every value of a multiple/variadic option. */
  list(name: string): string[];
  /** Whether a boolean option was given. */
  flag(name: string): boolean;
  /** Whether `-h`/`--help` was given. */
  readonly help: boolean;
}

const HELP: OptionSpec = { type: "boolean", description: "print this text and exit" };

function valueName(o: OptionSpec): string {
  return o.value ?? (o.choices ? o.choices.join("|") : "VALUE");
}

/** The usage text of a command: first line `usage: <invocation> <synopsis>`. */
export function usage(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries({ ...spec.options, help: HELP }).map(([name, o]) => [
    `${name === "help" ? "-h, " : ""}--${name}${o.type === "string" ? ` ${valueName(o)}${o.variadic ? "..." : ""}` : ""}`,
    o.description,
  ]);
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  const table = (entries: [string, string][], label: string): string[] =>
    entries.flatMap(([left, text], i) => {
      const head = `${(i === 0 ? label : "").padEnd(10)}${left}`;
      const lines = text.split("\n");
      const first = left.length + 2 > width ? [head, `${" ".repeat(10 + width)}${lines[0]}`] : [`${head.padEnd(10 + width)}${lines[0]}`];
      return [...first, ...lines.slice(1).map((l) => `${" ".repeat(10 + width)}${l}`)].map((l) => l.trimEnd());
    });
  return [
    `usage: ${spec.synopsis ? `${spec.invocation} ${spec.synopsis}` : spec.invocation.replace(/ --$/, "")}`,
    "",
    spec.summary,
    "",
    ...(spec.positionals ? table(Object.entries(spec.positionals), "arguments") : []),
    ...table(rows, "options"),
    ...(spec.notes ? [spec.notes] : []),
    `${"exit".padEnd(10)}${spec.exit}`,
  ].join("\n");
}

/** `--import a b --x` → `--import=a --import=b --x`: variadic options as parseArgs understands them. */
function expandVariadic(argv: readonly string[], spec: CommandSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : "";
    if (!spec.options[name]?.variadic) {
      out.push(argv[i]);
      continue;
    }
    const values: string[] = [];
    while (argv[i + 1] !== undefined && !argv[i + 1].startsWith("-")) values.push(argv[++i]);
    if (values.length === 0) throw new InputError(`--${name} needs at least one value`);
    out.push(...values.map((v) => `--${name}=${v}`));
  }
  return out;
}

/** Rewrites parseArgs' messages into this project's (with a suggestion for an unknown option). */
function translate(e: Error & { code?: string }, spec: CommandSpec): InputError {
  const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? "";
  const names = [...Object.keys(spec.options), "help"];
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return new InputError(`unknown option ${option}${didYouMean(option.replace(/^-+/, "").split("=")[0], names, (n) => `--${n}`)}`);
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (/does not take an argument/.test(e.message)) return new InputError(`${option} takes no value`);
    return new InputError(`${option} needs a value`);
  }
  return new InputError(e.message);
}

/**
 * Parses `argv` strictly against `spec`.
 * @throws InputError (exit 2) for an unknown option (with a suggestion), a missing or empty value, or a
 * value outside an option's choices (naming the allowed values).
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.multiple || o.variadic ? { multiple: true } : {}) };
  let result: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    result = parseArgs({ args: expandVariadic(argv, spec), options, strict: true, allowPositionals: true });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw translate(e as Error & { code?: string }, spec);
  }
  const values = result.values;
  const help = values.help === true;
  if (!help && !spec.positionals && result.positionals.length > 0) {
    throw new InputError(`unexpected argument "${result.positionals[0]}"${didYouMean(result.positionals[0].replace(/^-+/, ""), Object.keys(spec.options), (n) => `--${n}`)}`);
  }
  if (!help) {
    for (const [name, o] of Object.entries(spec.options)) {
      const given = values[name];
      if (o.type !== "string" || given === undefined) continue;
      for (const v of (Array.isArray(given) ? given : [given]) as string[]) {
        if (v === "") throw new InputError(`--${name} needs a value`);
        if (o.choices && !o.choices.includes(v)) {
          throw new InputError(`--${name} must be one of ${o.choices.join(", ")}, got "${v}"${didYouMean(v, o.choices)}`);
        }
      }
    }
  }
  return {
    positionals: result.positionals,
    help,
    string: (name) => {
      const v = values[name];
      return typeof v === "string" ? v : Array.isArray(v) ? (v[v.length - 1] as string | undefined) : undefined;
    },
    list: (name) => {
      const v = values[name];
      return v === undefined ? [] : ((Array.isArray(v) ? v : [v]) as string[]);
    },
    flag: (name) => values[name] === true,
  };
}

/** The message printed for bad input: `<name>: <message>` and where to find the usage. */
export function usageErrorText(spec: CommandSpec, message: string): string {
  return `${spec.name}: ${message}\n(${spec.invocation} --help prints the usage)\n`;
}

/**
 * Runs a command's body with the shared conventions: `--help` prints the usage (exit 0); an
 * {@link InputError} prints `<name>: <message>` (exit 2); anything else propagates.
 */
export async function runCli(
  spec: CommandSpec,
  argv: readonly string[],
  body: (args: Parsed) => number | Promise<number>,
  io: { out: (t: string) => void; err: (t: string) => void } = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  try {
    const args = parseCommand(spec, argv);
    if (args.help) {
      io.out(`${usage(spec)}\n`);
      return EXIT.ok;
    }
    return await body(args);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.err(usageErrorText(spec, e.message));
    return EXIT.badInput;
  }
}

/**
 * Sets the exit code from {@link runCli}; any other error prints `<name>: <message>` (its stack with
 * ZENML_VERBOSE=1) and exits 1.
 */
export function exitWith(spec: CommandSpec, code: Promise<number>): void {
  code.then(
    (c) => (process.exitCode = c),
    (e: Error) => {
      const verbose = ["1", "true"].includes(process.env.ZENML_VERBOSE ?? "");
      process.stderr.write(`${spec.name}: ${(verbose && e.stack) || e.message}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}

/** `$CDKTF_OUTDIR`, else `<root>/cdktf.out`. */
export function defaultOutdir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CDKTF_OUTDIR ?? path.join(projectRoot(), "cdktf.out");
}

/** Where the stack names below came from. */
export interface KnownStacks {
  readonly names: readonly string[];
  readonly source: string;
}

/**
 * The stacks that exist: those of `<outdir>/manifest.json` when synthesized, else one per config file
 * (`$ZENML_CONFIG_DIR` or config/) plus state-bootstrap.
 */
export function knownStacks(outdir: string = defaultOutdir(), env: NodeJS.ProcessEnv = process.env): KnownStacks {
  const manifest = path.join(outdir, "manifest.json");
  if (fs.existsSync(manifest)) {
    try {
      const stacks = Object.keys(JSON.parse(fs.readFileSync(manifest, "utf8")).stacks ?? {}).sort();
      if (stacks.length > 0) return { names: stacks, source: manifest };
    } catch {
      // unreadable manifest: fall back to the config files
    }
  }
  const configDir = env.ZENML_CONFIG_DIR ?? path.join(projectRoot(), "config");
  const files = fs.existsSync(configDir) ? fs.readdirSync(configDir).filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json")) : [];
  return { names: [...files.map((f) => f.slice(0, -".json".length)), "state-bootstrap"].sort(), source: configDir };
}

/** Bad input naming the stack, the stacks that exist and the nearest one. */
export function unknownStack(name: string, known: KnownStacks): InputError {
  return new InputError(`unknown stack "${name}"; stacks: ${known.names.join(", ") || "none"} (from ${known.source})${didYouMean(name, known.names)}`);
}

/** Checks every name against the stacks that exist. @throws InputError for the first unknown one. */
export function requireStacks(names: readonly string[], known: KnownStacks): void {
  for (const name of names) if (!known.names.includes(name)) throw unknownStack(name, known);
}

/**
 * The stacks named in a `--stack a,b` value, in the order given.
 * @throws InputError for a name that is none of `stacks`, listing the names that exist.
 */
export function selectStacks(stacks: readonly TfStack[], names: string | undefined, source: string): TfStack[] {
  if (names === undefined) return [...stacks];
  return names.split(",").map((name) => {
    const found = stacks.find((s) => s.name === name.trim());
    if (!found) throw unknownStack(name.trim(), { names: stacks.map((s) => s.name), source });
    return found;
  });
}
