/**
 * Throughput and latency from the command line: `estimate` at a concurrency or a request rate,
 * `suggest` at the requested operating point, and `calibrate` on a result file in the format
 * `vllm bench serve --save-result` writes, whose fit the next `estimate` in that workspace uses.
 * Published figures: GPUStack's vLLM performance lab, Qwen3-8B on one H100 at concurrency 1,
 * ShareGPT prompts (233 in / 221 out on average): 132.86 output tokens/s, TPOT 7.28 ms
 * (https://github.com/gpustack/gpustack/blob/1dbc3b8130da92d31539404545a1aff5c3992f8c/docs/performance-lab/qwen3-8b/h100-latency.md).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const repo = resolve(import.meta.dirname, '..', '..');
const cli = join(repo, 'bin', 'gpu-workbench.js');
const workspace = mkdtempSync(join(tmpdir(), 'gpu-workbench-perf-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

async function run(args: string[], cwd = workspace): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, HF_HUB_OFFLINE: '1' },
      cwd,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function within(actual: number, expected: number, relative: number, what: string) {
  assert.ok(
    Math.abs(actual - expected) / expected <= relative,
    `${what}: ${actual} vs ${expected} (over ${relative * 100} %)`,
  );
}

const QWEN_C1 = ['--model', 'Qwen/Qwen3-8B', '--gpu', 'h100-sxm', '--input-tokens', '233', '--output-tokens', '221'];

describe('gpu-workbench estimate with a load', () => {
  test("--concurrency 1 --json: output tokens/s and TPOT near GPUStack's 132.86 tok/s and 7.28 ms", async () => {
    const r = await run(['estimate', ...QWEN_C1, '--tp', '1', '--concurrency', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    within(json.outputTokensPerSecond, 132.86, 0.15, 'output tokens/s');
    within(json.tpotMs, 7.28, 0.15, 'TPOT');
    assert.ok(json.ttftMs > 0 && json.ttftP50Ms <= json.ttftP90Ms && json.ttftP90Ms <= json.ttftP99Ms);
    assert.equal(json.performance.source, 'roofline');
    assert.equal(json.performance.engine, 'vllm');
    assert.ok(json.performance.assumptions.length >= 5);
    assert.equal(json.kvCacheTokens > 0, true, 'the memory estimate is still there');
  });

  test('--rps: an open loop below saturation completes the requests it is sent', async () => {
    const r = await run(['estimate', ...QWEN_C1, '--rps', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    within(JSON.parse(r.stdout).requestsPerSecond, 4, 0.1, 'requests/s');
  });

  test('text output tags its figures; bad flags are usage errors', async () => {
    const r = await run(['estimate', ...QWEN_C1, '--concurrency', '8', '--engine', 'sglang']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Throughput and latency \(sglang, roofline\)/);
    assert.equal((await run(['estimate', ...QWEN_C1, '--concurrency', '8', '--rps', '2'])).code, 2);
    assert.equal((await run(['estimate', ...QWEN_C1, '--concurrency', '8', '--engine', 'tgi'])).code, 2);
  });
});

describe('gpu-workbench suggest at the requested operating point', () => {
  test('concurrency 1: one request per replica, not the largest batch the KV cache holds', async () => {
    const r = await run([
      'suggest',
      ...QWEN_C1.filter((a) => a !== '--gpu' && a !== 'h100-sxm'),
      '--gpu',
      'h100-sxm',
      '--context',
      '8192',
      '--concurrency',
      '1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.best.batch, 1);
    within(json.best.perReplica.tokensPerSecond, 132.86, 0.15, 'output tokens/s');
    assert.equal(json.best.source, 'roofline');
  });

  test('--engine, --dtype and --kv-cache-dtype reach the suggestion', async () => {
    const r = await run([
      'suggest',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--gpu',
      'h100-sxm',
      '--engine',
      'trtllm',
      '--dtype',
      'fp8',
      '--kv-cache-dtype',
      'fp8',
      '--concurrency',
      '64',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.best.engine, 'trtllm');
    assert.ok(json.best.assumptions.some((a: string) => a.includes('fp8 weights')));
    assert.equal((await run(['suggest', '--model', 'Qwen/Qwen3-8B', '--dtype', 'fp4', '--concurrency', '1'])).code, 2);
  });
});

describe('gpu-workbench calibrate', () => {
  test('a vllm bench serve result file: the fit is stored in the workspace and used by the next estimate', async () => {
    copyFileSync(
      join(repo, 'test', 'fixtures', 'perf', 'benchmark_serving-qwen3-8b-h100-c4.json'),
      join(workspace, 'run.json'),
    );
    const r = await run(['calibrate', '--result', 'run.json', '--gpu', 'h100-sxm', '--tp', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const stored = JSON.parse(readFileSync(join(workspace, '.gpu-workbench', 'calibration.json'), 'utf8'));
    assert.equal(stored.entries.length, 1);
    assert.equal(stored.entries[0].model, 'Qwen/Qwen3-8B');
    const e = await run([
      'estimate',
      ...QWEN_C1.slice(0, 4),
      '--input-tokens',
      '233',
      '--output-tokens',
      '221',
      '--concurrency',
      '4',
      '--json',
    ]);
    assert.equal(e.code, 0, e.stderr);
    const json = JSON.parse(e.stdout);
    // At the file's own setting the measurement is reported, tagged measured.
    assert.equal(json.performance.source, 'measured');
    assert.equal(json.performance.calibrationFile, 'run.json');
    within(json.outputTokensPerSecond, 496.88, 0.001, 'output tokens/s');
    within(json.tpotMs, 7.38, 0.001, 'TPOT');
    within(json.ttftMs, 64.0, 0.001, 'TTFT');
    // Elsewhere the fitted model answers, tagged calibrated.
    const other = await run([
      'estimate',
      ...QWEN_C1.slice(0, 4),
      '--input-tokens',
      '233',
      '--output-tokens',
      '221',
      '--concurrency',
      '8',
      '--json',
    ]);
    assert.equal(JSON.parse(other.stdout).performance.source, 'calibrated');
  });

  test('a file that is not a benchmark result is refused', async () => {
    copyFileSync(join(repo, 'package.json'), join(workspace, 'not-a-run.json'));
    const r = await run(['calibrate', '--result', 'not-a-run.json', '--gpu', 'h100-sxm']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a vllm bench serve/);
  });
});
