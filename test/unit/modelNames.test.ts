/** Model names as published serving samples write them -> the catalog entry (and how it was matched). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveModelName, sameModelName, weightFormatFromName } from '../../src/core/catalog/modelNames.ts';
import { findModel, findModelLoosely, matchModelName } from '../../src/core/catalog/models.ts';

describe('model names', () => {
  test('case, organization, local paths, the Hugging Face cache and storage URIs', () => {
    const cases: [string, string, string][] = [
      ['QWEN/QWEN3-8B', 'Qwen/Qwen3-8B', 'case'],
      ['qwen3-8b', 'Qwen/Qwen3-8B', 'name'],
      ['/models/Qwen3-8B/', 'Qwen/Qwen3-8B', 'path'],
      [
        '/root/.cache/huggingface/hub/models--Qwen--Qwen2.5-7B-Instruct/snapshots/0123abc',
        'Qwen/Qwen2.5-7B-Instruct',
        'path',
      ],
      ['s3://bucket/models/Llama-3.3-70B-Instruct/', 'meta-llama/Llama-3.3-70B-Instruct', 'path'],
      ['hf://meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct', 'path'],
    ];
    for (const [written, id, how] of cases) assert.deepEqual(matchModelName(written), { id, how }, written);
  });

  test('renamed Hub ids and quantized checkpoints: the base geometry in the stated format', () => {
    assert.deepEqual(matchModelName('meta-llama/Meta-Llama-3.1-405B-Instruct'), {
      id: 'meta-llama/Llama-3.1-405B-Instruct',
      how: 'alias',
    });
    const quantized: [string, string, string][] = [
      ['hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4', 'meta-llama/Llama-3.1-70B-Instruct', 'int4'],
      ['Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4', 'Qwen/Qwen2.5-72B-Instruct', 'int4'],
      ['Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8', 'Qwen/Qwen2.5-7B-Instruct', 'int8'],
      ['neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8', 'meta-llama/Llama-3.1-8B-Instruct', 'fp8'],
      ['RedHatAI/Qwen3-8B-FP8-dynamic', 'Qwen/Qwen3-8B', 'fp8'],
      ['unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit', 'meta-llama/Llama-3.1-8B-Instruct', 'int4'],
    ];
    for (const [written, id, format] of quantized)
      assert.deepEqual(matchModelName(written), { id, how: 'quantized', weightFormat: format }, written);
    assert.equal(weightFormatFromName('/models/Qwen3-32B-AWQ/'), 'int4');
    assert.equal(weightFormatFromName('Qwen/Qwen3-32B'), undefined);
  });

  test('relatives of the same geometry are matched as variants, never as the model itself', () => {
    const variants: [string, string][] = [
      ['Qwen/Qwen3-235B-A22B-Instruct-2507', 'Qwen/Qwen3-235B-A22B'],
      ['Qwen/Qwen3-8B-Base', 'Qwen/Qwen3-8B'],
      ['deepseek-ai/DeepSeek-R1-Distill-Llama-70B', 'meta-llama/Llama-3.3-70B-Instruct'],
      ['deepseek-ai/DeepSeek-R1-Distill-Qwen-32B', 'Qwen/Qwen2.5-32B-Instruct'],
      ['google/gemma-1.1-7b-it', 'google/gemma-7b-it'],
    ];
    for (const [written, id] of variants) {
      assert.deepEqual(matchModelName(written), { id, how: 'variant' }, written);
      assert.equal(sameModelName(written, id), false, written);
    }
    assert.equal(sameModelName('/models/Qwen3-8B', 'Qwen/Qwen3-8B'), true);
  });

  test('findModel: a quantized name carries its format; a relative is only an explicit approximation', () => {
    // The int4 name sizes the 70B geometry at 4 bits (plus scales), not in bf16.
    assert.equal(
      findModel('hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4')?.architecture.quantization?.format,
      'int4',
    );
    assert.equal(findModel('meta-llama/Llama-3.1-70B-Instruct')?.architecture.quantization, undefined);
    // A caller that can read the real config.json (estimate, the Hub) is not handed an approximation.
    assert.equal(findModel('Qwen/Qwen3-8B-Base'), undefined);
    assert.equal(findModelLoosely('Qwen/Qwen3-8B-Base')?.id, 'Qwen/Qwen3-8B');
    assert.equal(findModelLoosely('Qwen/Qwen3-8B'), undefined);
    // A path is read by those who can read files; the linter matches its name.
    assert.equal(findModel('/models/Qwen3-8B/'), undefined);
    assert.equal(findModelLoosely('/models/Qwen3-8B/')?.id, 'Qwen/Qwen3-8B');
  });

  test('different models stay different', () => {
    for (const written of [
      'meta-llama/Llama-3.2-11B-Vision-Instruct',
      'microsoft/Phi-3-mini-128k-instruct',
      '/models',
      'facebook/opt-125m',
      '',
    ])
      assert.equal(findModel(written), undefined, written);
    assert.equal(resolveModelName('Qwen/Qwen3-8B', ['Qwen/Qwen3-14B']), undefined);
  });
});
