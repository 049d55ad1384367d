/**
 * `gpu-workbench rightsize --calibrate` against a real Prometheus (Debian's package) holding a week
 * of vLLM history backfilled with promtool: a Deployment whose two pods each generated 1,100 tokens/s
 * while running 16 requests (hand-chosen figures, 36 % under the roofline's 1,727 for Llama 3.1 8B on
 * one H100 at 512 in / 128 out), with an hour of bursts and two idle hours in every ten that must not
 * count. After calibration, `estimate` at that setting predicts the observed figure and says where it
 * came from. The editor's "Calibrate from Prometheus" (on the stand-in vscode) writes the same entry.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../harness/cliRun.ts';
import {
  FakeDocument,
  installVscodeStub,
  settingValues,
  Uri,
  workspace as editorWorkspace,
} from '../unit/vscodeStub.ts';
import {
  openMetrics,
  startPrometheusWithHistory,
  type HistoryFamily,
  type HistorySeries,
  type PrometheusHistory,
} from '../harness/prometheusHistory.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const manifest = join(repo, 'test', 'fixtures', 'rightsize', 'calibrate.yaml');
installVscodeStub(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')));
const { RightSizeDiagnostics } = await import('../../src/features/rightsize/rightSizeDiagnostics.ts');

const STEP_S = 120;
const POINTS = (7 * 86_400) / STEP_S;
/** Per pod, in the steady hours (7 of every 10): 16 running, 1,100 generated tokens/s. */
const STEADY = { running: 16, tokensPerSecond: 1100 };
const BURST = { running: 40, tokensPerSecond: 2000 };
const IDLE = { running: 1, tokensPerSecond: 60 };
/** Requests finished per step, and their prompt and generated lengths (means 512 and 128). */
const FINISHED_PER_STEP = 100;

function hourOf(i: number): typeof STEADY {
  const h = Math.floor((i * STEP_S) / 3600) % 10;
  return h < 7 ? STEADY : h === 7 ? BURST : IDLE;
}

function podLabels(deployment: string, pod: string): Record<string, string> {
  return {
    container: 'vllm',
    endpoint: 'http',
    instance: `${pod}:8000`,
    job: deployment,
    namespace: 'fleet',
    pod,
    service: deployment,
    model_name: 'meta-llama/Llama-3.1-8B-Instruct',
  };
}

function history(nowS: number): HistoryFamily[] {
  const endS = Math.floor(nowS / STEP_S) * STEP_S - STEP_S;
  const at = (i: number) => endS - (POINTS - 1 - i) * STEP_S;
  const series = (name: string, labels: Record<string, string>, value: (i: number) => number): HistorySeries => ({
    name,
    labels,
    points: Array.from({ length: POINTS }, (_, i): [number, number] => [at(i), value(i)]),
  });
  const counter = (perStep: (i: number) => number) => {
    const totals = [0];
    for (let i = 1; i < POINTS; i++) totals.push(totals[i - 1]! + perStep(i));
    return (i: number) => totals[i]!;
  };
  const steady = ['llama-steady-7d9f8c6b5-x2k4p', 'llama-steady-7d9f8c6b5-m8n2q'].map((p) =>
    podLabels('llama-steady', p),
  );
  const quiet = podLabels('llama-quiet', 'llama-quiet-5f6d8b9c7-q8w2e');
  const generated = counter((i) => hourOf(i).tokensPerSecond * STEP_S);
  const finished = counter(() => FINISHED_PER_STEP);
  const lengths = (base: string, mean: number): HistoryFamily => ({
    name: base,
    type: 'histogram',
    help: base.endsWith('prompt_tokens')
      ? 'Number of prefill tokens processed.'
      : 'Number of generation tokens processed.',
    series: steady.flatMap((l) => [
      series(`${base}_bucket`, { ...l, le: '+Inf' }, finished),
      series(`${base}_sum`, l, (i) => finished(i) * mean),
      series(`${base}_count`, l, finished),
    ]),
  });
  // Names, types and help strings as vllm/v1/metrics/loggers.py declares them.
  return [
    {
      name: 'vllm:num_requests_running',
      type: 'gauge',
      help: 'Number of requests in model execution batches.',
      series: [
        ...steady.map((l) => series('vllm:num_requests_running', l, (i) => hourOf(i).running)),
        series('vllm:num_requests_running', quiet, (i) => i % 3),
      ],
    },
    {
      name: 'vllm:num_requests_waiting',
      type: 'gauge',
      help: 'Number of requests waiting to be processed.',
      series: [...steady, quiet].map((l) => series('vllm:num_requests_waiting', l, () => 0)),
    },
    {
      name: 'vllm:kv_cache_usage_perc',
      type: 'gauge',
      help: 'KV-cache usage. 1 means 100 percent usage.',
      series: [...steady, quiet].map((l) => series('vllm:kv_cache_usage_perc', l, () => 0.3)),
    },
    {
      name: 'vllm:generation_tokens',
      type: 'counter',
      help: 'Number of generation tokens processed.',
      series: [
        ...steady.map((l) => series('vllm:generation_tokens_total', l, generated)),
        series(
          'vllm:generation_tokens_total',
          quiet,
          counter(() => 20 * STEP_S),
        ),
      ],
    },
    lengths('vllm:request_prompt_tokens', 512),
    lengths('vllm:request_generation_tokens', 128),
  ];
}

interface EstimateJson {
  outputTokensPerSecond: number;
  performance: { source: string; calibrationFile?: string };
}

