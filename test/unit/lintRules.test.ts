/**
 * Each rule: text -> findings -> fixed text, and the fixed text lints clean for that rule.
 * Inputs are the realistic files in examples/ (every format) and small cases written here; the
 * expected numbers come from the sizing issue's published vLLM figures and hand arithmetic.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { applyEdits, lintText, type LintRequest } from '../../src/core/lint/lint.ts';
import { LineIndex } from '../../src/core/lint/text.ts';
import type { Finding } from '../../src/core/lint/types.ts';

const examples = resolve(import.meta.dirname, '..', '..', 'examples');
const request: LintRequest = { findModel: (id) => findModel(id)?.architecture };
const withDefaultGpu: LintRequest = { ...request, defaultGpu: findGpu('h100-sxm') };

function lint(path: string, text: string, options = request): Finding[] {
  return lintText(path, text, options).findings;
}

function example(name: string): { path: string; text: string } {
  const path = join(examples, name);
  return { path, text: readFileSync(path, 'utf8') };
}

function only(findings: Finding[], ruleId: string): Finding {
  const matching = findings.filter((f) => f.ruleId === ruleId);
  assert.equal(matching.length, 1, `expected one ${ruleId}, got ${JSON.stringify(findings.map((f) => f.ruleId))}`);
  return matching[0]!;
}

/** Applies the finding's fix and checks the rule no longer fires and the file still parses. */
function fixesClean(path: string, text: string, finding: Finding, options = request): string {
  assert.ok(finding.fix, `${finding.ruleId} offers a fix`);
  const fixed = applyEdits(text, finding.fix.edits);
  const after = lint(path, fixed, options);
  assert.deepEqual(
    after.filter((f) => f.ruleId === finding.ruleId || f.ruleId === 'file-not-linted'),
    [],
    `after the fix:\n${fixed}`,
  );
  return fixed;
}

function lineOf(text: string, f: Finding): number {
  return new LineIndex(text).position(f.span.start).line;
}

describe('gpu-requests-without-limits', () => {
  test('a KServe predictor that only requests a GPU gets the limit added', () => {
    const { path, text } = example('kserve/llama-70b-inferenceservice.yaml');
    const finding = only(lint(path, text), 'gpu-requests-without-limits');
    assert.equal(finding.severity, 'error');
    assert.equal(text.slice(finding.span.start, finding.span.end), '1');
    const fixed = fixesClean(path, text, finding);
    assert.match(fixed, /        limits:\n          nvidia.com\/gpu: 1\n        requests:/);
  });

  test('a request that differs from the limit is set to the limit', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x\n      resources:\n        requests: {nvidia.com/gpu: 1}\n        limits: {nvidia.com/gpu: 2}\n';
    const finding = only(lint('pod.yaml', text), 'gpu-requests-without-limits');
    assert.match(finding.message, /requests 1 nvidia.com\/gpu but limits 2/);
    fixesClean('pod.yaml', text, finding);
  });
});

describe('gpu-count-vs-parallelism', () => {
  test('TGI with NUM_SHARD=4 on 8 reserved GPUs: 4 idle A100s cost 4 x $3.50 = $14.00/h', () => {
    const { path, text } = example('kubernetes/tgi-llama-8b.yaml');
    const finding = only(lint(path, text), 'gpu-count-vs-parallelism');
    assert.equal(finding.severity, 'warning');
    assert.match(
      finding.message,
      /reserves 8 GPUs but TGI runs --num-shard 4 = 4 GPUs: 4 idle GPUs \(\$14\.00\/h at NVIDIA A100 80GB SXM list price\)/,
    );
    assert.match(fixesClean(path, text, finding), /nvidia.com\/gpu: 4/);
  });

  test('fewer GPUs than TP x PP is an error', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      command: [vllm, serve, Qwen/Qwen3-8B, --tensor-parallel-size, "4"]\n      resources:\n        limits: {nvidia.com/gpu: 2}\n';
    const finding = only(lint('pod.yaml', text), 'gpu-count-vs-parallelism');
    assert.equal(finding.severity, 'error');
    fixesClean('pod.yaml', text, finding);
  });
});

describe('tp-divides-attention-heads', () => {
  test('Qwen2.5-7B (28 heads) at tensor parallel 8 in a shell script', () => {
    const { path, text } = example('scripts/serve-qwen2.5-7b.sh');
    const finding = only(lint(path, text), 'tp-divides-attention-heads');
    assert.equal(lineOf(text, finding), 5);
    assert.match(finding.message, /28 attention heads.*Valid sizes: 1, 2, 4/);
    assert.match(fixesClean(path, text, finding), /--tensor-parallel-size 4 \\/);
  });
});

