/**
 * PyPI through pip, its ordinary client: the releases of `zenml` (`pip index versions zenml`) and one
 * release's wheel (`pip download zenml==X --no-deps --only-binary=:all:`, which checks the file
 * against the hash the index publishes). Wheels are cached outside the repository and never committed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { compareZenmlVersions, parseZenmlVersion } from "../../lib/zenml-releases";

/** pip failed or PyPI is not reachable: the message quotes pip's own error. */
export class PypiError extends Error {}

/** Where wheels are kept between runs: `$ZENML_WHEEL_CACHE`, else `<XDG cache or ~/.cache>/zenml-hybrid-ecs/wheels`. */
export function wheelCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.ZENML_WHEEL_CACHE) return env.ZENML_WHEEL_CACHE;
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "zenml-hybrid-ecs", "wheels");
}

function pip(python: string, args: string[]): string {
  const r = spawnSync(python, ["-m", "pip", "--disable-pip-version-check", ...args], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new PypiError(`${python} -m pip ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) {
    const lines = `${r.stderr}`.split("\n").filter((l) => l.trim() && !/^WARNING: Location 'file:/.test(l));
    throw new PypiError(`${python} -m pip ${args.join(" ")} exited ${r.status}: ${lines.slice(-5).join(" | ")}`);
  }
  return r.stdout;
}

/** Plain `X.Y.Z` releases of zenml on PyPI from `first` on, oldest first (pre-releases are left out). */
export function listReleases(python: string, first: string): string[] {
  const out = pip(python, ["index", "versions", "zenml"]);
  const line = out.split("\n").find((l) => l.startsWith("Available versions:"));
  if (!line) throw new PypiError(`pip index versions zenml printed no "Available versions:" line: ${out.trim().slice(0, 200)}`);
  return line
    .slice("Available versions:".length)
    .split(",")
    .map((v) => v.trim())
    .filter((v) => parseZenmlVersion(v) && compareZenmlVersions(v, first) >= 0)
    .sort(compareZenmlVersions);
}

/** The path of `version`'s wheel in `cacheDir`, downloaded when it is not there yet. */
export function wheelOf(python: string, version: string, cacheDir: string): string {
  const find = () => fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).find((f) => f.startsWith(`zenml-${version}-`) && f.endsWith(".whl")) : undefined;
  let file = find();
  if (!file) {
    fs.mkdirSync(cacheDir, { recursive: true });
    pip(python, ["download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", cacheDir, `zenml==${version}`]);
    file = find();
    if (!file) throw new PypiError(`pip download zenml==${version} left no zenml-${version}-*.whl in ${cacheDir}`);
  }
  return path.join(cacheDir, file);
}
