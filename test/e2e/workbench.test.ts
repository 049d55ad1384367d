/**
 * The packaged VSIX in a real VS Code (code-server) in a real Chromium, used as a person would.
 * Nothing here needs a GPU: a fake nvidia-smi on the extension host's PATH prints a captured answer.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { startSshLab, type SshLab } from '../harness/sshd.ts';
import { startCodeServer, type RunningCodeServer } from './harness/codeServer.ts';
import { pickQuickItem, runCommand, saveScreenshot, webviewFrame, withFailureReport } from './harness/workbench.ts';

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
/** Closes the export (the active editor, unsaved) so the workbench has the window again. */
async function closeExport(page: Page): Promise<void> {
  await runCommand(page, 'View: Revert and Close Editor');
  await page.locator('.tab', { hasText: 'gpu-plan-' }).first().waitFor({ state: 'detached', timeout: 10_000 });
}

/** The element's top is inside the webview's visible height (the result is in view, not below the fold). */
async function inView(frame: FrameLocator, selector: string): Promise<boolean> {
  return frame.locator(selector).evaluate((e) => {
    const box = e.getBoundingClientRect();
    return box.top >= 0 && box.top < e.ownerDocument.documentElement.clientHeight;
  });
}

/**
 * Waits until a (re)opened workbench has shown what the extension keeps (the problem, the solver's
 * state): an edit made before that is replaced by the late message, as a person would see too.
 */