describe('gpu-workbench rightsize --calibrate against a week of Prometheus history', { timeout: 300_000 }, () => {
  let prom: PrometheusHistory;
  const workspace = mkdtempSync(join(tmpdir(), 'gpu-workbench-fleet-calibration-'));
  const estimateArgs = [
    'estimate',
    '--model',
    'meta-llama/Llama-3.1-8B-Instruct',
    '--gpu',
    'h100-sxm',
    '--tp',
    '1',
    '--input-tokens',
    '512',
    '--output-tokens',
    '128',
    '--concurrency',
    '16',
    '--json',
  ];
  const estimate = async (): Promise<EstimateJson> => {
    const r = await runCli(estimateArgs, { cwd: workspace, timeoutMs: 120_000, env: { HF_HUB_OFFLINE: '1' } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as EstimateJson;
  };
  let before_: EstimateJson;
  let text: { code: number | null; stdout: string; stderr: string };

  before(async () => {
    prom = await startPrometheusWithHistory(openMetrics(history(Math.floor(Date.now() / 1000))));
    before_ = await estimate();
    text = await runCli(['rightsize', manifest, '--prometheus', prom.url, '--calibrate'], {
      cwd: workspace,
      timeoutMs: 120_000,
    });
  });
  after(async () => {
    await prom?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('before calibration the figure is the roofline, far (over 30 %) from the observed 1,100 tokens/s', () => {
    assert.equal(before_.performance.source, 'roofline');
    assert.ok(before_.outputTokensPerSecond > 1100 * 1.3, String(before_.outputTokensPerSecond));
  });

  test('the steady Deployment is calibrated at 16 running from its steady hours; the quiet one says why not', () => {
    assert.equal(text.stderr, '', text.stderr);
    assert.match(
      text.stdout,
      /Calibrated meta-llama\/Llama-3\.1-8B-Instruct on h100-sxm x 1 \(vllm\) from Deployment fleet\/llama-steady: 1100 generated tokens\/s per replica at 16 running requests \(\d+ minutes; mean lengths 512 in \/ 128 out\)/,
    );
    // 168 hours, 16.8 cycles of ten: 7 x 16 = 112 to 7 x 17 = 119 steady hours (7,140 minutes), less
    // up to 10 minutes at each of 17 block starts where the 5-minute rate still mixes in the idle hour.
    const minutes = Number(/at 16 running requests \((\d+) minutes/.exec(text.stdout)![1]);
    assert.ok(minutes >= 112 * 60 - 17 * 10 && minutes <= 119 * 60, String(minutes));
    assert.match(
      text.stdout,
      /Deployment fleet\/llama-quiet: not calibrated: only 0 minutes of the window had at least 4 requests running per pod/,
    );
    const file = JSON.parse(readFileSync(join(workspace, '.gpu-workbench', 'calibration.json'), 'utf8')) as {
      entries: { model: string; gpu: string; tp: number; source: { file: string; observed?: { at: string } } }[];
    };
    assert.equal(file.entries.length, 1);
    assert.equal(file.entries[0]!.source.file, `prometheus ${prom.url} window 7d fleet/llama-steady`);
    assert.ok(Date.now() - Date.parse(file.entries[0]!.source.observed!.at) < 3 * 3600_000);
  });

  test('afterwards estimate at that setting predicts the observed 1,100 tokens/s (within 2 %), tagged calibrated from Prometheus', async () => {
    const after_ = await estimate();
    assert.equal(after_.performance.source, 'calibrated');
    assert.equal(after_.performance.calibrationFile, `prometheus ${prom.url} window 7d fleet/llama-steady`);
    assert.ok(Math.abs(after_.outputTokensPerSecond - 1100) / 1100 <= 0.02, String(after_.outputTokensPerSecond));
  });

  test('the editor\'s "Calibrate from Prometheus" fits the open manifest into that workspace\'s calibration.json', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gpu-workbench-editor-calibration-'));
    settingValues.set('prometheus.url', prom.url);
    editorWorkspace.textDocuments.push(new FakeDocument(Uri.file(manifest), readFileSync(manifest, 'utf8')));
    const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
    const diagnostics = new RightSizeDiagnostics(
      Uri.file('/ext') as never,
      { get: async () => undefined } as never,
      log as never,
    );
    try {
      const done = await diagnostics.calibrate(folder);
      assert.equal(done?.workloads, 2);
      assert.deepEqual(
        done.outcome.entries.map((e) => [
          e.workload,
          e.entry.source.measured.outputTokensPerSecond,
          e.entry.source.setting.concurrency,
        ]),
        [['Deployment fleet/llama-steady', 1100, 16]],
      );
      assert.match(done.outcome.skipped.join('\n'), /fleet\/llama-quiet: not calibrated/);
      const r = await runCli(estimateArgs, { cwd: folder, timeoutMs: 120_000, env: { HF_HUB_OFFLINE: '1' } });
      const json = JSON.parse(r.stdout) as EstimateJson;
      assert.equal(json.performance.source, 'calibrated');
      assert.ok(Math.abs(json.outputTokensPerSecond - 1100) / 1100 <= 0.02, String(json.outputTokensPerSecond));
    } finally {
      diagnostics.dispose();
      settingValues.delete('prometheus.url');
      editorWorkspace.textDocuments.splice(0);
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('--json carries the entries and the skipped workloads beside the findings', async () => {
    const r = await runCli(['rightsize', manifest, '--prometheus', prom.url, '--calibrate', '--json'], {
      cwd: workspace,
      timeoutMs: 120_000,
    });
    const json = JSON.parse(r.stdout) as {
      findings: unknown[];
      calibration: { file: string; entries: { workload: string }[]; skipped: string[] };
    };
    assert.ok(Array.isArray(json.findings));
    assert.deepEqual(
      json.calibration.entries.map((e) => e.workload),
      ['Deployment fleet/llama-steady'],
    );
    assert.equal(json.calibration.skipped.length, 1);
  });
});
