/**
 * The Model services view in a real VS Code: a stand-in engine (its command line reads
 * `vllm serve <model> --port <port>`, its /metrics vLLM's exposition format from
 * test/fixtures/services/vllm-metrics.txt) runs on GPU 0 as nvidia-smi reports it; the view shows
 * its KV-cache use and the GPU it holds, and the GPUs view names it beside that GPU. Then Run… on
 * a script line starts a second one as a task, and Stop… stops it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, killGroup, waitForPort } from '../harness/processes.ts';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, pickQuickItem, saveScreenshot, withFailureReport } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
const vsix = join(repo, `gpu-workbench-${version}.vsix`);
const page = join(repo, 'test', 'fixtures', 'services', 'vllm-metrics.txt');
const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

// Serves the page on 127.0.0.1:<last argument>.
const STAND_IN = `const text = require('node:fs').readFileSync(process.argv[2], 'utf8');
require('node:http').createServer((req, res) => {
  if (req.url !== '/metrics') return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(text);
}).listen(Number(process.argv.at(-1)), '127.0.0.1');
`;

describe('the Model services view in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;
  let engine: ChildProcess;
  let port: number;
  let runPort: number;
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-workbench-e2e-services-'));
  const workspace = join(scratch, 'workspace');
  const standIn = join(scratch, 'stand-in-engine.js');

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run "npm run package" first`);
    writeFileSync(standIn, STAND_IN);
    port = await freePort();
    runPort = await freePort();
    let logs = '';
    engine = spawn(process.execPath, [standIn, page, 'vllm', 'serve', MODEL, '--port', String(port)], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    engine.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
    await waitForPort(port, engine, 20_000, () => logs);
    // nvidia-smi's own formats (the fixture set's GPUs); the compute apps are every stand-in engine
    // running now, each on GPU 0 with 7366 MiB, as nvidia-smi lists a server's process.
    const set = join(scratch, 'set');
    const fixtures = join(repo, 'test', 'fixtures', 'nvidia-smi', 'sets', 'h100-busy-a10g-na');
    mkdirSync(set);
    for (const file of ['list.txt', 'query-gpu.csv'])
      writeFileSync(join(set, file), readFileSync(join(fixtures, file)));
    const nvidiaSmi = join(scratch, 'nvidia-smi');
    writeFileSync(
      nvidiaSmi,
      [
        '#!/bin/sh',
        'case "$*" in',
        `  *--query-compute-apps=*) for pid in $(pgrep -f '${standIn}'); do echo "GPU-9731e5be-8732-18b0-f37f-9f31980b2c46, $pid, node, 7366"; done ;;`,
        `  *) FAKE_NVIDIA_SMI_SET='${set}' exec '${join(repo, 'test', 'fixtures', 'fake-bin', 'nvidia-smi')}' "$@" ;;`,
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(nvidiaSmi, 0o755);
    mkdirSync(workspace);
    // A script line Run… can start: the stand-in again, on another port.
    writeFileSync(
      join(workspace, 'serve.sh'),
      `#!/bin/sh\n${process.execPath} ${standIn} ${page} vllm serve ${MODEL} --port ${runPort}\n`,
    );
    vscode = await startCodeServer({
      vsix,
      workspace,
      userSettings: { 'gpuWorkbench.refreshIntervalSeconds': 2 },
      machineSettings: { 'gpuWorkbench.nvidiaSmiPath': nvidiaSmi },
    });
  });

  after(async () => {
    await vscode?.stop();
    await killGroup(engine);
    // A server Run… started is the task's; if the test failed before Stop…, end it here by its PID.
    for (const line of readPgrep(standIn)) {
      try {
        process.kill(line, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  const onFailure = <T>(name: string, body: () => Promise<T>) => withFailureReport(vscode, name, body);

  test('a running engine shows its KV-cache use and its GPU, and the GPUs view names it', () =>
    onFailure('services-view', async () => {
      const p = vscode.page;
      await p.locator('.activitybar .action-label[aria-label^="GPU Workbench"]').first().click();
      const services = p.locator('.pane', { has: p.locator('.pane-header', { hasText: 'Model services' }) });
      const rows = services.locator('.monaco-list-row');
      const server = rows.filter({ hasText: MODEL }).filter({ hasText: `:${port}` });
      await server.first().waitFor({ timeout: 60_000 });
      assert.match(await server.first().innerText(), new RegExp(`vLLM · pid ${engine.pid} · :${port}`));
      // vllm-metrics.txt: vllm:gpu_cache_usage_perc 0.25 -> 25.0 %; 3 running, 1 waiting.
      await rows.filter({ hasText: 'KV cache' }).filter({ hasText: '25.0 %' }).first().waitFor({ timeout: 30_000 });
      assert.match(await rows.filter({ hasText: 'requests' }).first().innerText(), /3 running, 1 waiting/);
      // The GPU it holds (nvidia-smi's GPU 0, its UUID shortened) and, in the GPUs view, the server on that GPU.
      const gpuRow = rows.filter({ hasText: 'GPU 0 NVIDIA H100 80GB HBM3 · GPU-9731e5b' });
      await gpuRow.first().waitFor({ timeout: 30_000 });
      const gpus = p.locator('.pane', { has: p.locator('.pane-header', { hasText: /^GPUs/ }) });
      await gpus
        .locator('.monaco-list-row', { hasText: '0: NVIDIA H100 80GB HBM3' })
        .filter({ hasText: `vLLM ${MODEL}` })
        .first()
        .waitFor({ timeout: 30_000 });
      await saveScreenshot(p, 'services-view');
    }));

  test('Run… on a script line starts the server as a task; Stop… stops it', () =>
    onFailure('services-run', async () => {
      const p = vscode.page;
      await openFile(p, 'serve.sh', 'vllm serve');
      const lens = p.locator('.codelens-decoration a', { hasText: 'Run…' }).first();
      await lens.waitFor({ timeout: 60_000 });
      await lens.click();
      // The pick says where and what is free: the fixture's A10G (GPU 1) is idle, the H100 runs the engine.
      await p.locator('.quick-input-list .monaco-list-row', { hasText: '1 of 2 GPUs free (1)' }).first().waitFor({
        timeout: 60_000,
      });
      await pickQuickItem(p, 'This machine');
      const services = p.locator('.pane', { has: p.locator('.pane-header', { hasText: 'Model services' }) });
      const started = services.locator('.monaco-list-row', { hasText: `:${runPort}` });
      await started.first().waitFor({ timeout: 60_000 });
      const pid = Number(/pid (\d+)/.exec(await started.first().innerText())?.[1]);
      assert.ok(pid > 1);
      // A row's context menu item; under load the click can land before the menu takes it (the menu
      // then stays open over the view): it is closed and the item chosen again.
      const fromMenu = async (label: string) => {
        for (let attempt = 1; ; attempt++) {
          await started.first().click({ button: 'right' });
          const item = p.locator('.context-view .action-label', { hasText: label }).first();
          await item.waitFor({ timeout: 15_000 });
          await p.waitForTimeout(300);
          await item.click();
          const closed = await p
            .locator('.context-view .monaco-menu')
            .waitFor({ state: 'detached', timeout: 5000 })
            .then(() => true)
            .catch(() => false);
          if (closed) return;
          await p.keyboard.press('Escape');
          if (attempt === 3) throw new Error(`the context menu did not take "${label}"`);
        }
      };
      // Logs: the task's own terminal comes forward (not the "not started with Run…" note).
      await fromMenu('Show Model Server Logs');
      await p.waitForTimeout(2000);
      assert.equal(await p.locator('.notifications-toasts', { hasText: 'was not started with Run' }).count(), 0);
      await p.locator('.part.panel', { hasText: `(local)` }).first().waitFor({ timeout: 15_000 });
      // Stop… on the row (its context menu), then the modal's button.
      await fromMenu('Stop Model Server…');
      await p.locator('.monaco-dialog-box .monaco-button', { hasText: 'Stop Server' }).first().click();
      await started.first().waitFor({ state: 'detached', timeout: 60_000 });
      assert.equal(readPgrep(standIn).includes(pid), false);
    }));
});

function readPgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
