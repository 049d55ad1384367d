/**
 * `gpu-workbench rightsize` against a real Prometheus holding a week of history, backfilled with
 * promtool from OpenMetrics written here: vLLM (new and old KV-cache names), SGLang and
 * DCGM-exporter series with the label sets a kube-prometheus ServiceMonitor gives them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GPU_CATALOG } from '../../src/core/catalog/gpus.ts';
import { runCli } from '../harness/cliRun.ts';
import {
  openMetrics,
  startPrometheusWithHistory,
  type HistoryFamily,
  type HistorySeries,
  type PrometheusHistory,
} from '../harness/prometheusHistory.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const manifest = join(repo, 'test', 'fixtures', 'rightsize', 'serving.yaml');
const manifestText = readFileSync(manifest, 'utf8');

const STEP_S = 120;
const END_S = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - STEP_S;
const POINTS = (7 * 86_400) / STEP_S; // 5,040 samples per series over the week

/** The labels Prometheus adds scraping a pod's /metrics through a ServiceMonitor (kube-prometheus). */
function podLabels(service: string, pod: string, ip: string): Record<string, string> {
  return {
    container: 'vllm',
    endpoint: 'http',
    instance: `${ip}:8000`,
    job: service,
    namespace: 'serving',
    pod,
    service,
    model_name: 'meta-llama/Llama-3.1-8B-Instruct',
  };
}

function series(name: string, labels: Record<string, string>, value: (i: number) => number): HistorySeries {
  const points: [number, number][] = [];
  for (let i = 0; i < POINTS; i++) points.push([END_S - (POINTS - 1 - i) * STEP_S, value(i)]);
  return { name, labels, points };
}

const IDLE = podLabels('llama-idle', 'llama-idle-7d9f8c6b5-x2k4p', '10.0.1.23');
const BUSY = podLabels('llama-busy', 'llama-busy-5f6d8b9c7-q8w2e', '10.0.1.24');
// Another Deployment whose name starts with "llama-idle-": its saturated pod must not count as llama-idle's.
const DECOY = podLabels('llama-idle-canary', 'llama-idle-canary-5c8d7f9b4-abcde', '10.0.1.25');
const STS = [0, 1, 2, 3].map((n) => podLabels('llama-sts', `llama-sts-${n}`, `10.0.2.${n + 10}`));

/** DCGM-exporter through its ServiceMonitor: the workload's pod is exported_pod (honorLabels off). */
function dcgm(gpu: number, pod: string, container: string): Record<string, string> {
  return {
    gpu: String(gpu),
    UUID: `GPU-3f1c2a4e-0b6d-4e8a-9c21-00000000000${gpu}`,
    device: `nvidia${gpu}`,
    modelName: 'NVIDIA H100 80GB HBM3',
    Hostname: 'gpu-node-1',
    DCGM_FI_DRIVER_VERSION: '550.90.07',
    container: 'nvidia-dcgm-exporter',
    endpoint: 'gpu-metrics',
    instance: '10.0.0.7:9400',
    job: 'nvidia-dcgm-exporter',
    namespace: 'gpu-operator',
    pod: 'nvidia-dcgm-exporter-7xk2p',
    service: 'nvidia-dcgm-exporter',
    exported_container: container,
    exported_namespace: 'serving',
    exported_pod: pod,
  };
}

// Help strings as vLLM (vllm/v1/metrics/loggers.py), SGLang and DCGM-exporter declare them.
const families: HistoryFamily[] = [
  {
    name: 'vllm:kv_cache_usage_perc',
    type: 'gauge',
    help: 'KV-cache usage. 1 means 100 percent usage.',
    series: [
      series('vllm:kv_cache_usage_perc', IDLE, (i) => 0.02 + (0.03 * (i % 7)) / 6), // 2 % .. 5 %
      series('vllm:kv_cache_usage_perc', BUSY, (i) => 0.95 + (0.04 * (i % 5)) / 4), // 95 % .. 99 %
      series('vllm:kv_cache_usage_perc', DECOY, () => 0.99),
    ],
  },
  {
    name: 'vllm:gpu_cache_usage_perc',
    type: 'gauge',
    help: 'GPU KV-cache usage. 1 means 100 percent usage.',
    series: STS.map((l) => series('vllm:gpu_cache_usage_perc', l, () => 0.1)),
  },
  {
    name: 'vllm:num_requests_running',
    type: 'gauge',
    help: 'Number of requests in model execution batches.',
    series: [
      series('vllm:num_requests_running', IDLE, (i) => i % 4),
      series('vllm:num_requests_running', BUSY, () => 64),
      series('vllm:num_requests_running', DECOY, () => 64),
      ...STS.map((l) => series('vllm:num_requests_running', l, () => 2)),
    ],
  },
  {
    name: 'vllm:num_requests_waiting',
    type: 'gauge',
    help: 'Number of requests waiting to be processed.',
    series: [
      series('vllm:num_requests_waiting', IDLE, () => 0),
      series('vllm:num_requests_waiting', BUSY, (i) => 10 + (i % 11)), // 10 .. 20
      series('vllm:num_requests_waiting', DECOY, () => 30),
      ...STS.map((l) => series('vllm:num_requests_waiting', l, () => 0)),
    ],
  },
  {
    name: 'vllm:generation_tokens',
    type: 'counter',
    help: 'Number of generation tokens processed.',
    series: [
      series('vllm:generation_tokens_total', IDLE, (i) => 100 * STEP_S * i), // 100 tokens/s
      series('vllm:generation_tokens_total', BUSY, (i) => 3000 * STEP_S * i),
    ],
  },
  {
    name: 'DCGM_FI_DEV_GPU_UTIL',
    type: 'gauge',
    help: 'GPU utilization (in %).',
    series: [0, 1, 2, 3].map((g) => series('DCGM_FI_DEV_GPU_UTIL', dcgm(g, IDLE.pod!, 'vllm'), () => 3)),
  },
];

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
    prom = await startPrometheusWithHistory(openMetrics(families));
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
    assert.equal(out.length, 4);
    for (const f of out) assert.match(f.message, /Prometheus did not answer/);
  });
});
