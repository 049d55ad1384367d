/**
 * Right-sizing in a real VS Code (code-server in a real browser) against a real Prometheus holding
 * a week of vLLM and DCGM history (the integration harness: promtool backfill, 127.0.0.1): opening
 * examples/kubernetes/vllm-llama-8b-idle.yaml shows the gpu-right-size diagnostic in the Problems
 * panel, and its quick fix rewrites the manifest to one GPU at tensor parallel 1. "Calibrate from
 * Prometheus" then fits the busy Deployment of test/fixtures/rightsize/serving.yaml (64 running,
 * 3,000 generated tokens/s all week) into the workspace's .gpu-workbench/calibration.json.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openMetrics, startPrometheusWithHistory, type PrometheusHistory } from '../harness/prometheusHistory.ts';
import { servingHistory } from '../harness/rightsizeHistory.ts';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { openFile, runCommand, saveScreenshot } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;

describe('Right-sizing from Prometheus in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer | undefined;
  let prom: PrometheusHistory | undefined;
  // A copy of the examples, since the quick fix edits the file.
  const workspace = mkdtempSync(join(tmpdir(), 'gpu-workbench-rightsize-e2e-'));

  before(async () => {
    cpSync(join(repo, 'examples'), workspace, { recursive: true });
    cpSync(join(repo, 'test', 'fixtures', 'rightsize', 'serving.yaml'), join(workspace, 'serving.yaml'));
    prom = await startPrometheusWithHistory(openMetrics(servingHistory(Math.floor(Date.now() / 1000))));
    vscode = await startCodeServer({
      vsix: join(repo, `gpu-workbench-${version}.vsix`),
      workspace,
      // gpuWorkbench.prometheus.url is a machine setting: code-server reads it from Machine/settings.json.
      machineSettings: { 'gpuWorkbench.prometheus.url': prom.url },
    });
  });

  after(async () => {
    await vscode?.stop();
    await prom?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('the idle Deployment gets "can run on fewer GPUs", and the quick fix makes it TP 1 on one GPU', async () => {
    const page = vscode!.page;
    try {
      await openFile(page, 'vllm-llama-8b-idle.yaml', 'tensor-parallel-size');
      await page.keyboard.press('Control+Shift+M');
      // TP 4 -> 1 on H100s: three GPUs fewer (the week's KV-cache peak is 5 %).
      const problem = page.locator('.markers-panel .monaco-list-row', {
        hasText: 'serving/llama-idle can run on fewer GPUs',
      });
      await problem.first().waitFor({ timeout: 90_000 });
      const row = await problem.first().innerText();
      assert.match(row, /gpu-right-size/);
      assert.match(row, /peaked at 5 %/);
      await problem.first().dblclick();
      await page.waitForTimeout(500);
      await page.keyboard.press('Control+.');
      const fix = page
        .locator('.action-widget .monaco-list-row, .context-view .action-item', {
          hasText: 'Use --tensor-parallel-size 1 and 1 GPU per pod',
        })
        .first();
      await fix.waitFor({ timeout: 15_000 });
      await fix.click();
      const lines = page.locator('.monaco-editor .view-lines').first();
      await lines.locator('.view-line', { hasText: 'nvidia.com/gpu: 1' }).waitFor({ timeout: 15_000 });
      const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
      assert.match(text, /- --tensor-parallel-size\s*\n\s*- "1"/);
      assert.match(text, /nvidia\.com\/gpu: 1\b/);
      assert.doesNotMatch(text, /nvidia\.com\/gpu: 4/);
      // Judged again on the edit (from the observations already fetched): nothing fewer at TP 1.
      await problem.first().waitFor({ state: 'detached', timeout: 30_000 });
      await saveScreenshot(page, 'rightsize-fixed');
    } catch (error) {
      await saveScreenshot(page, 'rightsize-failure').catch(() => undefined);
      throw error;
    }
  });

  test('"Calibrate from Prometheus" writes the busy Deployment\'s entry into the workspace', async () => {
    const page = vscode!.page;
    try {
      await openFile(page, 'serving.yaml', 'Four serving workloads');
      await runCommand(page, 'GPU Workbench: Calibrate from Prometheus');
      const toast = page.locator('.notification-list-item-message', {
        hasText: 'into .gpu-workbench/calibration.json',
      });
      await toast.first().waitFor({ timeout: 90_000 });
      assert.match(await toast.first().innerText(), /Calibrated Deployment serving\/llama-busy into/);
      const file = JSON.parse(readFileSync(join(workspace, '.gpu-workbench', 'calibration.json'), 'utf8')) as {
        entries: {
          model: string;
          tp: number;
          source: { file: string; setting: { concurrency: number }; measured: { outputTokensPerSecond: number } };
        }[];
      };
      const busy = file.entries.find((e) => e.source.file.endsWith('serving/llama-busy'))!;
      assert.equal(busy.source.file, `prometheus ${prom!.url} window 7d serving/llama-busy`);
      assert.equal(busy.tp, 2);
      // One pod: 64 running and 3,000 generated tokens/s in every step of the week (rightsizeHistory.ts).
      assert.equal(busy.source.setting.concurrency, 64);
      assert.ok(
        Math.abs(busy.source.measured.outputTokensPerSecond - 3000) < 1,
        String(busy.source.measured.outputTokensPerSecond),
      );
      await saveScreenshot(page, 'rightsize-calibrated');
    } catch (error) {
      await saveScreenshot(page, 'rightsize-calibrate-failure').catch(() => undefined);
      throw error;
    }
  });
});
