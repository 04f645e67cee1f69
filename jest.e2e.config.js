/**
 * Jest for the end-to-end suite (e2e/, `npm run test:e2e`): real terraform against moto.
 * TypeScript through ts-jest without type-checking (`npm run build` type-checks e2e/ first).
 * One worker (the script also passes --runInBand); stacks run concurrently inside the test file
 * (test.concurrent, bounded by E2E_CONCURRENCY), so maxConcurrency only needs to be high enough.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  testTimeout: 60 * 60 * 1000,
  maxWorkers: 1,
  maxConcurrency: 16,
  verbose: true,
};
