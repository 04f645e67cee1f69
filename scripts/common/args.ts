/**
 * Durations on the command line (`--wait 15m`, `--since 2h`); options themselves are parsed by
 * scripts/common/cli.ts.
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
