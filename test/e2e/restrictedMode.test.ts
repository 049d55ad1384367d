/**
 * Restricted Mode in a real VS Code: with Workspace Trust on and the folder not trusted, the GPUs
 * view explains why it is empty and nvidia-smi never runs, even when Refresh GPUs is invoked.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, runCommand, saveScreenshot } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

describe('GPU Workbench in Restricted Mode', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-workbench-restricted-'));
  const marker = join(scratch, 'nvidia-smi-ran');
  const spy = join(scratch, 'nvidia-smi');

  before(async () => {
    // An nvidia-smi that leaves a mark when it runs, then answers like the fake one.
    writeFileSync(
      spy,
      `#!/bin/sh\ntouch '${marker}'\nexec '${join(repo, 'test', 'fixtures', 'fake-bin', 'nvidia-smi')}' "$@"\n`,
    );
    chmodSync(spy, 0o755);
    vscode = await startCodeServer({
      vsix: join(repo, `gpu-workbench-${version}.vsix`),
      workspace: join(repo, 'examples'),
      userSettings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
      machineSettings: { 'gpuWorkbench.nvidiaSmiPath': spy },
    });
  });

  after(async () => {
    await vscode?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('the GPUs view says inventory is off and nvidia-smi never runs', async () => {
    const page = vscode.page;
    try {
      await page.locator('.activitybar .action-label[aria-label^="GPU Workbench"]').first().click();
      await page
        .getByText('GPU inventory runs nvidia-smi, so it is off in Restricted Mode.')
        .waitFor({ timeout: 30_000 });
      await runCommand(page, 'GPU Workbench: Refresh GPUs');
      // Give a refresh that should not happen ample time to spawn.
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(existsSync(marker), false, 'nvidia-smi ran in Restricted Mode');
      await saveScreenshot(page, 'restricted-mode');
    } catch (error) {
      await saveScreenshot(page, 'restricted-mode-failure').catch(() => undefined);
      throw error;
    }
  });

  test('static linting still works in Restricted Mode', async () => {
    const page = vscode.page;
    await openFile(page, 'serve-qwen2.5-7b.sh', 'vllm serve');
    await page.keyboard.press('Control+Shift+M');
    // Qwen2.5-7B has 28 attention heads: tensor parallel 8 does not divide them.
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: '28 attention heads' })
      .first()
      .waitFor({ timeout: 60_000 });
  });

  test('the same nvidia-smi does run once the folder is trusted (so the check above can fail)', async () => {
    const page = vscode.page;
    await runCommand(page, 'Workspaces: Manage Workspace Trust');
    const trust = page
      .locator('.workspace-trust-editor .trust-button, .workspace-trust-editor a.monaco-button', { hasText: /Trust/ })
      .first();
    await trust.waitFor({ timeout: 30_000 });
    await trust.click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: '0: NVIDIA H100 80GB HBM3' });
    await row.waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      await saveScreenshot(page, 'trust-granted-failure');
      throw error;
    });
    assert.equal(existsSync(marker), true);
  });
});
