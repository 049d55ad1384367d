/**
 * `gpu-workbench rightsize` against a real Prometheus holding a week of history, backfilled with
 * promtool from OpenMetrics written here: vLLM (new and old KV-cache names), SGLang and
 * DCGM-exporter series with the label sets a kube-prometheus ServiceMonitor gives them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GPU_CATALOG } from '../../src/core/catalog/gpus.ts';
import { runCli } from '../harness/cliRun.ts';
import { podServices } from '../../src/node/podServices.ts';
import { prometheusClient } from '../../src/node/prometheusRange.ts';
import { openMetrics, startPrometheusWithHistory, type PrometheusHistory } from '../harness/prometheusHistory.ts';
import { servingHistory } from '../harness/rightsizeHistory.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const manifest = join(repo, 'test', 'fixtures', 'rightsize', 'serving.yaml');
const manifestText = readFileSync(manifest, 'utf8');

const h100 = GPU_CATALOG.find((g) => g.id === 'h100-sxm')!;
const l40s = GPU_CATALOG.find((g) => g.id === 'l40s')!;

function lineOf(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `${needle} not in the manifest`);
  return text.slice(0, at).split('\n').length;
}

interface JsonFinding {
  file: string;
  line: number;
  ruleId: string;
  severity: string;
  message: string;
}

describe('gpu-workbench rightsize against a week of Prometheus history', { timeout: 300_000 }, () => {
  let prom: PrometheusHistory;
  let findings: JsonFinding[];
  let code: number | null;

  before(async () => {
    prom = await startPrometheusWithHistory(openMetrics(servingHistory(Math.floor(Date.now() / 1000))));
    const run = await runCli(['rightsize', manifest, '--prometheus', prom.url, '--window', '7d', '--json'], {
      cwd: repo,
      timeoutMs: 120_000,
    });
    code = run.code;
    assert.equal(run.stderr, '', run.stderr);
    findings = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
    if (process.env.SHOW_FINDINGS) console.log(findings.map((f) => `${f.line}: ${f.message}`).join('\n'));
  });
  after(async () => {
    await prom?.stop();
  });

  test('every finding is the lint JSON shape with rule gpu-right-size; exit 1 since some should change', () => {
    assert.equal(code, 1);
    for (const f of findings) {
      assert.equal(f.ruleId, 'gpu-right-size');
      assert.equal(f.file, 'test/fixtures/rightsize/serving.yaml');
    }
  });

  test('the idle Deployment gets fewer GPUs on its --tensor-parallel-size line', () => {
    const start = manifestText.indexOf('name: llama-idle');
    const line = lineOf(manifestText, '"4"', start); // --tensor-parallel-size 4
    const idle = findings.filter((f) => f.message.includes('serving/llama-idle'));
    assert.equal(idle.length, 1, JSON.stringify(findings, null, 2));
    assert.equal(idle[0]!.line, line);
    assert.equal(idle[0]!.severity, 'warning');
    assert.match(idle[0]!.message, /fewer GPUs/);
    // TP 4 -> 1: three H100s fewer, 3 x list price.
    assert.match(idle[0]!.message, new RegExp(`saves \\$${(3 * h100.pricePerHour).toFixed(2)}/h`));
    // Peak 5 % (not the decoy's 99 %); DCGM read through exported_pod.
    assert.match(idle[0]!.message, /peaked at 5 %/);
    assert.match(idle[0]!.message, /p95 GPU utilization 3 %/);
    assert.match(idle[0]!.message, /0 waiting/);
  });

  test('the saturated Deployment gets no fewer-GPUs finding but "needs more"', () => {
    const busy = findings.filter((f) => f.message.includes('serving/llama-busy'));
    assert.equal(busy.length, 1, JSON.stringify(findings, null, 2));
    assert.doesNotMatch(busy[0]!.message, /fewer/);
    assert.match(busy[0]!.message, /needs more GPUs/);
    // p95 waiting 20 (a ninth of the samples are 20), 64 running: ceil(20/64) = 1 more replica of 2 GPUs.
    assert.match(busy[0]!.message, /p95 64 running and 20 waiting/);
    assert.match(busy[0]!.message, new RegExp(`\\+\\$${(2 * h100.pricePerHour).toFixed(2)}/h`));
    const start = manifestText.indexOf('name: llama-busy');
    assert.equal(busy[0]!.line, lineOf(manifestText, 'replicas: 1', start));
  });

  test('the StatefulSet on the old vLLM name gets fewer replicas', () => {
    const sts = findings.filter((f) => f.message.includes('serving/llama-sts'));
    assert.equal(sts.length, 1, JSON.stringify(findings, null, 2));
    // Four pods at 10 %: 0.4 of one replica's KV cache, 8 running: one replica keeps both under 80 %.
    assert.match(sts[0]!.message, /fewer replicas/);
    assert.match(sts[0]!.message, /1 replica keeps it under 80 %/);
    assert.match(sts[0]!.message, new RegExp(`saves \\$${(3 * l40s.pricePerHour).toFixed(2)}/h`));
    assert.equal(sts[0]!.line, lineOf(manifestText, 'replicas: 4'));
  });

  test('the idle SGLang Deployment gets fewer GPUs on its --tp-size line', () => {
    const sglang = findings.filter((f) => f.message.includes('serving/llama-sglang'));
    assert.equal(sglang.length, 1, JSON.stringify(findings, null, 2));
    assert.match(sglang[0]!.message, /fewer GPUs/);
    assert.match(sglang[0]!.message, /--tp-size 1/);
    assert.match(sglang[0]!.message, /peaked at 3 %/);
    // TP 2 -> 1: one H100 fewer.
    assert.match(sglang[0]!.message, new RegExp(`saves \\$${h100.pricePerHour.toFixed(2)}/h`));
    const start = manifestText.indexOf('name: llama-sglang');
    assert.equal(sglang[0]!.line, lineOf(manifestText, '"2"', manifestText.indexOf('--tp-size', start)));
  });

  test('a manifest without GPU type or model: DCGM modelName and the engine model_name fill them in', () => {
    const mystery = findings.filter((f) => f.message.includes('serving/mystery'));
    assert.equal(mystery.length, 1, JSON.stringify(findings, null, 2));
    assert.match(mystery[0]!.message, /fewer GPUs/);
    assert.match(mystery[0]!.message, /GPU type NVIDIA H100 80GB SXM \(HBM3\) from DCGM/);
    assert.match(mystery[0]!.message, /model meta-llama\/Llama-3\.1-8B-Instruct from the engine's model_name/);
    // TP 2 -> 1 on H100: one GPU, $4.00/h.
    assert.match(mystery[0]!.message, new RegExp(`saves \\$${h100.pricePerHour.toFixed(2)}/h`));
  });

  test('a workload whose metrics stopped eight days ago is judged on its last week', () => {
    const stopped = findings.filter((f) => f.message.includes('serving/llama-stopped'));
    assert.equal(stopped.length, 1, JSON.stringify(findings, null, 2));
    assert.match(stopped[0]!.message, /can run on fewer GPUs/);
    assert.match(stopped[0]!.message, /peaked at 3 %/);
  });

  test('a manifest without a namespace finds the one namespace whose pods carry its names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rightsize-'));
    try {
      const idle = manifestText.slice(0, manifestText.indexOf('---')).replace('  namespace: serving\n', '');
      writeFileSync(join(dir, 'idle.yaml'), idle);
      const run = await runCli(['rightsize', join(dir, 'idle.yaml'), '--prometheus', prom.url, '--json'], {
        cwd: repo,
        timeoutMs: 120_000,
      });
      const [f] = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
      assert.match(f!.message, /Deployment serving\/llama-idle can run on fewer GPUs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the Model services view lists the pods Prometheus scrapes, by namespace and pod, with their engine', async () => {
    const client = prometheusClient(prom.url, { timeoutMs: 10_000 });
    assert.ok(client.ok);
    const found = await podServices(client.value, Math.floor(Date.now() / 1000));
    assert.ok(found.ok, found.ok ? '' : found.message);
    const idle = found.value.find((p) => p.pod === 'llama-idle-7d9f8c6b5-x2k4p')!;
    assert.deepEqual(
      [idle.namespace, idle.engine, idle.model],
      ['serving', 'vllm', 'meta-llama/Llama-3.1-8B-Instruct'],
    );
    // The newest sample of the idle pod: waiting 0. Generation: the counter's slope is 100 tokens/s,
    // but rate() divides by the whole 10-minute window and the samples (every 2 min) end 2-4 min
    // before now, past which Prometheus extrapolates at most half an interval: between 50 and 100.
    assert.equal(idle.waiting, 0);
    const rate = idle.generationTokensPerSecond!;
    assert.ok(rate > 50 && rate <= 100 + 1e-9, String(rate));
    const sglang = found.value.find((p) => p.pod === 'llama-sglang-6b7c9d8f4-m3n4p')!;
    assert.deepEqual([sglang.engine, sglang.kvCacheUsage], ['sglang', 0.03]);
    // The stopped pod's samples are eight days old: not listed as running now.
    assert.ok(!found.value.some((p) => p.pod.startsWith('llama-stopped')));
  });

  test('a workload with no series says so, as info', () => {
    const isvc = findings.filter((f) => f.message.includes('serving/llama-isvc'));
    assert.equal(isvc.length, 1);
    assert.equal(isvc[0]!.severity, 'info');
    assert.match(isvc[0]!.message, /no engine metrics/);
  });

  test('text output names each finding by file and line; a bad window is a usage error', async () => {
    const text = await runCli(['rightsize', manifest, '--prometheus', prom.url], { cwd: repo, timeoutMs: 120_000 });
    assert.match(text.stdout, /serving\.yaml:\d+:\d+: warning .*\[gpu-right-size\]/);
    const bad = await runCli(['rightsize', manifest, '--prometheus', prom.url, '--window', '7 days'], { cwd: repo });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--window must be a duration/);
  });

  test('an unreachable Prometheus is an info per workload, not a crash', async () => {
    const down = await runCli(['rightsize', manifest, '--prometheus', 'http://127.0.0.1:9', '--json'], {
      cwd: repo,
      timeoutMs: 60_000,
    });
    assert.equal(down.code, 0);
    const out = (JSON.parse(down.stdout) as { findings: JsonFinding[] }).findings;
    assert.equal(out.length, 7);
    for (const f of out) assert.match(f.message, /Prometheus did not answer/);
  });
});
