/**
 * A trusted folder that tries to steer the extension: its .vscode/settings.json names executables,
 * hosts and URLs (machine settings, which VS Code and GPU Workbench read from the user only), and a
 * model path written as HTML. Nothing runs, nothing is contacted, and the name renders as text.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, pickQuickItem, runCommand, saveScreenshot, webviewFrame } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
/** A relative path with no whitespace (so "from the editor" picks it up) that is also HTML. */
const HOSTILE_MODEL = 'a"><svg/onload=alert(1)>';

describe('a hostile workspace in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;
  let listener: Server;
  const requests: string[] = [];
  const workspace = mkdtempSync(join(tmpdir(), 'gpu-workbench-hostile-'));
  const marker = join(workspace, 'evil-ran');

  before(async () => {
    listener = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('{}');
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const port = (listener.address() as { port: number }).port;
    const evil = join(workspace, 'evil.sh');
    writeFileSync(evil, `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(evil, 0o755);
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({
        'gpuWorkbench.nvidiaSmiPath': evil,
        'gpuWorkbench.rocmSmiPath': evil,
        'gpuWorkbench.kubectlPath': evil,
        'gpuWorkbench.kubernetes.enabled': true,
        'gpuWorkbench.ssh.path': evil,
        'gpuWorkbench.sshHosts': ['-oProxyCommand=/bin/sh -c evil', 'gpu-box'],
        'gpuWorkbench.prometheus.url': `http://127.0.0.1:${port}`,
        'gpuWorkbench.huggingFace.endpoint': `http://127.0.0.1:${port}`,
      }),
    );
    // A model config under a path that is also markup.
    mkdirSync(join(workspace, 'a"><svg', 'onload=alert(1)>'), { recursive: true });
    writeFileSync(
      join(workspace, 'a"><svg', 'onload=alert(1)>', 'config.json'),
      readFileSync(join(repo, 'test', 'fixtures', 'models', 'qwen3-0.6b-config.json'), 'utf8'),
    );
    writeFileSync(join(workspace, 'model.txt'), HOSTILE_MODEL);
    // Files that hung or exhausted the linter before (issue 11): a YAML "soup" of 400,000 tiny
    // nodes (4 s and 0.6 GB in the parser), and a suppression comment followed by 8 KB of spaces (the
    // old pattern took 85 s on that one line), beside a real over-provisioned Pod.
    writeFileSync(join(workspace, 'soup.yaml'), '- a\n'.repeat(400_000));
    writeFileSync(
      join(workspace, 'spaces.yaml'),
      `apiVersion: v1
kind: Pod
metadata:
  name: spaced
spec:
  containers:
    - name: c
      image: vllm/vllm-openai:v0.10.0
      args: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--tensor-parallel-size", "3"]
      resources:
        limits:
          nvidia.com/gpu: 2
# gpu-workbench-disable${' '.repeat(8192)}x#
`,
    );
    vscode = await startCodeServer({ vsix: join(repo, `gpu-workbench-${version}.vsix`), workspace });
  });

  after(async () => {
    await vscode?.stop();
    await new Promise<void>((r) => listener?.close(() => r()));
    rmSync(workspace, { recursive: true, force: true });
  });

  test('workspace settings naming executables, hosts and URLs are ignored: nothing runs, nothing is contacted', async () => {
    const page = vscode.page;
    await page.locator('.activitybar .action-label[aria-label^="GPU Workbench"]').first().click();
    await runCommand(page, 'GPU Workbench: Refresh GPUs');
    // This machine has no GPU and the user's settings name no host: the welcome text, not an error.
    await page.getByText('No GPUs found on this machine.').waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(existsSync(marker), false, 'a workspace-named executable ran');
    assert.deepEqual(requests, [], 'a workspace-named URL was contacted');
  });

  test('hostile files opened in the editor get a diagnostic promptly, and the editor stays responsive', async () => {
    const page = vscode.page;
    try {
      const started = Date.now();
      await openFile(page, 'soup.yaml', '- a');
      await page.keyboard.press('Control+Shift+M');
      const refused = page.locator('.markers-panel .monaco-list-row', { hasText: 'Not read: this file has more than' });
      await refused.first().waitFor({ timeout: 30_000 });
      await openFile(page, 'spaces.yaml', 'spaced');
      // The Pod's own finding (TP 3 on 2 GPUs) still comes; the long comment line costs nothing.
      const finding = page.locator('.markers-panel .monaco-list-row', { hasText: 'spaces.yaml' });
      await finding.first().waitFor({ timeout: 30_000 });
      // The extension host still answers a command at once: its log opens, with its lines.
      await runCommand(page, 'GPU Workbench: Show Log', 15_000);
      await page.locator('.monaco-editor .view-lines', { hasText: '[info]' }).first().waitFor({ timeout: 15_000 });
      assert.ok(Date.now() - started < 90_000, `${Date.now() - started} ms`);
    } catch (error) {
      await saveScreenshot(page, 'hostile-files-failure').catch(() => undefined);
      throw error;
    }
  });

  test('a model path written as HTML is shown as text in the workbench', async () => {
    const page = vscode.page;
    try {
      await openFile(page, 'model.txt', 'onload');
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+A');
      await runCommand(page, 'GPU Workbench: Estimate Model Memory');
      await pickQuickItem(page, HOSTILE_MODEL);
      await pickQuickItem(page, 'h100-sxm');
      const frame = webviewFrame(page);
      const title = frame.locator('#estimate .explain');
      await title.waitFor({ timeout: 30_000 });
      assert.ok((await title.innerText()).startsWith(`${HOSTILE_MODEL} on NVIDIA H100`));
      // The only SVG is the memory bar; no element carries an event-handler attribute.
      assert.equal(await frame.locator('svg:not(.memory-bar)').count(), 0);
      assert.equal(await frame.locator('[onload], [onerror]').count(), 0);
      assert.deepEqual(requests, []);
    } catch (error) {
      await saveScreenshot(page, 'hostile-failure').catch(() => undefined);
      throw error;
    }
  });
});
