/**
 * The packaged VSIX in a real VS Code (code-server) in a real Chromium, used as a person would.
 * Nothing here needs a GPU: a fake nvidia-smi on the extension host's PATH prints a captured answer.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { runCommand, saveScreenshot, webviewFrame } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
const vsix = join(repo, `gpu-workbench-${version}.vsix`);

describe('GPU Workbench in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run "npm run package" first`);
    vscode = await startCodeServer({
      vsix,
      workspace: join(repo, 'examples'),
      machineSettings: { 'gpuWorkbench.nvidiaSmiPath': join(repo, 'test', 'fixtures', 'fake-bin', 'nvidia-smi') },
    });
  });

  after(async () => {
    await vscode?.stop();
  });

  async function onFailure<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const shot = await saveScreenshot(vscode.page, `${name}-failure`).catch(() => 'no screenshot');
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nscreenshot: ${shot}\ncode-server log tail:\n${vscode.logs().slice(-2000)}`);
    }
  }

  test('Open Allocation Workbench from the command palette loads the bundled GLPK and solves the self-test', () =>
    onFailure('workbench', async () => {
      await runCommand(vscode.page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(vscode.page);
      await frame.getByRole('heading', { name: 'Allocation Workbench' }).waitFor({ timeout: 60_000 });
      // glpk.js 5.0.0 embeds GLPK 5.0: the version comes from the wasm running in the worker.
      const status = frame.locator('#solver-status');
      await status.getByText(/GLPK 5\.0 \(WebAssembly from the extension bundle\)/).waitFor({ timeout: 60_000 });
      await frame.locator('vscode-button', { hasText: 'Run solver self-test' }).click();
      // By hand: maximize 3x + 2y, x + y <= 4, x + 3y <= 6, x <= 3 -> vertex (3, 1), value 11.
      const result = frame.locator('#self-test-result');
      await result.waitFor({ timeout: 30_000 });
      assert.match(await result.innerText(), /^optimal: x = 3, y = 1, value 11 \(/);
      await saveScreenshot(vscode.page, 'workbench');
    }));

  test('the GPUs view lists the GPUs nvidia-smi reports, with memory and utilization', () =>
    onFailure('gpus-view', async () => {
      const page = vscode.page;
      await page.locator('.activitybar a[aria-label^="GPU Workbench"], .activitybar .action-label[aria-label^="GPU Workbench"]').first().click();
      const tree = page.locator('.pane-body .monaco-list');
      // two-gpus-na.csv: GPU 0 uses 10767 of 81559 MiB = 10.5 of 79.6 GiB at 0 %;
      // GPU 1 reports [N/A] utilization, which must show as unknown, not 0 %.
      const h100 = tree.locator('.monaco-list-row', { hasText: '0: NVIDIA H100 80GB HBM3' });
      await h100.waitFor({ timeout: 30_000 });
      assert.match(await h100.innerText(), /10\.5 \/ 79\.6 GiB · 0%/);
      const a10g = tree.locator('.monaco-list-row', { hasText: '1: NVIDIA A10G' });
      assert.match(await a10g.innerText(), /0\.0 \/ 22\.5 GiB · util \?/);
      const shot = await saveScreenshot(page, 'gpus-view');
      // The README's picture is this screen: `UPDATE_README_SCREENSHOTS=1 npm run test:e2e` renews it.
      if (process.env.UPDATE_README_SCREENSHOTS === '1') copyFileSync(shot, join(repo, 'docs', 'images', 'workbench.png'));
    }));
});
