/** Jest: TypeScript through ts-jest without type-checking (tsc --noEmit runs in `npm test` first). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  testTimeout: 120000,
  // Every core (jest's default leaves one for itself: a single worker on the 2-core CI machine).
  maxWorkers: "100%",
};
