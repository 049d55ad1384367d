#!/usr/bin/env node
// Launcher for the CLI built into dist/cli.js (`npm run build`), so `npx gpu-workbench` works from a checkout.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('gpu-workbench: dist/cli.js is missing; run "npm run build" in the checkout first.\n');
  process.exit(2);
}
const { main, processIo, safeLine } = require(cli);
main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`gpu-workbench: ${safeLine(String(error))}\n`);
    process.exitCode = 1;
  },
);
