/**
 * Command-line parsing of the post-deploy commands: strict options (an unknown option or a missing
 * value is bad input, exit 2) and durations (`--wait 15m`, `--since 2h`).
 */
import { InputError } from "./checks";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration: one or more `<number><unit>` parts with units ms, s, m, h, d (`90s`, `15m`,
 * `1h30m`); a bare number is seconds. Returns milliseconds. Throws {@link InputError} naming the
 * option otherwise.
 */
export function parseDuration(text: string, option = "duration"): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (t === "" || parts.map((p) => p[0]).join("") !== t) {
    throw new InputError(`${option}: "${text}" is not a duration; use e.g. 90s, 15m, 1h30m, 2d (units ms, s, m, h, d)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
}

/** Formats milliseconds as `1h02m`, `15m00s`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** What a command accepts. */
export interface OptionSpec {
  /** Options that take a value (`--name VALUE` or `--name=VALUE`). */
  readonly valued: readonly string[];
  /** Boolean options (`--name`). */
  readonly flags: readonly string[];
  /** Allowed values of some valued options. */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
}

/** Parsed arguments. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string>>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** Strict parser: unknown options, missing values and values outside `choices` throw {@link InputError}. */
export function parseOptions(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      if (a.startsWith("-") && a !== "-") throw new InputError(`unknown option ${a}`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (spec.valued.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new InputError(`--${name} needs a value`);
      const allowed = spec.choices?.[name];
      if (allowed && !allowed.includes(value)) throw new InputError(`--${name} must be one of ${allowed.join(", ")}, got "${value}"`);
      values[name] = value;
    } else if (spec.flags.includes(name) && eq < 0) flags.add(name);
    else throw new InputError(`unknown option --${name}`);
  }
  return { values, flags, positionals };
}
