/**
 * The packaged VSIX in a real VS Code (code-server) in a real Chromium, used as a person would.
 * Nothing here needs a GPU: a fake nvidia-smi on the extension host's PATH prints a captured answer.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { startSshLab, type SshLab } from '../harness/sshd.ts';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { pickQuickItem, runCommand, saveScreenshot, webviewFrame } from './harness/workbench.ts';

const repo = resolve(import.meta.dirname, '..', '..');

/** The plan's problem editor as the user sees it. */
const problemText = async (frame: FrameLocator) =>
  String(await frame.locator('#plan-problem').evaluate((e) => (e as unknown as { value: string }).value));

/** Waits (up to 10 s) for the problem editor to show `part`, as a person would, and returns its text. */
async function problemContaining(frame: FrameLocator, part: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = await problemText(frame);
    if (text.includes(part)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the problem editor never showed ${part}`);
}
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version as string;
const vsix = join(repo, `gpu-workbench-${version}.vsix`);

describe('GPU Workbench in a real VS Code', { timeout: 300_000 }, () => {
  let vscode: RunningCodeServer;
  let ssh: SshLab;
  // nvidia-smi here answers from the fixture set named in a file the test can change, to see
  // the view refresh by itself.
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-workbench-e2e-smi-'));
  const currentSet = join(scratch, 'set');
  const nvidiaSmi = join(scratch, 'nvidia-smi');
  const sets = join(repo, 'test', 'fixtures', 'nvidia-smi', 'sets');

  before(async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run "npm run package" first`);
    writeFileSync(currentSet, join(sets, 'h100-busy-a10g-na'));
    writeFileSync(
      nvidiaSmi,
      `#!/bin/sh\nFAKE_NVIDIA_SMI_SET="$(cat '${currentSet}')" exec '${join(repo, 'test', 'fixtures', 'fake-bin', 'nvidia-smi')}' "$@"\n`,
    );
    chmodSync(nvidiaSmi, 0o755);
    ssh = await startSshLab();
    vscode = await startCodeServer({
      vsix,
      workspace: join(repo, 'examples'),
      userSettings: { 'gpuWorkbench.refreshIntervalSeconds': 2 },
      machineSettings: {
        'gpuWorkbench.nvidiaSmiPath': nvidiaSmi,
        'gpuWorkbench.sshHosts': [ssh.aliveHosts[0], ssh.deadHost],
        'gpuWorkbench.ssh.configFile': ssh.configFile,
      },
    });
  });

  after(async () => {
    await vscode?.stop();
    await ssh?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function onFailure<T>(name: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const shot = await saveScreenshot(vscode.page, `${name}-failure`).catch(() => 'no screenshot');
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\nscreenshot: ${shot}\ncode-server log tail:\n${vscode.logs().slice(-2000)}`,
      );
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

  test('the GPUs view shows this machine and the SSH hosts, and the status bar sums them up', () =>
    onFailure('gpus-view', async () => {
      const page = vscode.page;
      await page.locator('.activitybar .action-label[aria-label^="GPU Workbench"]').first().click();
      const rows = page.locator('.pane-body .monaco-list-row');
      const row = (text: string | RegExp) => rows.filter({ hasText: text });
      // The default fixture set: a busy H100 (7375 of 81559 MiB = 7.2 of 79.6 GiB, 100 %) and an
      // A10G whose utilization nvidia-smi reports as [N/A], shown as unknown, not 0 %.
      await row('This machine').waitFor({ timeout: 30_000 });
      await row('alive-1').waitFor({ timeout: 30_000 });
      assert.match(
        await rows.filter({ hasText: '0: NVIDIA H100 80GB HBM3' }).first().innerText(),
        /7\.2 \/ 79\.6 GiB · 100%/,
      );
      assert.match(await rows.filter({ hasText: '1: NVIDIA A10G' }).first().innerText(), /0\.0 \/ 22\.5 GiB · util \?/);
      assert.match(await row('alive-1').innerText(), /2 GPUs · 1 busy/);
      // A dead host stays in the list and says why.
      assert.match(await row('dead-box').innerText(), /unreachable: .*Connection refused/);
      // 4 GPUs, 2 busy (the H100s run a process); free: (73705 + 22515) MiB x 2 hosts = 192440 MiB = 187.9 GiB.
      const status = page.locator('.statusbar-item', { hasText: 'GPU 2/4 busy, 187 GiB free' });
      await status.waitFor({ timeout: 10_000 });
      // The GPU's process is one level down: python3, pid 407, 7366 MiB.
      await rows.filter({ hasText: '0: NVIDIA H100 80GB HBM3' }).first().click();
      await row('407 python3').first().waitFor({ timeout: 10_000 });
      assert.match(await row('407 python3').first().innerText(), /7366 MiB/);
      // A wider side bar, as a person would drag it, so the picture shows whole descriptions.
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        const x = sidebar.x + sidebar.width + 2;
        const y = sidebar.y + sidebar.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + 280, y, { steps: 8 });
        await page.mouse.up();
      }
      await saveScreenshot(page, 'gpus-view');
    }));

  test('while the view is visible it refreshes by itself (every 2 s here)', () =>
    onFailure('gpus-refresh', async () => {
      const page = vscode.page;
      writeFileSync(currentSet, join(sets, 'mig-a100'));
      // No click on Refresh: the A100s of the MIG fixture replace the H100 within a few periods.
      const a100 = page.locator('.pane-body .monaco-list-row', { hasText: '0: NVIDIA A100-SXM4-40GB' });
      await a100.first().waitFor({ timeout: 20_000 });
      writeFileSync(currentSet, join(sets, 'h100-busy-a10g-na'));
    }));

  test('Estimate Model Memory: Qwen3-32B on an H100 at its full 40960-token context does not fit, and says what would', () =>
    onFailure('estimate', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Estimate Model Memory');
      await pickQuickItem(page, 'Qwen/Qwen3-32B');
      await pickQuickItem(page, 'h100-sxm');
      const frame = webviewFrame(page);
      const verdict = frame.locator('#estimate-verdict');
      await verdict.waitFor({ timeout: 30_000 });
      // vLLM's published figures for this model on an H100: 61.03 GiB of weights and a few GiB of
      // KV cache, far from the 10 GiB one 40,960-token request needs: 64 layers x 8 KV heads x 128
      // x 2 (K and V) x 2 bytes = 0.25 MiB per token, so 40960 tokens = 10.00 GiB.
      assert.match(await verdict.innerText(), /^Does not fit\. One request of max_model_len 40960 needs 10\.00 GiB/);
      const estimate = frame.locator('#estimate');
      const shown = await estimate.innerText();
      assert.match(shown, /Weights\s+61\.02 GiB/);
      // The advice is the KV cache shown, in tokens: GiB x 4096 tokens per GiB (within the rounding
      // of a figure shown to 0.01 GiB and vLLM's 16-token blocks).
      const kvGiB = Number(/KV cache\s+(\d+\.\d\d) GiB/.exec(shown)?.[1]);
      const tokens = Number(/Set max_model_len to (\d+) or less/.exec(shown)?.[1]);
      assert.ok(Math.abs(tokens - kvGiB * 4096) <= 40, `${tokens} tokens for ${kvGiB} GiB`);
      assert.match(await estimate.innerText(), /Use tensor parallel 2 \(2 GPUs\)/);
      assert.equal(await frame.locator('svg.memory-bar rect').count(), 5);
      const shot = await saveScreenshot(page, 'estimate');
      // The README's picture is this screen: `UPDATE_README_SCREENSHOTS=1 npm run test:e2e` renews it.
      if (process.env.UPDATE_README_SCREENSHOTS === '1')
        copyFileSync(shot, join(repo, 'docs', 'images', 'workbench.png'));
    }));

  test('Suggest Deployment: Llama-3.1-70B for 5 requests/s lists every GPU type, cheapest first, with vLLM settings', () =>
    onFailure('suggest', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Suggest Deployment');
      await pickQuickItem(page, 'meta-llama/Llama-3.1-70B-Instruct');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('rps=5 input=1000 output=200 context=8192 tpot-ms=50');
      await input.press('Enter');
      const frame = webviewFrame(page);
      const table = frame.locator('#suggestion table.suggestions');
      await table.waitFor({ timeout: 30_000 });
      // One row per GPU type that meets the target, the cheapest first; on H100s the 131 GiB of
      // bf16 weights need tensor parallel 4 (TP=2 leaves 0.15 GiB for the KV cache).
      const h100 = table.locator('tbody tr', { hasText: 'NVIDIA H100 80GB SXM' });
      assert.match(await h100.locator('td:nth-child(2)').innerText(), /^TP=4 x \d+$/);
      const costs = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
      assert.deepEqual(
        costs.map(Number),
        costs.map(Number).sort((x, y) => x - y),
      );
      assert.match(
        await frame.locator('#suggestion .command').first().innerText(),
        /vllm serve meta-llama\/Llama-3\.1-70B-Instruct --tensor-parallel-size \d+/,
      );
      await saveScreenshot(page, 'suggest');
    }));

  test('Allocation plan: the example pool solves to the optimum found by hand, beside first-fit, and exports', () =>
    onFailure('plan', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      const message = frame.locator('#plan-message');
      await message.waitFor({ timeout: 60_000 });
      // By hand: chat-70b needs 4 H100s ($16), code-32b 2 L40S ($3.72), summarize and vision 5 L4s
      // ($4.00); the small models fill the gaps: $23.72/h on 11 GPUs.
      assert.equal(
        await message.innerText(),
        'Proven optimal: 11 GPU(s), $23.72/h, $0.80/h less than first-fit decreasing.',
      );
      assert.equal(await frame.locator('svg.plan-bars text').count(), 11);
      assert.match(await frame.locator('#plan-costs').innerText(), /First-fit decreasing\s+12\s+\$24\.52/);
      await saveScreenshot(page, 'plan');
      await frame.locator('#plan vscode-button', { hasText: 'Open as Kubernetes Deployments' }).click();
      await page
        .locator('.monaco-editor .view-lines', { hasText: 'kind: Deployment' })
        .first()
        .waitFor({ timeout: 30_000 });
    }));

  test('Provisioning: the demand example picks GPU types, TP and replicas, cheaper than one type, with a cost/headroom front', () =>
    onFailure('provisioning', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#plan vscode-button', { hasText: 'Example: provision for a demand' }).click();
      await problemContaining(frame, '"demand"');
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      const table = frame.locator('#provisioning-table');
      await table.waitFor({ timeout: 60_000 });
      const message = await frame.locator('#plan-message').innerText();
      const [, cost, saving, single] =
        /^Proven optimal: \$(\d+\.\d\d)\/h for 3 model\(s\), \$(\d+\.\d\d)\/h less than the best single GPU type \(\S+, \$(\d+\.\d\d)\/h\)\.$/.exec(
          message,
        ) ?? [];
      assert.ok(cost, message);
      assert.equal((Number(single) - Number(cost)).toFixed(2), saving);
      // The rows' costs add up to the total, and every model of the example has a row.
      const rows = await table.locator('tbody tr').allInnerTexts();
      assert.deepEqual(
        [...new Set(rows.map((r) => r.split('\t')[0]))].sort((x, y) => (x! < y! ? -1 : 1)),
        ['chat', 'code', 'small'],
      );
      const sum = (await table.locator('tbody tr td:nth-child(6)').allInnerTexts()).reduce((s, t) => s + Number(t), 0);
      assert.equal(sum.toFixed(2), cost);
      assert.ok((await frame.locator('svg.pareto circle').count()) >= 2);
      await saveScreenshot(page, 'provisioning');
    }));

  test('"Use my GPUs as the pool" puts the GPUs the view sees into the problem, keeping the models', () =>
    onFailure('pool', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#plan vscode-button', { hasText: 'Example: place replicas' }).click();
      const models = JSON.parse(await problemContaining(frame, 'chat-70b')).models;
      await frame.locator('#plan vscode-button', { hasText: 'Use my GPUs as the pool' }).click();
      const written = JSON.parse(await problemContaining(frame, '"hosts"'));
      // This machine and alive-1 each have the fixture's H100 (81,559 MiB) and A10G (23,028 MiB);
      // less the 480 MiB the driver keeps: 79.17 and 22.01 GiB. dead-box is unreachable: not counted.
      assert.deepEqual(
        written.gpus.map((g: { type: string; count: number; memoryGiB: number; costPerHour: number }) => [
          g.type,
          g.count,
          g.memoryGiB,
          g.costPerHour,
        ]),
        [
          ['h100-sxm', 2, 79.17, 4],
          ['a10g', 2, 22.01, 1.01],
        ],
      );
      assert.deepEqual(written.models, models);
    }));

  test('Cancel stops a solve in progress, and the next solve works', () =>
    onFailure('cancel', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      // 150 distinct sizes on GPUs of 320 and 141 GiB: a large arc-flow model, about 8 s of GLPK
      // on this machine (gpu-workbench plan), time enough to press Cancel.
      const text = JSON.stringify({
        objective: 'cost',
        gpus: [
          { type: 'huge', count: 400, memoryGiB: 320, costPerHour: 10 },
          { type: 'big', count: 400, memoryGiB: 141, costPerHour: 5 },
        ],
        models: Array.from({ length: 150 }, (_, i) => ({ name: `m${i}`, memoryGiB: 5 + 2 * i, replicas: 2, tp: 1 })),
      });
      await frame.locator('#plan-problem').evaluate((e, value) => {
        (e as unknown as { value: string }).value = value;
        e.dispatchEvent(new Event('input'));
      }, text);
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan vscode-button', { hasText: 'Cancel' }).click({ timeout: 10_000 });
      await frame
        .locator('#plan-message', { hasText: 'Cancelled: the solver was stopped.' })
        .waitFor({ timeout: 10_000 });
      // The worker was terminated; the next solve starts a fresh one. Two 30 GiB replicas on
      // 48 GiB GPUs at $2/h: one per GPU, $4.00/h by hand.
      await frame.locator('#plan-problem').evaluate(
        (e, value) => {
          (e as unknown as { value: string }).value = value;
          e.dispatchEvent(new Event('input'));
        },
        JSON.stringify({
          objective: 'cost',
          gpus: [{ type: 'x', count: 3, memoryGiB: 48, costPerHour: 2 }],
          models: [{ name: 'a', memoryGiB: 30, replicas: 2, tp: 1 }],
        }),
      );
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan-message', { hasText: '$4.00/h' }).waitFor({ timeout: 60_000 });
    }));

  test('A problem typed in the workbench and its plan survive a window reload', () =>
    onFailure('reload', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      // Two 30 GiB replicas on 48 GiB GPUs at $2/h: one per GPU, $4.00/h by hand.
      const text = JSON.stringify({
        objective: 'cost',
        gpus: [{ type: 'reload-test', count: 3, memoryGiB: 48, costPerHour: 2 }],
        models: [{ name: 'kept', memoryGiB: 30, replicas: 2, tp: 1 }],
      });
      await frame.locator('#plan-problem').evaluate((e, value) => {
        (e as unknown as { value: string }).value = value;
        e.dispatchEvent(new Event('input'));
      }, text);
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan-message', { hasText: '$4.00/h' }).waitFor({ timeout: 60_000 });
      // VS Code writes workspace storage in the background: give it a moment, as a person would take.
      await page.waitForTimeout(2000);
      await page.reload();
      const after = webviewFrame(page);
      await after.locator('#plan-message', { hasText: '$4.00/h' }).waitFor({ timeout: 60_000 });
      assert.equal(await problemText(after), text);
      assert.equal(await after.locator('svg.plan-bars text').count(), 2);
    }));

  test('Simulation: the example queue under every policy with a Gantt chart, and routing percentiles', () =>
    onFailure('simulation', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#simulation vscode-button', { hasText: 'Simulate the queue' }).click();
      const jobs = frame.locator('#jobs-table tbody tr');
      await jobs.first().waitFor({ timeout: 30_000 });
      assert.deepEqual(await frame.locator('#jobs-table tbody tr td:first-child').allInnerTexts(), [
        'fcfs',
        'sjf',
        'srtf',
        'rr',
        'priority',
      ]);
      // FCFS by hand on 4 GPUs: pretrain 0-12 holds all four, so everything else waits for it; the last
      // job (batch-embed) ends at 12 + 6 (finetune-b) = 18 or later.
      const fcfsMakespan = Number(await frame.locator('#jobs-table tbody tr:first-child td:nth-child(2)').innerText());
      assert.ok(fcfsMakespan >= 18, String(fcfsMakespan));
      assert.ok((await frame.locator('svg.gantt rect').count()) > 0);
      await frame.locator('#simulation vscode-button', { hasText: 'Simulate routing' }).click();
      await frame.locator('#routing-table tbody tr').first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#routing-table tbody tr').count(), 4);
      await saveScreenshot(page, 'simulation');
    }));
});
