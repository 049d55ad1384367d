/** SGLang's memory split: its defaults by card (server_args.py) by hand, and its published start-up logs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { vllmDefaults } from '../../src/core/sizing/servingMemory.ts';
import { estimateSglangMemory, sglangDefaults, sglangVersionFromImage } from '../../src/core/sizing/sglangMemory.ts';

describe('mem_fraction_static defaults', () => {
  test('H100 at TP 1: reserved max(512 + 8192 x 1.5 + 256 x 2 + 1/8 x 1024, 10240) = 13440 MiB; (81559 - 13440) / 81559 = 0.835', () => {
    const d = sglangDefaults(findGpu('h100-sxm')!, 1);
    assert.equal(d.reservedMiB, 13440);
    assert.equal(d.memFractionStatic, 0.835);
    assert.deepEqual([d.chunkedPrefillSize, d.cudaGraphMaxBs], [8192, 256]);
  });

  test('L4 at TP 1: 512 + 2048 x 1.5 + 24 x 2 + 128 = 3760 MiB; (23034 - 3760) / 23034 = 0.837', () => {
    const d = sglangDefaults(findGpu('l4')!, 1);
    assert.equal(d.reservedMiB, 3760);
    assert.equal(d.memFractionStatic, 0.837);
  });

  test('before 0.5.3 the fraction followed TP only: 0.85 at TP 4 (the published QwQ-32B log on 4 L4s)', () => {
    assert.equal(sglangDefaults(findGpu('l4')!, 4, 1, '0.4.3.post4').memFractionStatic, 0.85);
    assert.equal(sglangDefaults(findGpu('h100-sxm')!, 8, 1, '0.4.9').memFractionStatic, 0.81);
  });
});

describe('the KV pool', () => {
  test('QwQ-32B on 4 L4s with 0.4.3.post4 defaults: 46,611 tokens logged, "K size: 1.42 GB"', () => {
    // https://github.com/didier-durand/llms-in-clouds/blob/b001c8690e894d234cf3a2e2345d259173acf293/docs/sglang.md
    const a = findModel('Qwen/Qwen2.5-32B-Instruct')!.architecture;
    const l4 = findGpu('l4')!;
    const e = estimateSglangMemory(
      a,
      l4,
      { ...vllmDefaults(a, l4), tp: 4, maxModelLen: 32768 },
      { sglangVersion: '0.4.3.post4' },
    );
    assert.ok(Math.abs(e.kvCacheTokens - 46611) / 46611 < 0.01, String(e.kvCacheTokens));
    // 64 layers x 2 KV heads per GPU x 128 x 2 B = 32 KiB of K per token: 46,611 x 32 KiB = 1.42 GiB.
    assert.ok(Math.abs(e.kvCacheBytes / 2 / 2 ** 30 - 1.42) < 0.02);
  });

  test('weights beyond the static share: SGLang asks for a larger --mem-fraction-static', () => {
    const a = findModel('meta-llama/Llama-3.1-70B-Instruct')!.architecture;
    const h100 = findGpu('h100-sxm')!;
    const e = estimateSglangMemory(a, h100, { ...vllmDefaults(a, h100), tp: 1, maxModelLen: 8192 });
    assert.equal(e.fits, false);
    assert.match(e.problems[0] ?? '', /increase --mem-fraction-static/);
  });
});

test('SGLang image tags name the release', () => {
  assert.equal(sglangVersionFromImage('lmsysorg/sglang:v0.4.9.post2-cu126'), '0.4.9.post2');
  assert.equal(sglangVersionFromImage('docker.io/lmsysorg/sglang:v0.5.3rc0'), undefined);
  assert.equal(sglangVersionFromImage('lmsysorg/sglang:v0.5.4'), '0.5.4');
  assert.equal(sglangVersionFromImage('lmsysorg/sglang:latest'), undefined);
  assert.equal(sglangVersionFromImage('vllm/vllm-openai:v0.11.0'), undefined);
});
