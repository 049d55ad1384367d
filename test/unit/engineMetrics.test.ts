/** An engine's /metrics page read as the Model services view shows it; figures by hand beside each test. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  engineSnapshot,
  histogramQuantile,
  parseExposition,
  recognizeEngine,
} from '../../src/core/services/engineMetrics.ts';

const page = readFileSync(
  join(resolve(import.meta.dirname, '..', '..'), 'test', 'fixtures', 'services', 'vllm-metrics.txt'),
  'utf8',
);

describe('engine metrics', () => {
  test("vLLM's page: gauges, counters, the model and both histograms", () => {
    const s = engineSnapshot(parseExposition(page));
    assert.equal(s.engine, 'vllm');
    assert.equal(s.model, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(s.kvCacheUsage, 0.25);
    assert.equal(s.running, 3);
    assert.equal(s.waiting, 1);
    assert.equal(s.generationTokensTotal, 3400);
    assert.equal(s.promptTokensTotal, 12000);
    assert.equal(s.preemptionsTotal, 2);
    // TTFT: 10 requests; p50 rank 5 falls in (0.1, 0.25] holding 4..8: 0.1 + 0.15 x 1/4 = 0.1375;
    // p95 rank 9.5 in (0.25, 0.5] holding 8..10: 0.25 + 0.25 x 1.5/2 = 0.4375.
    assert.ok(Math.abs(s.ttftSeconds!.p50! - 0.1375) < 1e-12);
    assert.ok(Math.abs(s.ttftSeconds!.p95! - 0.4375) < 1e-12);
    // TPOT (old name): 3400 tokens; p50 rank 1700 in (0.025, 0.05] holding 1000..3000:
    // 0.025 + 0.025 x 700/2000 = 0.03375.
    assert.ok(Math.abs(s.tpotSeconds!.p50! - 0.03375) < 1e-12);
  });

  test('SGLang and TGI names; garbage lines skipped', () => {
    const sglang = engineSnapshot(
      parseExposition(
        [
          '# TYPE sglang:token_usage gauge',
          'sglang:token_usage{model_name="Qwen/Qwen3-8B",engine_type="unified",tp_rank="0",pp_rank="0"} 0.28',
          'sglang:num_running_reqs{model_name="Qwen/Qwen3-8B"} 5.0',
          'sglang:num_queue_reqs{model_name="Qwen/Qwen3-8B"} 0.0',
          'this is not a sample',
          'sglang:num_queue_reqs{model_name="x"} not-a-number',
        ].join('\n'),
      ),
    );
    assert.deepEqual([sglang.engine, sglang.kvCacheUsage, sglang.running, sglang.waiting], ['sglang', 0.28, 5, 0]);
    const tgi = engineSnapshot(parseExposition('tgi_queue_size 7\ntgi_batch_current_size 4\n'));
    assert.deepEqual([tgi.engine, tgi.waiting, tgi.running, tgi.kvCacheUsage], ['tgi', 7, 4, undefined]);
  });

  test('histogram_quantile edge cases: empty, all in +Inf', () => {
    assert.equal(histogramQuantile([], 0.5), undefined);
    assert.equal(
      histogramQuantile(
        [
          { le: 1, count: 0 },
          { le: Infinity, count: 3 },
        ],
        0.5,
      ),
      1,
    );
  });

  test('engines by command line', () => {
    assert.deepEqual(
      recognizeEngine(['/usr/bin/python3', '/usr/local/bin/vllm', 'serve', 'Qwen/Qwen3-8B', '--port', '8001']),
      {
        engine: 'vllm',
        model: 'Qwen/Qwen3-8B',
        port: 8001,
      },
    );
    assert.deepEqual(
      recognizeEngine([
        'python3',
        '-m',
        'vllm.entrypoints.openai.api_server',
        '--model=meta-llama/Llama-3.1-8B-Instruct',
      ]),
      { engine: 'vllm', model: 'meta-llama/Llama-3.1-8B-Instruct', port: 8000 },
    );
    assert.deepEqual(
      recognizeEngine(['python3', '-m', 'sglang.launch_server', '--model-path', 'X', '--port', '30001']),
      {
        engine: 'sglang',
        model: 'X',
        port: 30001,
      },
    );
    assert.deepEqual(recognizeEngine(['text-generation-launcher', '--model-id', 'Y']), {
      engine: 'tgi',
      model: 'Y',
      port: 3000,
    });
    assert.equal(recognizeEngine(['python3', 'train.py']), undefined);
    assert.equal(recognizeEngine(['vllm', 'serve', 'm', '--port', '99999'])?.port, 8000);
  });
});