async function settled(page: Page, frame: FrameLocator): Promise<void> {
  await frame.locator('#solver-status', { hasText: 'GLPK' }).waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
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

  /** Preferences: Color Theme, then the theme's row, as a person picks one. */
  async function setColorTheme(theme: string, themeClass: string): Promise<void> {
    const page = vscode.page;
    const input = page.locator('.quick-input-widget input');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>Preferences: Color Theme');
    await page.locator('.quick-input-list .monaco-list-row[aria-label^="Preferences: Color Theme"]').first().click();
    await input.fill(theme);
    await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${theme}"]`).first().click();
    await page.locator(`.monaco-workbench.${themeClass}`).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500);
  }

  const onFailure = <T>(name: string, body: () => Promise<T>) => withFailureReport(vscode, name, body);

  test('Open Allocation Workbench opens the Plan tab, with the bundled GLPK loaded and no self-test card', () =>
    onFailure('workbench', async () => {
      await runCommand(vscode.page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(vscode.page);
      await frame.getByRole('tablist', { name: 'Workbench' }).waitFor({ timeout: 60_000 });
      // Four tabs, the plan's selected.
      assert.deepEqual(await frame.getByRole('tab').allInnerTexts(), ['Estimate', 'Suggest', 'Plan', 'Simulate']);
      assert.equal(await frame.locator('#tab-plan').getAttribute('aria-selected'), 'true');
      // glpk.js 5.0.0 embeds GLPK 5.0: the version comes from the wasm running in the worker.
      const status = frame.locator('#solver-status');
      await status.getByText(/GLPK 5\.0 \(WebAssembly from the extension bundle\)/).waitFor({ timeout: 60_000 });
      // The developer's self-test (its LP is still checked by test/integration/solverWorker.test.ts) is gone.
      assert.equal(await frame.getByText(/self-test/i).count(), 0);
      assert.equal(await frame.locator('#self-test').count(), 0);
      // The problem is a form: the example's pool and models, one row each (media/example-plan.json).
      await frame.locator('#pool-table tbody tr').first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#pool-table tbody tr').count(), 3);
      assert.equal(await frame.locator('#models-table tbody tr').count(), 6);
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
      const shot = await saveScreenshot(page, 'gpus-view');
      if (process.env.UPDATE_README_SCREENSHOTS === '1')
        copyFileSync(shot, join(repo, 'docs', 'images', 'gpus-view.png'));
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
      // The command opened its own tab, the result at the top, nothing of the plan below it.
      assert.equal(await frame.locator('#tab-estimate').getAttribute('aria-selected'), 'true');
      assert.ok(await inView(frame, '#estimate-verdict'), 'the verdict is in view');
      assert.equal(await frame.locator('#plan').count(), 0);
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
      // Four parts on a GiB scale with the usable line; it fits in memory (only the context does not):
      // no overflow drawn.
      assert.equal(await frame.locator('svg.memory-bar line.usable-line').count(), 1);
      assert.equal(await frame.locator('svg.memory-bar rect.overflow').count(), 0);
      assert.match(await frame.locator('svg.memory-bar').innerHTML(), />GiB per GPU</);
      const shot = await saveScreenshot(page, 'estimate');
      // The README's picture is this screen: `UPDATE_README_SCREENSHOTS=1 npm run test:e2e` renews it.
      if (process.env.UPDATE_README_SCREENSHOTS === '1')
        copyFileSync(shot, join(repo, 'docs', 'images', 'workbench.png'));
    }));

  test('Estimate Model Memory: Llama-3.1-70B on one H100 draws its overflow past the usable line, never a negative KV cache', () =>
    onFailure('estimate-overflow', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Estimate Model Memory');
      await pickQuickItem(page, 'meta-llama/Llama-3.1-70B-Instruct');
      await pickQuickItem(page, 'h100-sxm');
      const frame = webviewFrame(page);
      // A new estimate replaces the old one: the Qwen3-32B verdict is gone.
      await frame.locator('#estimate', { hasText: 'Llama-3.1-70B' }).waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#estimate', { hasText: 'Qwen3-32B' }).count(), 0);
      const legend = await frame.locator('#estimate-legend').innerText();
      // By hand: 70.6 B parameters x 2 bytes = 131.5 GiB of weights against 0.9 x 79.2 = 71.3 GiB
      // usable: at least 60 GiB over (more with the activation peak and non-torch memory).
      const over = Number(/Over the usable memory\s+(\d+\.\d\d) GiB/.exec(legend)?.[1]);
      assert.ok(over >= 60 && over <= 70, legend);
      assert.match(legend, /KV cache\s+0\.00 GiB/);
      assert.doesNotMatch(legend, /-\d/);
      // The verdict says the same overflow, never a negative KV cache.
      const verdict = await frame.locator('#estimate-verdict').innerText();
      assert.doesNotMatch(verdict, /-\d/);
      const said = Number(/need (\d+\.\d\d) GiB more than the usable memory/.exec(verdict)?.[1]);
      assert.ok(Math.abs(said - over) <= 0.03, `${said} vs ${over}`);
      assert.equal(await frame.locator('svg.memory-bar rect.overflow').count(), 1);
      assert.match(
        (await frame.locator('svg.memory-bar .overflow-label').textContent()) ?? '',
        /^over by \d+\.\d\d GiB$/,
      );
      // Drawn in the theme's error colour.
      assert.equal(
        await frame.locator('svg.memory-bar rect.overflow').getAttribute('fill'),
        'var(--vscode-errorForeground)',
      );
      await saveScreenshot(page, 'estimate-overflow');
    }));

  test('Suggest Deployment: Llama-3.1-70B for 5 requests/s lists every GPU type, cheapest first, with vLLM settings', () =>
    onFailure('suggest', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Suggest Deployment');
      await pickQuickItem(page, 'meta-llama/Llama-3.1-70B-Instruct');
      await page.locator('.quick-input-widget input[aria-label*="target load"]').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('rps=5 input=1000 output=200 context=8192 tpot-ms=50');
      await input.press('Enter');
      const frame = webviewFrame(page);
      const table = frame.locator('#suggestion table.suggestions');
      await table.waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#tab-suggest').getAttribute('aria-selected'), 'true');
      assert.ok(await inView(frame, '#suggestion table.suggestions'), 'the table is in view');
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
      await frame.locator('#plan vscode-button', { hasText: 'Example: place replicas' }).click();
      await problemContaining(frame, 'chat-70b');
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      const message = frame.locator('#plan-message');
      await message.waitFor({ timeout: 60_000 });
      // By hand: chat-70b needs 4 H100s ($16), code-32b 2 L40S ($3.72), summarize and vision 5 L4s
      // ($4.00); the small models fill the gaps: $23.72/h on 11 GPUs.
      assert.equal(
        await message.innerText(),
        'Proven optimal: 11 GPU(s), $23.72/h, $0.80/h less than first-fit decreasing.',
      );
      assert.equal(await frame.locator('#tab-plan').getAttribute('aria-selected'), 'true');
      assert.equal(await frame.locator('svg.plan-bars text.gpu-label').count(), 11);
      // A GiB scale: the H100s' 80 GiB is the largest, so ticks 0, 20, ..., 80 and the axis title.
      const bars = await frame.locator('svg.plan-bars').innerHTML();
      assert.match(bars, />Memory per GPU \(GiB\)</);
      assert.match(bars, />80</);
      // chat-70b is the one TP=2 model, with 2 replicas: 2 groups of 2 GPUs, each bracketed.
      assert.equal(await frame.locator('svg.plan-bars path.tp-group').count(), 2);
      // Values in the bars: chat-70b's 72 GiB shards, one on each of its 4 GPUs.
      assert.equal(await frame.locator('svg.plan-bars text.value', { hasText: /^72$/ }).count(), 4);
      assert.match(await frame.locator('#plan-costs').innerText(), /First-fit decreasing\s+12\s+\$24\.52/);
      // Three methods on one problem: the DP is for one GPU type and says why it does not run here.
      assert.match(
        await frame.locator('#plan-costs').innerText(),
        /Exact DP over subsets\s+skipped: the DP handles one GPU type \(this pool has 3\)/,
      );
      await saveScreenshot(page, 'plan');
      await frame.locator('#plan vscode-button', { hasText: 'Open as Kubernetes Deployments' }).click();
      await page
        .locator('.monaco-editor .view-lines', { hasText: 'kind: Deployment' })
        .first()
        .waitFor({ timeout: 30_000 });
      await page.locator('.tab', { hasText: 'gpu-plan-deployments.yaml' }).first().waitFor({ timeout: 10_000 });
      // Models sharing a GPU get their part, not vLLM's 0.9 each: the example's shares are under 1.
      await page
        .locator('.monaco-editor .view-lines', { hasText: '--gpu-memory-utilization' })
        .first()
        .waitFor({ timeout: 10_000 });
      await closeExport(page);
    }));

  test('The problem form: a wrong field says why beside it, and the JSON follows every edit', () =>
    onFailure('form', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await settled(page, frame);
      await frame.locator('#plan vscode-button', { hasText: 'Example: place replicas' }).click();
      await problemContaining(frame, 'chat-70b');
      const count = frame.locator('#pool-table-0-count');
      assert.equal(await count.inputValue(), '8');
      await count.fill('eight');
      assert.equal(await frame.locator('#pool-table-0-count-error').innerText(), 'A whole number of GPUs.');
      assert.equal(await count.getAttribute('aria-invalid'), 'true');
      assert.match(await problemText(frame), /"type":"h100-sxm","count":"eight"/);
      await count.fill('6');
      assert.equal(await frame.locator('#pool-table-0-count-error').innerText(), '');
      assert.match(await problemText(frame), /"type":"h100-sxm","count":6,/);
      // A model with neither a catalog model nor a memory says what it needs.
      await frame.locator('#models-table-1-memoryGiB').fill('');
      assert.match(
        await frame.locator('#models-table-1-model-error').innerText(),
        /^Pick a catalog model or give the memory per GPU\.$/,
      );
      // The JSON edited by hand rebuilds the form (advanced view).
      await frame.locator('#plan-advanced summary').click();
      await frame.locator('#plan-problem').evaluate((e) => {
        (e as unknown as { value: string }).value = JSON.stringify({
          gpus: [{ type: 'l4', count: 2 }],
          models: [{ name: 'one', memoryGiB: 10 }],
        });
        e.dispatchEvent(new Event('input'));
      });
      assert.equal(await frame.locator('#pool-table tbody tr').count(), 1);
      assert.equal(await frame.locator('#pool-table-0-type').inputValue(), 'l4');
      // A catalog GPU brings its memory: shown as the placeholder of the empty field.
      assert.match((await frame.locator('#pool-table-0-memoryGiB').getAttribute('placeholder')) ?? '', /^\d+(\.\d+)?$/);
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
      const points = await frame.locator('svg.pareto circle').count();
      assert.ok(points >= 2);
      // Every point labelled with its cost and capacity; both axes titled with their units.
      assert.equal(await frame.locator('svg.pareto text.point-label').count(), points);
      const front = await frame.locator('svg.pareto').innerHTML();
      assert.match(front, />Cost \(US\$\/hour\)</);
      assert.match(front, />Capacity \/ demand</);
      assert.match(await frame.locator('#spare-capacity').innerText(), /^Spare capacity: the requests per second/);
      await saveScreenshot(page, 'provisioning');
      // A fleet exports too, beside the workbench, under a real name.
      await frame.locator('#plan vscode-button', { hasText: 'Open as Kubernetes Deployments' }).click();
      await page.locator('.tab', { hasText: 'gpu-plan-deployments.yaml' }).first().waitFor({ timeout: 30_000 });
      await page
        .locator('.monaco-editor .view-lines', { hasText: 'provisioning result' })
        .first()
        .waitFor({ timeout: 30_000 });
      // The workbench stays in view in its own group.
      await webviewFrame(page).locator('#provisioning-table').waitFor({ timeout: 10_000 });
      await closeExport(page);
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
      // The workbench is in view (and the palette that opened it closed) before the next command.
      await frame.locator('#plan').waitFor({ timeout: 30_000 });
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      // A fresh page (as after a window reload) edited the moment its editor exists, before the
      // extension's answer to "ready" (the problem it keeps) can arrive: a user typing in the first
      // half second. The edit is queued as a microtask by the page's first render, so it lands just
      // after the page has said "ready" and always before the answer (a message event, a later task).
      // The page used to replace the edit with that answer; the edit must stay (webview/problemDraft.ts).
      // (A script's text: this file is type-checked without the DOM's types. A MutationObserver set
      // up here never fired in the webview's page, whose document is written after this runs; a
      // patched prototype of the frame's window does see the page's first render.)
      await page.addInitScript({
        content: `(() => {
          // Armed once by the test on the window (the webview's frames share its origin); every
          // later frame of this page, a reload of the window included, finds it disarmed.
          const armed = () => {
            try {
              return window.top.gpuWorkbenchEditOnce === true;
            } catch {
              return false;
            }
          };
          const replaceChildren = Element.prototype.replaceChildren;
          let done = false;
          Element.prototype.replaceChildren = function (...nodes) {
            replaceChildren.apply(this, nodes);
            if (done || !document.getElementById('plan-problem') || !armed()) return;
            done = true;
            window.top.gpuWorkbenchEditOnce = false;
            queueMicrotask(() => {
              const editor = document.getElementById('plan-problem');
              editor.value = ${JSON.stringify(text)};
              editor.dispatchEvent(new Event('input'));
              // And the user is in a field, typing on: the caret after the 4 of "400".
              const count = document.getElementById('pool-table-0-count');
              count.focus();
              count.setSelectionRange(2, 2);
            });
          };
        })();`,
      });
      await page.evaluate(() => ((globalThis as { gpuWorkbenchEditOnce?: boolean }).gpuWorkbenchEditOnce = true));
      await runCommand(page, 'Developer: Reload Webviews');
      await problemContaining(frame, '"huge"');
      // Once everything the extension sends on load has arrived, the edit is still there.
      await settled(page, frame);
      assert.match(await problemText(frame), /"huge"/, "the extension's late answer replaced the edit");
      // The messages that came since re-drew the page: the field still has the focus and the caret.
      assert.deepEqual(
        await frame.locator('body').evaluate(() => {
          const active = (globalThis as { document?: { activeElement?: { id?: string; selectionStart?: number } } })
            .document?.activeElement;
          return [active?.id, active?.selectionStart];
        }),
        ['pool-table-0-count', 2],
      );
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
      await problemContaining(frame, '"x"');
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan-message', { hasText: '$4.00/h' }).waitFor({ timeout: 60_000 });
    }));

  test('A problem typed in the workbench and its plan survive a window reload', () =>
    onFailure('reload', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#solver-status', { hasText: 'GLPK' }).waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      // First a problem that does not parse: its error shows, then must not linger.
      await frame.locator('#plan-problem').evaluate((e) => {
        (e as unknown as { value: string }).value = '{ "gpus": [';
        e.dispatchEvent(new Event('input'));
      });
      assert.match(await frame.locator('#problem-form').innerText(), /does not parse/);
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan-message.error').waitFor({ timeout: 30_000 });
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
      assert.equal(await after.locator('svg.plan-bars text.gpu-label').count(), 2);
      // One GPU type, 2 replicas: the exact DP runs too and agrees with the MIP (2 GPUs, $4.00/h by hand).
      assert.match(await after.locator('#plan-costs').innerText(), /Exact DP over subsets\s+2\s+\$4\.00\s+\d/);
      // One result, the new one: the earlier error is nowhere.
      assert.equal(await after.locator('#plan-message').count(), 1);
      assert.equal(await after.locator('.error').count(), 0);
      // The restored plan exports (it used to say "Solve a plan first"): two $2/h GPUs, $4/h.
      await after.locator('#plan vscode-button', { hasText: 'Open as JSON' }).click();
      await page.locator('.tab', { hasText: 'gpu-plan.json' }).first().waitFor({ timeout: 30_000 });
      await page
        .locator('.monaco-editor .view-lines', { hasText: '"costPerHour": 4,' })
        .first()
        .waitFor({ timeout: 10_000 });
      await closeExport(page);
    }));

  test("Your own LP: GLPK solves the example, with each constraint's slack and dual found by hand", () =>
    onFailure('lp', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#lp vscode-button', { hasText: 'Solve LP' }).click();
      // By hand: min 3x + 2y, x + y >= 4, x + 3y >= 6, x, y >= 0. Vertices (0, 4): 8; (3, 1): 11;
      // (6, 0): 18: the optimum is x = 0, y = 4, cost 8. demand binds (slack 0); quality has
      // 12 - 6 = 6 to spare (dual 0). The dual, max 4a + 6b, a + b <= 3, a + 3b <= 2: a = 2, b = 0 (value 8).
      await frame.locator('#lp-message', { hasText: 'objective 8' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await frame.locator('#lp-values tbody tr').allInnerTexts(), ['x\t0', 'y\t4']);
      assert.deepEqual(await frame.locator('#lp-rows tbody tr').allInnerTexts(), ['demand\t0\t2', 'quality\t6\t0']);

      // The same LP as a table: a column per variable, a row per constraint.
      assert.equal(await frame.locator('#lp-var-0-name').inputValue(), 'x');
      assert.equal(await frame.locator('#lp-var-1-cost').inputValue(), '2');
      assert.equal(await frame.locator('#lp-row-1-coef-1').inputValue(), '3');
      const lpText = () => frame.locator('#lp-text').evaluate((e) => String((e as unknown as { value: string }).value));
      // A wrong field says why beside it and leaves the text as it was.
      await frame.locator('#lp-var-1-cost').fill('two');
      assert.equal(await frame.locator('#lp-var-1-cost-error').innerText(), 'A number (such as 2, -0.5 or 1e3).');
      assert.match(await lpText(), /cost: 3 x \+ 2 y/);
      await frame.locator('#lp-var-1-cost').fill('2');
      // Demand 5 instead of 4, typed in the table: the text follows, and GLPK solves it. By hand: the
      // vertices (0, 5): 10; (4.5, 0.5): 14.5; (6, 0): 18: y = 5, cost 10; quality has 15 - 6 = 9 to
      // spare; the dual max 5a + 6b, a + b <= 3, a + 3b <= 2 is a = 2, b = 0 (value 10).
      await frame.locator('#lp-row-0-rhs').fill('5');
      assert.match(await lpText(), /demand: x \+ y >= 5/);
      await frame.locator('#lp vscode-button', { hasText: 'Solve LP' }).click();
      await frame.locator('#lp-message', { hasText: 'objective 10' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await frame.locator('#lp-values tbody tr').allInnerTexts(), ['x\t0', 'y\t5']);
      assert.deepEqual(await frame.locator('#lp-rows tbody tr').allInnerTexts(), ['demand\t0\t2', 'quality\t9\t0']);
      // Text the table cannot show (a Bounds section) says so.
      await frame.locator('#lp-text').evaluate((e) => {
        (e as unknown as { value: string }).value = 'Minimize\n obj: x\nSubject To\n c: x >= 1\nBounds\n x <= 3\nEnd\n';
        e.dispatchEvent(new Event('input'));
      });
      assert.equal(
        await frame.locator('#lp-table-note').innerText(),
        "The table can't show this LP: it has a Bounds section (the table has x >= 0 only). Edit it as text below.",
      );
    }));

  test('Simulation: the example queue under every policy with a Gantt chart, and routing percentiles', () =>
    onFailure('simulation', async () => {
      const page = vscode.page;
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#tab-simulate').click();
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
      // A time axis in hours, and a legend naming each of the example's 6 jobs.
      assert.match(await frame.locator('svg.gantt').innerHTML(), />Time \(hours\)</);
      assert.equal(await frame.locator('#gantt-legend .legend-item').count(), 6);
      assert.match(await frame.locator('#jobs-table thead').innerText(), /Makespan \(h\)/);
      // The inputs take the card's width (they were 170 px), and their labels give the units.
      const input = frame.locator('#simulation vscode-text-area').first();
      assert.ok(((await input.boundingBox())?.width ?? 0) > 500);
      assert.match((await input.textContent()) ?? '', /arrival and duration in hours/);
      await frame.locator('#simulation vscode-button', { hasText: 'Simulate routing' }).click();
      await frame.locator('#routing-table tbody tr').first().waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('#routing-table tbody tr').count(), 4);
      // By hand: 9 requests/s on replicas serving 4 + 4 + 2 = 10/s keep up in all (90 % load); random and
      // round robin give each replica 9 / 3 = 3/s, more than the l40s's 2/s: overloaded. Weighted and
      // least-outstanding share by speed: they keep up.
      assert.match(
        await frame.locator('#routing-load').innerText(),
        /^9 requests\/s arrive; the replicas serve 10 requests\/s together \(90 % load\)/,
      );
      const verdicts = await frame.locator('#routing-table tbody tr td:last-child').allInnerTexts();
      assert.deepEqual(verdicts, [
        'overloaded: l40s gets 3.00 req/s, serves 2 req/s',
        'overloaded: l40s gets 3.00 req/s, serves 2 req/s',
        'keeps up',
        'keeps up',
      ]);
      assert.match(
        await frame.locator('#routing-table thead').innerText(),
        /Mean latency \(s\)\s+p50 \(s\)\s+p99 \(s\)/,
      );
      await saveScreenshot(page, 'simulation');
    }));
  test('Every tab with a result, in light, dark and high-contrast themes: screenshots kept, and axe-core finds no serious or critical violation', () =>
    onFailure('themes', async () => {
      const page = vscode.page;
      const axeSource = readFileSync(join(repo, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
      await runCommand(page, 'GPU Workbench: Open Allocation Workbench');
      const frame = webviewFrame(page);
      await frame.locator('#plan vscode-button', { hasText: 'Example: place replicas' }).click();
      await problemContaining(frame, 'chat-70b');
      await frame.locator('#plan vscode-button', { hasText: 'Solve' }).click();
      await frame.locator('#plan-message', { hasText: '$23.72/h' }).waitFor({ timeout: 60_000 });
      const failures: string[] = [];
      const themes = [
        { theme: 'Light Modern', themeClass: 'vs', name: 'light' },
        { theme: 'Dark Modern', themeClass: 'vs-dark', name: 'dark' },
        { theme: 'Dark High Contrast', themeClass: 'hc-black', name: 'high-contrast' },
      ];
      for (const { theme, themeClass, name: themeName } of themes) {
        await setColorTheme(theme, themeClass);
        for (const tab of ['estimate', 'suggest', 'plan', 'simulate']) {
          await frame.locator(`#tab-${tab}`).click();
          if (tab === 'simulate') {
            if ((await frame.locator('#jobs-table').count()) === 0)
              await frame.locator('#simulation vscode-button', { hasText: 'Simulate the queue' }).click();
            if ((await frame.locator('#routing-table').count()) === 0)
              await frame.locator('#simulation vscode-button', { hasText: 'Simulate routing' }).click();
            await frame.locator('#routing-table').waitFor({ timeout: 30_000 });
          }
          // The picture shows the result: the placement (below the form) or the Gantt chart.
          if (tab === 'plan') await frame.locator('svg.plan-bars').scrollIntoViewIfNeeded();
          if (tab === 'simulate') await frame.locator('svg.gantt').scrollIntoViewIfNeeded();
          // Each tab shows its result, not the "run a command" hint.
          assert.equal(await frame.locator('.card.empty').count(), 0, `${tab} has a result`);
          const name = `tab-${tab}-${themeName}`;
          const shot = await saveScreenshot(page, name);
          if (process.env.UPDATE_README_SCREENSHOTS === '1' && theme === 'Light Modern')
            copyFileSync(shot, join(repo, 'docs', 'images', `${tab}.png`));
          const body = await frame.locator('body').elementHandle();
          const inner = await body?.ownerFrame();
          assert.ok(inner, 'the webview frame');
          // Injected through the debugger protocol (no eval in the page: its CSP stays as shipped).
          if (!(await inner.evaluate('typeof window.axe !== "undefined"'))) await inner.evaluate(axeSource);
          const violations = (await inner.evaluate(
            'window.axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })))',
          )) as { id: string; impact: string; nodes: string[] }[];
          for (const v of violations)
            if (v.impact === 'serious' || v.impact === 'critical')
              failures.push(`${theme}, ${tab}: ${v.id} (${v.impact}) at ${v.nodes.join(', ')}`);
        }
      }
      assert.deepEqual(failures, []);
    }));
});
