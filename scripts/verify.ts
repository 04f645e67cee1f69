#!/usr/bin/env node
/**
 * `npm run verify -- <stack> [--outputs FILE] [--url URL] [--ca FILE] [--wait DURATION] [--since DURATION]
 * [--skip IDS] [--format text|json] [--verbose]`: the guide's Step 9 and Troubleshooting against a
 * deployed stack (scripts/verify/). Exit 0 every check passed, 1 a check failed, 2 bad input.
 */
import { exitWith } from "./common/cli";
import { main, VERIFY_COMMAND } from "./verify/run";

// The pinned AWS SDK runs on the Node.js this project supports (>= 20); its notice that later SDK
// releases will need Node.js 22 is nothing a verify user acts on (quiet by default). Set the variable
// to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

exitWith(VERIFY_COMMAND, main(process.argv.slice(2)));