describe('model-does-not-fit', () => {
  test('Llama-3.3-70B in bf16 on one H100: 70.55e9 x 2 B = 131.4 GiB of weights > 71.3 GiB usable', () => {
    const { path, text } = example('kserve/llama-70b-inferenceservice.yaml');
    const finding = only(lint(path, text), 'model-does-not-fit');
    assert.match(finding.message, /weights 131\.4 GiB .* > 71\.3 GiB usable/);
    assert.match(finding.message, /Use tensor parallel 4/);
    assert.equal(text.slice(finding.span.start, finding.span.end), 'meta-llama/Llama-3.3-70B-Instruct');
  });
});

describe('max-model-len-too-long', () => {
  test('Qwen3-32B at 32000 on an H100 needs 7.81 GiB of KV cache for one request; 4.5 GiB are left', () => {
    const text = readFileSync(join(examples, 'kubernetes/vllm-qwen3-32b.yaml'), 'utf8').replace('"16000"', '"32000"');
    const finding = only(lint('q.yaml', text), 'max-model-len-too-long');
    assert.match(
      finding.message,
      /--max-model-len 32,000 needs 7\.81 GiB of KV cache for one request, but 4\.5\d GiB \(18,\d{3} tokens\)/,
    );
    // The fix uses what fits, in whole 256-token steps: 18416 -> 18176.
    assert.match(fixesClean('q.yaml', text, finding), /"--max-model-len", "18\d{3}"/);
  });

  test('beyond max_position_embeddings (Qwen3: 40960)', () => {
    const text = 'vllm serve Qwen/Qwen3-0.6B --max-model-len 65536\n';
    const finding = only(lint('serve.sh', text, withDefaultGpu), 'max-model-len-too-long');
    assert.match(finding.message, /beyond Qwen\/Qwen3-0\.6B's max_position_embeddings \(40,960\)/);
    fixesClean('serve.sh', text, finding, withDefaultGpu);
  });
});

describe('gpu-over-provisioned', () => {
  test('Llama-3.1-8B at TP=2 on H100s fits on one: 26.3 requests of 16000 tokens at TP=1', () => {
    const { path, text } = example('kubernetes/vllm-llama-8b-tp2.yaml');
    const finding = only(lint(path, text), 'gpu-over-provisioned');
    // vLLM's figure for TP=1: 51.38 GiB of KV cache = 420,896 tokens = 26.3 x 16000.
    assert.match(
      finding.message,
      /fits on 1 NVIDIA H100 80GB SXM \(HBM3\) GPU instead of 2: at --tensor-parallel-size 1 the KV cache holds 42\d,\d{3} tokens = 26\.[34] full-length requests of 16,000/,
    );
    // What the "4" is: the linter's floor of full-length requests, as --max-num-seqs is not set.
    assert.match(
      finding.message,
      /requests of 16,000 tokens \(a smaller layout must hold at least 4 at once: the linter's floor when --max-num-seqs is not set\)/,
    );
    // The Deployment has 2 replicas: 2 x 1 extra H100 at $4.00/h = $8.00/h.
    assert.match(finding.message, /2 replicas x 1 idle GPU = 2 GPUs \(\$8\.00\/h/);
    const fixed = fixesClean(path, text, finding);
    // TP and both GPU counts change together, so the GPU-count rule stays quiet too.
    assert.match(fixed, /"--tensor-parallel-size", "1"/);
    assert.equal((fixed.match(/nvidia.com\/gpu: 1/g) ?? []).length, 2);
    assert.deepEqual(
      lint(path, fixed).map((f) => f.ruleId),
      [],
    );
  });

  test('with --max-num-seqs, the smaller layout must hold that many full-length requests, and the message says so', () => {
    const text =
      'vllm serve meta-llama/Llama-3.1-8B-Instruct --tensor-parallel-size 2 --max-num-seqs 8 --max-model-len 16000\n';
    const finding = only(lint('serve.sh', text, withDefaultGpu), 'gpu-over-provisioned');
    assert.match(finding.message, /\(room for the 8 requests --max-num-seqs lets run at once\)/);
    assert.doesNotMatch(finding.message, /at least 4/);
    // 26 full-length requests fit one H100 (51.38 GiB / 128 KiB per token / 16,000): 32 do not, so no saving.
    const many = text.replace('--max-num-seqs 8', '--max-num-seqs 32');
    assert.deepEqual(
      lint('serve.sh', many, withDefaultGpu).filter((f) => f.ruleId === 'gpu-over-provisioned'),
      [],
    );
  });

  test('the clean Qwen3-32B example has no finding at all', () => {
    const { path, text } = example('kubernetes/vllm-qwen3-32b.yaml');
    assert.deepEqual(lint(path, text), []);
  });
});

describe('gpu-memory-utilization-range', () => {
  test('0.98 warns, 1.5 is an error, 0.3 warns; the fix is 0.9', () => {
    const cases: [string, string][] = [
      ['0.98', 'warning'],
      ['1.5', 'error'],
      ['0.3', 'warning'],
    ];
    for (const [value, severity] of cases) {
      const text = `vllm serve Qwen/Qwen3-0.6B --gpu-memory-utilization ${value}\n`;
      const finding = only(lint('s.sh', text), 'gpu-memory-utilization-range');
      assert.equal(finding.severity, severity, value);
      fixesClean('s.sh', text, finding);
    }
  });
});

describe('shm-for-tensor-parallel', () => {
  test('a 4-GPU pod without a memory-backed /dev/shm', () => {
    const { path, text } = example('kubernetes/tgi-llama-8b.yaml');
    assert.match(
      only(lint(path, text), 'shm-for-tensor-parallel').message,
      /is configured for TP 4 \(4 GPUs in the pod, 8 reserved\) but has no memory-backed \/dev\/shm/,
    );
    assert.equal(
      lint(...(Object.values(example('kubernetes/vllm-llama-8b-tp2.yaml')) as [string, string])).filter(
        (f) => f.ruleId === 'shm-for-tensor-parallel',
      ).length,
      0,
    );
  });
});

describe('triton-batching', () => {
  test('two vLLM instances on one GPU: 2 x 0.9 > 1', () => {
    const { path, text } = example('triton/llama-vllm/config.pbtxt');
    const finding = only(lint(path, text), 'triton-batching');
    assert.equal(finding.severity, 'error');
    fixesClean(path, text, finding);
  });

  test('max_batch_size 0 with dynamic_batching', () => {
    const { path, text } = example('triton/resnet/config.pbtxt');
    const finding = only(lint(path, text), 'triton-batching');
    assert.match(finding.message, /max_batch_size 0 turns batching off/);
    fixesClean(path, text, finding);
  });

  test('several instances of a non-LLM model without dynamic batching is a warning without a fix', () => {
    const finding = only(
      lint(
        'config.pbtxt',
        'platform: "onnxruntime_onnx"\nmax_batch_size: 8\ninstance_group [ { count: 3 kind: KIND_GPU } ]\n',
      ),
      'triton-batching',
    );
    assert.equal(finding.severity, 'warning');
    assert.equal(finding.fix, undefined);
  });
});

describe('ray-fractional-gpus', () => {
  test('num_gpus 0.5 with vLLM at 0.9 of the GPU', () => {
    const { path, text } = example('ray-serve/serve-config.yaml');
    const finding = only(lint(path, text), 'ray-fractional-gpus');
    assert.match(finding.message, /2 x 0\.9 > 1/);
    fixesClean(path, text, finding);
  });
});

describe('compose-all-gpus', () => {
  test('count: all for a one-GPU vLLM server', () => {
    const { path, text } = example('compose/docker-compose.yml');
    const finding = only(lint(path, text), 'compose-all-gpus');
    assert.match(fixesClean(path, text, finding), /count: 1/);
  });
});

describe('sizing-not-checked', () => {
  test('an unknown model or no GPU type is reported as not checked, never guessed', () => {
    const unknownModel = only(
      lint('s.sh', 'vllm serve acme/secret-model --tensor-parallel-size 2\n', withDefaultGpu),
      'sizing-not-checked',
    );
    assert.match(unknownModel.message, /model "acme\/secret-model" is not in the built-in catalog/);
    const noGpu = only(lint('s.sh', 'vllm serve Qwen/Qwen3-8B\n'), 'sizing-not-checked');
    assert.match(noGpu.message, /does not say which GPU it runs on and no default GPU is set/);
    assert.equal(noGpu.severity, 'info');
    // Only the missing GPU type can be supplied by the default GPU setting (the editor's quick fix).
    assert.equal(noGpu.missing, 'gpu-type');
    assert.equal(unknownModel.missing, undefined);
  });

  // Issue 15, item 10: the finding tells each format's author where that format names its GPU,
  // and never asks for a Kubernetes nodeSelector in a file that cannot have one.
  const kubernetesHint = /nodeSelector \(or node affinity\) on nvidia\.com\/gpu\.product/;
  const byFormat: { format: string; path: string; text: string; says: RegExp[] }[] = [
    {
      format: 'a Kubernetes Deployment',
      path: 'deploy.yaml',
      text: [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: qwen }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: vllm',
        '          image: vllm/vllm-openai:v0.11.0',
        '          args: ["--model", "Qwen/Qwen3-8B"]',
        '          resources: { limits: { nvidia.com/gpu: 1 } }',
        '',
      ].join('\n'),
      says: [/^Memory and over-provisioning not checked for "vllm": the manifest names no GPU type/, kubernetesHint],
    },
    {
      format: 'a compose file',
      path: 'docker-compose.yml',
      text: readFileSync(join(examples, 'compose/docker-compose.yml'), 'utf8'),
      says: [
        /a compose file cannot name the GPU model \(deploy\.resources\.reservations\.devices .*device_ids/,
        /host's GPU/,
      ],
    },
    {
      format: 'a Ray Serve config',
      path: 'serve-config.yaml',
      text: readFileSync(join(examples, 'ray-serve/serve-config.yaml'), 'utf8'),
      says: [/add accelerator_type \(for example H100\) to the LLM config/],
    },
    {
      format: 'a shell script',
      path: 'serve.sh',
      text: 'vllm serve Qwen/Qwen3-8B --max-model-len 8192\n',
      says: [/a command line does not say which GPU it runs on .*: set it to the machine's GPU/],
    },
    {
      format: 'a README command under a heading without a GPU',
      path: 'README.md',
      text: '## Serving\n\n```sh\nvllm serve Qwen/Qwen3-8B\n```\n',
      says: [/name the GPU in a heading above the command \(### H100\)/],
    },
    {
      format: 'a vLLM config file',
      path: 'vllm-config.yaml',
      text: 'model: Qwen/Qwen3-8B\ntensor-parallel-size: 1\nmax-model-len: 8192\n',
      says: [/a vLLM config file does not say which GPU it runs on/],
    },
  ];
  for (const { format, path, text, says } of byFormat)
    test(`no GPU type in ${format}: worded for that format, with the default GPU setting as the way out`, () => {
      const finding = only(lint(path, text), 'sizing-not-checked');
      for (const words of says) assert.match(finding.message, words);
      assert.match(finding.message, /gpuWorkbench\.defaultGpu; --default-gpu on the command line/);
      if (!/Kubernetes|Ray/.test(format)) assert.doesNotMatch(finding.message, /nodeSelector/);
      assert.equal(finding.missing, 'gpu-type');
      // With the default GPU set, the check runs: no finding.
      assert.deepEqual(
        lint(path, text, withDefaultGpu).filter((f) => f.ruleId === 'sizing-not-checked'),
        [],
      );
    });

  test('a README command under "### H100" is sized on the H100 without any default', () => {
    const text = '### H100\n\n```sh\nvllm serve Qwen/Qwen3-8B --max-model-len 8192\n```\n';
    assert.equal(lintText('README.md', text, request).units, 1);
    assert.deepEqual(
      lint('README.md', text).filter((f) => f.ruleId === 'sizing-not-checked'),
      [],
    );
  });
});

describe('suppressions and severities', () => {
  const text = 'vllm serve Qwen/Qwen3-0.6B --gpu-memory-utilization 0.98\n';
  test('disable-next-line and disable (file) comments', () => {
    assert.equal(
      lint('s.sh', `# gpu-workbench-disable-next-line gpu-memory-utilization-range\n${text}`, withDefaultGpu).length,
      0,
    );
    assert.equal(
      lint('s.sh', `# gpu-workbench-disable gpu-memory-utilization-range\n\n${text}`, withDefaultGpu).length,
      0,
    );
    assert.equal(lint('s.sh', `# gpu-workbench-disable-next-line some-other-rule\n${text}`, withDefaultGpu).length, 1);
  });
  test('per-rule severity, and off', () => {
    assert.equal(
      lint('s.sh', text, { ...withDefaultGpu, severities: { 'gpu-memory-utilization-range': 'error' } })[0]?.severity,
      'error',
    );
    assert.equal(
      lint('s.sh', text, { ...withDefaultGpu, severities: { 'gpu-memory-utilization-range': 'off' } }).length,
      0,
    );
  });
});
