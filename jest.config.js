/** Jest: TypeScript through ts-jest without type-checking (tsc --noEmit runs in `npm test` first). */
// The AWS SDK v3 notice that its 2027 releases need Node.js 22 (printed once per worker) is no test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Tests build the app as main.ts does (no token creation stack traces, function arguments resolved once).
  setupFiles: ["<rootDir>/__tests__/setup.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  testTimeout: 120000,
  // Two of cdktf's dependencies that it loads at start but no test calls, loaded on first use instead, and
  // pako's JavaScript gunzip of the OPA WebAssembly replaced by Node.js's zlib (__tests__/module-shims/).
  moduleNameMapper: {
    "^archiver$": "<rootDir>/__tests__/module-shims/archiver.js",
    "^semver$": "<rootDir>/__tests__/module-shims/semver.js",
    "^pako$": "<rootDir>/__tests__/module-shims/pako.js",
  },
  // Every core (jest's default leaves one for itself: a single worker on the 2-core CI machine).
  maxWorkers: "100%",
};
