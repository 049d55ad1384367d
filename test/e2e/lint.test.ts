/**
 * The linter in a real VS Code: opening an over-provisioned example shows the diagnostic in the
 * Problems panel, and the quick fix from the lightbulb removes it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, saveScreenshot } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

describe('GPU config linting in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;
  // A copy of the examples, since the quick fix edits the file.
  const workspace = mkdtempSync(join(tmpdir(), 'gpu-workbench-lint-e2e-'));

  before(async () => {
    cpSync(join(repo, 'examples'), workspace, { recursive: true });
    vscode = await startCodeServer({ vsix: join(repo, `gpu-workbench-${version}.vsix`), workspace });
  });

  after(async () => {
    await vscode?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('an over-provisioned Deployment shows a warning with its cost, and the quick fix removes it', async () => {
    const page = vscode.page;
    try {
      await openFile(page, 'vllm-llama-8b-tp2.yaml', 'tensor-parallel-size');
      // Hover on the model name: the memory breakdown (vLLM's figures for this model on an H100 at
      // TP=2: 7.5 GiB of weights per GPU).
      // The token itself (a line's outer span holds every token: its middle may be elsewhere).
      const token = page
        .locator('.monaco-editor .view-line span span', { hasText: 'meta-llama/Llama-3.1-8B-Instruct' })
        .first();
      const hover = page.locator('.monaco-hover', { hasText: 'per GPU' });
      // On a loaded machine a hover can be dismissed before it fills: move away and hover again, as a
      // person would, up to three times.
      for (let attempt = 1; ; attempt++) {
        await token.hover();
        try {
          await hover.waitFor({ timeout: 15_000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
          await page.mouse.move(5, 5);
        }
      }
      assert.match(await hover.innerText(), /weights\s+7\.48 GiB/);
      await page.mouse.move(5, 5);
      await page.keyboard.press('Control+Shift+M');
      // Llama-3.1-8B fits one H100 with 26.3 requests of 16000 tokens (vLLM: 51.38 GiB of KV cache).
      const problem = page.locator('.markers-panel .monaco-list-row', {
        hasText: 'fits on 1 NVIDIA H100 80GB SXM (HBM3) GPU instead of 2',
      });
      await problem.first().waitFor({ timeout: 60_000 });
      assert.match(await problem.first().innerText(), /gpu-over-provisioned/);
      // Double-click the problem: the editor takes the focus at the flagged value; then Ctrl+. as a person would.
      await problem.first().dblclick();
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+.');
      const fix = page
        .locator('.action-widget .monaco-list-row, .context-view .action-item', {
          hasText: 'Use --tensor-parallel-size 1',
        })
        .first();
      await fix.waitFor({ timeout: 15_000 });
      await fix.click();
      await problem.first().waitFor({ state: 'detached', timeout: 30_000 });
      const text = await page.locator('.monaco-editor .view-lines').first().innerText();
      assert.match(text.replace(/\u00a0/g, ' '), /"--tensor-parallel-size", "1"/);
      await saveScreenshot(page, 'lint-fixed');
    } catch (error) {
      await saveScreenshot(page, 'lint-failure').catch(() => undefined);
      throw error;
    }
  });
});
