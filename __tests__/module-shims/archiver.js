// jest.config.js maps `archiver` here: cdktf 0.21 requires it when it loads (lib/private/fs.js, for the
// zips of TerraformAsset) with ~250 files of dependencies, and no test builds an asset. Loaded on first call.
const path = require("path");
const real = () => require(require.resolve("archiver", { paths: [path.dirname(require.resolve("cdktf/package.json"))] }));
module.exports = new Proxy(function archiver() {}, {
  apply: (_target, self, args) => real().apply(self, args),
  get: (_target, key) => real()[key],
});
