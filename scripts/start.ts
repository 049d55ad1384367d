/**
 * `npm start` (after `npm run package`): opens the packaged extension in a real VS Code on the
 * bundled examples/ workspace. Desktop `code` if it is on PATH; otherwise the same code-server the
 * end-to-end tests use, on 127.0.0.1, printing the URL to open. Ctrl+C stops it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveExecutable } from '../src/node/executables.ts';
import { cacheDir, ensureRealVsCode } from '../test/e2e/harness/install.ts';
import { launchCodeServer } from '../test/e2e/harness/codeServer.ts';
import { withProgress } from './progress.ts';

const repo = resolve(import.meta.dirname, '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
const vsix = join(repo, `gpu-workbench-${version}.vsix`);
const workspace = join(repo, 'examples');

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

const desktop = resolveExecutable('code', undefined);
if (desktop) {
  console.log(`Installing ${vsix} into VS Code (${desktop}) and opening ${workspace}`);
  if ((await run(desktop, ['--install-extension', vsix, '--force'])) !== 0) process.exit(1);
  process.exit(await run(desktop, [workspace]));
}

const port = Number(process.env.PORT ?? 8080);
console.log('No desktop `code` on PATH: using code-server (a real VS Code in the browser).');
// The first run installs it (about 2 minutes); each step is shown with the time it has taken so far.
await withProgress((step) => ensureRealVsCode(step), { print: (line) => console.log(line) });
console.log('Starting code-server…');
// A profile kept between runs, so settings and layout survive restarts.
const userDataDir = join(cacheDir(), 'vscode-profile');
mkdirSync(userDataDir, { recursive: true });
const server = await launchCodeServer({
  vsix,
  workspace,
  port,
  userDataDir,
  userSettings: {},
  machineSettings: process.env.GPU_WORKBENCH_NVIDIA_SMI
    ? { 'gpuWorkbench.nvidiaSmiPath': process.env.GPU_WORKBENCH_NVIDIA_SMI }
    : {},
});
console.log(
  `\nGPU Workbench is running in VS Code at:\n\n  ${server.url}\n\nOpen it in a browser on this machine; from another one, forward the port first\n(ssh -L ${port}:127.0.0.1:${port} THIS_HOST). Ctrl+C stops it.`,
);
const shutdown = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
