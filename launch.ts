#!/usr/bin/env node
/**
 * `node dist/main.js` (what cdktf.json's `app` and `npm run synth` run): starts the app bundle,
 * dist/synth.js (esbuild of main.ts), with a V8 code cache beside it.
 *
 * Compiling the 4.6 MB bundle and the functions a synth runs took about a fifth of a shipped synth
 * (bench/README.md). After a synth that exits 0, the compiled code is written to
 * `dist/synth.js.<size>-<mtime>.v8cache`; the next synth of the same bundle starts from it. A rebuilt
 * bundle has another name (and `npm run build` removes old caches); a cache V8 rejects (another
 * Node.js version or flags) is ignored and written again. Writing it may fail (a read-only install):
 * the synth is the same without it. Set ZENML_CODE_CACHE=0 to neither read nor write it.
 */
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import * as vm from "vm";
import Module = require("module");

const bundle = path.join(__dirname, "synth.js");
const { size, mtimeMs } = fs.statSync(bundle);
const cacheFile = `${bundle}.${size}-${Math.round(mtimeMs)}.v8cache`;
const useCache = process.env.ZENML_CODE_CACHE !== "0";
let cachedData: Buffer | undefined;
if (useCache) {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet: this run writes it
  }
}
// As Node.js's CommonJS loader compiles a module (the shebang is no JavaScript).
const source = fs.readFileSync(bundle, "utf8").replace(/^#!.*/, "");
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });

if (useCache && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("exit", (code) => {
    if (code !== 0) return;
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only folder: the next synth compiles again
    }
  });
}

const app = new Module(bundle, module);
app.filename = bundle;
app.paths = [];
(script.runInThisContext() as (...args: unknown[]) => void).call(app.exports, app.exports, createRequire(bundle), app, bundle, __dirname);
