// jest.config.js maps `semver` here: cdktf 0.21 requires it when it loads (lib/validations/validate-binary-version.js,
// 45 files), and only a Terraform version check calls it. Loaded on first use.
const path = require("path");
const real = () => require(require.resolve("semver", { paths: [path.dirname(require.resolve("cdktf/package.json"))] }));
module.exports = new Proxy({}, { get: (_target, key) => real()[key], has: (_target, key) => key in real() });
