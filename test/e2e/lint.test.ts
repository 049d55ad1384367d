/**
 * The linter in a real VS Code: opening an over-provisioned example shows the diagnostic in the
 * Problems panel, the hover leads with its verdict, and the quick fix from the lightbulb removes it;
 * a compose file's "Set the default GPU…" quick fix writes the setting and the file is linted again.
 * The README's pictures of the hover and the quick fix are taken here
 * (`UPDATE_README_SCREENSHOTS=1` copies them to docs/images).
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, pickQuickItem, saveScreenshot, webviewFrame } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

/** A picture for the README: kept in test/e2e/screenshots, copied to docs/images when asked. */
function readmePicture(shot: string, name: string): void {
  if (process.env.UPDATE_README_SCREENSHOTS === '1') copyFileSync(shot, join(repo, 'docs', 'images', `${name}.png`));
}

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
      // MarkdownString.appendText writes spaces as &nbsp;: read them back as spaces.
      const shown = (await hover.innerText()).replace(/\u00a0/g, ' ');
      // The verdict first: 2 replicas x (TP 2 - TP 1) = 2 idle H100s at $4.00/h each.
      assert.match(shown, /^Wastes 2 GPUs \(\$8\.00\/h at NVIDIA H100 80GB SXM \(HBM3\) list price\)/);
      assert.match(shown, /weights\s+7\.48 GiB/);
      assert.match(shown, /non-torch memory\s+0\.\d\d GiB/);
      readmePicture(await saveScreenshot(page, 'lint-hover'), 'lint-hover');
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
      // The picture: the warning in the Problems panel and the lightbulb's fixes over the editor.
      readmePicture(await saveScreenshot(page, 'lint-quick-fix'), 'lint-quick-fix');
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

  test('a compose file names no GPU: "Set the default GPU…" picks one, and the file is linted again', async () => {
    const page = vscode.page;
    try {
      await openFile(page, 'docker-compose.yml', 'count: all');
      // The Problems panel, opened if the test before left it closed (the shortcut toggles it).
      if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
      const notChecked = page.locator('.markers-panel .monaco-list-row', {
        hasText: 'a compose file cannot name the GPU model',
      });
      await notChecked.first().waitFor({ timeout: 60_000 });
      await notChecked.first().dblclick();
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+.');
      const setGpu = page
        .locator('.action-widget .monaco-list-row, .context-view .action-item', { hasText: 'Set the default GPU…' })
        .first();
      await setGpu.waitFor({ timeout: 15_000 });
      await setGpu.click();
      // The pick: no GPU on this machine, so the catalog; the H100 as the user would type it.
      await pickQuickItem(page, 'h100-sxm');
      // The setting's change re-lints the file: the memory check ran, and its info is gone.
      await notChecked.first().waitFor({ state: 'detached', timeout: 30_000 });
      const allGpus = page.locator('.markers-panel .monaco-list-row', { hasText: "reserves all of the host's GPUs" });
      await allGpus.first().waitFor({ timeout: 30_000 });
    } catch (error) {
      await saveScreenshot(page, 'lint-default-gpu-failure').catch(() => undefined);
      throw error;
    }
  });

  test("a rule's link in the Problems panel opens its page in the Markdown preview, not as an editable file", async () => {
    const page = vscode.page;
    try {
      await openFile(page, 'serve-qwen2.5-7b.sh', 'tensor-parallel-size');
      if (!(await page.locator('.markers-panel').isVisible())) await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'has 28 attention heads' }).first();
      await row.waitFor({ timeout: 60_000 });
      // The rule id beside the message is the diagnostic's code link.
      await row.locator('.code-link a, a.monaco-link', { hasText: 'tp-divides-attention-heads' }).first().click();
      const preview = page.locator('.tabs-container .tab', { hasText: 'Preview tp-divides-attention-heads.md' });
      await preview.first().waitFor({ timeout: 30_000 });
      // The page rendered: its heading, as Markdown (not the "# …" source).
      await webviewFrame(page)
        .locator('h1', { hasText: 'tp-divides-attention-heads' })
        .first()
        .waitFor({ timeout: 30_000 });
      // The page's text editor, if it opened at all, was closed: no tab without "Preview".
      await page.waitForTimeout(1_000);
      const labels = await page.locator('.tabs-container .tab .label-name').allInnerTexts();
      assert.ok(!labels.some((l) => l.trim() === 'tp-divides-attention-heads.md'), `tabs: ${labels.join(', ')}`);
      await saveScreenshot(page, 'lint-rule-docs');
    } catch (error) {
      await saveScreenshot(page, 'lint-rule-docs-failure').catch(() => undefined);
      throw error;
    }
  });
});
