/**
 * Property-based checks (fast-check): 10,000 generated and mutated manifests, pbtxt files and
 * command lines through every parser and rule. No exception escapes, every finding lies inside
 * the text, every fix applies inside it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { lintText } from '../../src/core/lint/lint.ts';

const examples = resolve(import.meta.dirname, '..', '..', 'examples');
const request = { findModel: (id: string) => findModel(id)?.architecture, defaultGpu: findGpu('h100-sxm') };
const files = (readdirSync(examples, { recursive: true }) as string[])
  .filter((f) => /\.(ya?ml|pbtxt|sh)$/.test(f))
  .map((f) => ({ name: f, text: readFileSync(join(examples, f), 'utf8') }));

function checkLint(path: string, text: string): void {
  const { findings } = lintText(path, text, request);
  for (const f of findings) {
    assert.ok(
      f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length,
      `${f.ruleId} span ${JSON.stringify(f.span)} outside ${text.length}`,
    );
    for (const e of f.fix?.edits ?? [])
      assert.ok(
        e.span.start >= 0 && e.span.end <= text.length && e.span.start <= e.span.end,
        `${f.ruleId} fix outside the text`,
      );
  }
}

const nasty = fc.constantFrom(
  '',
  ' ',
  '\n',
  ':',
  '- ',
  '&a',
  '*a',
  '<<: *a',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '\t',
  '---',
  '\\',
  '|',
  '>',
  '\u0000',
  '\ud800',
  '--tensor-parallel-size',
  '--tensor-parallel-size=',
  'nvidia.com/gpu: ',
  'count: all',
  'num_gpus: 0.',
  '-1',
  '1e309',
  'NaN',
  'vllm serve ',
  'instance_group [',
  'max_batch_size: 0',
  'dynamic_batching {',
);

/** A mutation: insert, delete or duplicate at a position given as a fraction of the text. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    text: fc.oneof(nasty, fc.string({ maxLength: 12 })),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.integer({ min: 1, max: 200 }),
  }),
);

interface Mutation {
  kind: 'insert' | 'delete' | 'duplicate';
  at: number;
  text?: string;
  length?: number;
}

function mutate(text: string, edits: Mutation[]): string {
  let out = text;
  for (const e of edits) {
    const at = Math.floor(e.at * out.length);
    if (e.kind === 'insert') out = out.slice(0, at) + (e.text ?? '') + out.slice(at);
    else if (e.kind === 'delete') out = out.slice(0, at) + out.slice(at + (e.length ?? 1));
    else out = out.slice(0, at) + out.slice(at, at + (e.length ?? 1)) + out.slice(at);
  }
  return out;
}

describe('fuzzing the linter', () => {
  test('4,000 mutated examples of every format', () => {
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(mutation, { minLength: 1, maxLength: 6 }), (file, edits) =>
        checkLint(file.name, mutate(file.text, edits)),
      ),
      { numRuns: 4000 },
    );
  });

  test('2,000 generated Kubernetes manifests with odd values', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 100 }).map(String),
      fc.constantFrom('"2"', 'all', '0.5', '1e3', '"', '[]', '{}', '~', '&x', '*x'),
      fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
    );
    const manifest = fc.record({
      kind: fc.constantFrom(
        'Pod',
        'Deployment',
        'StatefulSet',
        'Job',
        'CronJob',
        'DaemonSet',
        'LeaderWorkerSet',
        'InferenceService',
        'ServingRuntime',
        'Unknown',
      ),
      model: fc.constantFrom('meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen2.5-7B-Instruct', 'acme/x', '', '"'),
      tp: value,
      gpus: value,
      request: value,
      product: fc.constantFrom('NVIDIA-H100-80GB-HBM3', 'nvidia-l4', 'p4d.24xlarge', 'weird', ''),
    });
    fc.assert(
      fc.property(manifest, (m) => {
        const pod = `spec:\n  nodeSelector:\n    nvidia.com/gpu.product: ${m.product || '""'}\n  containers:\n    - name: c\n      args: ["--model", "${m.model}", "--tensor-parallel-size", ${m.tp}]\n      resources:\n        requests: {nvidia.com/gpu: ${m.request}}\n        limits:\n          nvidia.com/gpu: ${m.gpus}\n`;
        const nested = pod.replace(/^/gm, '      ');
        const text =
          m.kind === 'Pod'
            ? `apiVersion: v1\nkind: Pod\n${pod}`
            : `apiVersion: apps/v1\nkind: ${m.kind}\nspec:\n  replicas: ${m.gpus}\n  template:\n${nested.replace(/^ {6}spec:/m, '    spec:')}`;
        checkLint('m.yaml', text);
      }),
      { numRuns: 2000 },
    );
  });

  test('2,000 generated config.pbtxt files', () => {
    const token = fc.constantFrom(
      'name',
      ':',
      '"x"',
      '{',
      '}',
      '[',
      ']',
      ',',
      'instance_group',
      'count',
      '2',
      'kind',
      'KIND_GPU',
      'max_batch_size',
      '0',
      'dynamic_batching',
      'backend',
      '"vllm"',
      '<',
      '>',
      '#c\n',
      '\n',
      '"unterminated',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => checkLint('config.pbtxt', tokens.join(' '))),
      { numRuns: 2000 },
    );
  });

  test('2,000 generated command lines', () => {
    const word = fc.constantFrom(
      'vllm',
      'serve',
      'text-generation-launcher',
      'python',
      '-m',
      'vllm.entrypoints.openai.api_server',
      'Qwen/Qwen3-8B',
      '--model',
      '--model-id',
      '--tensor-parallel-size',
      '-tp',
      '--num-shard',
      '--max-model-len',
      '--gpu-memory-utilization',
      '0.9',
      '8',
      '-3',
      '1e400',
      "'",
      '"',
      '\\\n',
      ';',
      '|',
      '&&',
      '#',
      '--max-model-len=',
      '=',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), (words) => checkLint('run.sh', words.join(' '))),
      { numRuns: 2000 },
    );
  });
});

describe('counterexamples fast-check found', () => {
  test('an unterminated quote after --gpu-memory-utilization is no value: no finding, no fix past the end', () => {
    const text = "vllm serve --gpu-memory-utilization '";
    checkLint('run.sh', text);
    const { findings } = lintText('run.sh', text, request);
    assert.equal(findings.filter((f) => f.ruleId === 'gpu-memory-utilization-range').length, 0);
  });
});
