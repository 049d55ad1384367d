/**
 * The catalog models added for public serving samples: parameters computed from each config.json
 * against the count the Hugging Face Hub publishes for the checkpoint (its safetensors metadata).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findModel } from '../../src/core/catalog/models.ts';
import { countParameters } from '../../src/core/sizing/parameters.ts';

// [id, published parameters in billions (Hub model page, "Model size")]
const PUBLISHED: [string, number][] = [
  ['google/gemma-2b-it', 2.51],
  ['google/gemma-7b-it', 8.54],
  ['google/gemma-2-2b-it', 2.61],
  ['meta-llama/Meta-Llama-3-8B-Instruct', 8.03],
  ['meta-llama/Meta-Llama-3-70B-Instruct', 70.6],
  ['meta-llama/Llama-2-7b-chat-hf', 6.74],
  ['meta-llama/Llama-2-13b-chat-hf', 13.0],
  ['meta-llama/Llama-2-70b-chat-hf', 69.0],
  ['TinyLlama/TinyLlama-1.1B-Chat-v1.0', 1.1],
  ['mistralai/Mistral-7B-Instruct-v0.2', 7.24],
  ['Qwen/Qwen2.5-1.5B-Instruct', 1.54],
  ['Qwen/Qwen2.5-3B-Instruct', 3.09],
  ['Qwen/Qwen2.5-VL-3B-Instruct', 3.75],
  ['Qwen/Qwen2.5-VL-7B-Instruct', 8.29],
  ['Qwen/Qwen2.5-VL-72B-Instruct', 73.4],
  ['microsoft/Phi-3.5-mini-instruct', 3.82],
];

describe('catalog models of public serving samples', () => {
  for (const [id, billions] of PUBLISHED) {
    test(`${id}: ${billions} B parameters, within 1 %`, () => {
      const model = findModel(id);
      assert.ok(model, id);
      const total = countParameters(model.architecture).total / 1e9;
      assert.ok(Math.abs(total - billions) / billions < 0.01, `${total.toFixed(3)} B computed`);
    });
  }
});
