/**
 * The real-world fixtures (test/fixtures/realworld/README.md): each file's findings that must
 * appear, with the figures worked by hand beside them, and those that must not; clean files get
 * none at all. No default GPU unless a case says so: the files name their GPUs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { findGpu } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { applyEdits, lintText, readServingUnits, type LintRequest } from '../../src/core/lint/lint.ts';
import { modelOf } from '../../src/core/lint/sizingLookup.ts';
import { LineIndex } from '../../src/core/lint/text.ts';
import type { Finding } from '../../src/core/lint/types.ts';

const dir = resolve(import.meta.dirname, '..', 'fixtures', 'realworld');
const request: LintRequest = { findModel: (id) => findModel(id)?.architecture };
const onH100: LintRequest = { ...request, defaultGpu: findGpu('h100-sxm') };

interface Expected {
  rule: string;
  line?: number;
  /** The text the finding's span covers. */
  text?: string;
  message?: RegExp;
  /** Whether it offers a fix (checked when given). */
  fix?: boolean;
}

function read(file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function lint(file: string, text = read(file), options = request): Finding[] {
  return lintText(join(dir, file), text, options).findings;
}

function describeAll(text: string, findings: Finding[]): string {
  const index = new LineIndex(text);
  return findings.map((f) => `${index.position(f.span.start).line} ${f.ruleId}: ${f.message}`).join('\n');
}

function expectFinding(text: string, findings: Finding[], e: Expected): Finding {
  const index = new LineIndex(text);
  const match = findings.find(
    (f) =>
      f.ruleId === e.rule &&
      (e.line === undefined || index.position(f.span.start).line === e.line) &&
      (e.text === undefined || text.slice(f.span.start, f.span.end) === e.text) &&
      (e.message === undefined || e.message.test(f.message)),
  );
  assert.ok(
    match,
    `expected ${JSON.stringify({ ...e, message: e.message?.source })} among:\n${describeAll(text, findings)}`,
  );
  if (e.fix !== undefined) assert.equal(Boolean(match.fix), e.fix, `fix offered for ${e.rule}`);
  return match;
}

function clean(file: string, options = request): void {
  const text = read(file);
  const findings = lint(file, text, options);
  assert.deepEqual(findings, [], describeAll(text, findings));
}

/** Names that must never be reported as a model. */
const NOT_MODELS = /(model|for) "?(sh|bash|\.\.\.|<model>|MODEL_HUB_ID|\$\(?[A-Z_]+\)?)"? (does not fit|is not in)/;

describe('realworld: multi-node groups (1)', () => {
  test('LeaderWorkerSet of 2 pods x 8 H100s running TP 8 x PP 2 over Ray is clean', () => {
    // 405B in bf16: 405.9e9 x 2 B / 16 GPUs = 47.3 GiB of weights per GPU, under 80 GiB x 0.9.
    clean('lws-vllm-ray-405b.yaml');
    const units = readServingUnits('l.yaml', read('lws-vllm-ray-405b.yaml')).units;
    assert.deepEqual(
      units.map((u) => [u.role, u.engine?.model?.value, u.podsPerGroup, u.groupGpus]),
      [
        ['leader', 'meta-llama/Meta-Llama-3.1-405B-Instruct', 2, 16],
        ['worker', undefined, 2, undefined],
      ],
    );
  });

  test('the same leader with size 1 has 8 GPUs for 16: an error', () => {
    const text = read('lws-vllm-ray-405b.yaml').replace('size: 2', 'size: 1');
    expectFinding(text, lint('lws-vllm-ray-405b.yaml', text), {
      rule: 'gpu-count-vs-parallelism',
      line: 32,
      message:
        /reserves 8 GPUs but vLLM runs --tensor-parallel-size 8 x --pipeline-parallel-size 2 = 16 GPUs: the engine fails/,
    });
  });

  test('SGLang TP 16 over a group of 2 pods x 4 GPUs = 8: an error, at the leader only', () => {
    const text = read('lws-sglang-too-few.yaml');
    const findings = lint('lws-sglang-too-few.yaml', text);
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      line: 31,
      message: /its group of 2 pods reserves 8 GPUs but SGLang runs --tp-size 16 = 16 GPUs/,
    });
    assert.equal(findings.filter((f) => f.ruleId === 'gpu-count-vs-parallelism').length, 1);
  });
});

describe('realworld: multi-node without a group (1)', () => {
  test('vLLM --nnodes 2 with TP 16 on 8-GPU pods, and a Ray head running TP 16 on 8: clean', () => {
    // 405B in bf16 over 16 H100s: 47.3 GiB of weights per GPU.
    clean('multinode-nnodes-ray.yaml');
    const text = read('multinode-nnodes-ray.yaml').replace('--nnodes=2', '--nnodes=1');
    expectFinding(text, lint('m.yaml', text), {
      rule: 'gpu-count-vs-parallelism',
      message: /reserves 8 GPUs but vLLM runs --tensor-parallel-size 16 = 16 GPUs: the engine fails/,
    });
  });
});

describe('realworld: quantization and TGI flags (2, 3)', () => {
  test('Mixtral 8x7B in nf4 on 2 L4s fits; in bf16 it does not', () => {
    // nf4: 46.7e9 x ~0.53 B / 2 = ~12 GiB per L4, under 22.5 GiB x 0.9 = 20.2 GiB (19.8 usable after reserve).
    clean('tgi-mixtral-nf4-l4.yaml');
    // bf16: 46.7e9 x 2 B / 2 = 43.5 GiB per GPU.
    const text = read('tgi-mixtral-nf4-l4.yaml').replace(/ {12}- name: QUANTIZE\n {14}value: bitsandbytes-nf4\n/, '');
    expectFinding(text, lint('t.yaml', text), {
      rule: 'model-does-not-fit',
      text: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
      message: /weights 43\.5 GiB/,
    });
  });

  test('TGI args --num-shard=4 on 4 GPUs is clean; --num-shard=2 leaves 2 idle H100s = $8.00/h', () => {
    clean('tgi-args-num-shard.yaml');
    const text = read('tgi-args-num-shard.yaml').replace('--num-shard=4', '--num-shard=2');
    expectFinding(text, lint('t.yaml', text), {
      rule: 'gpu-count-vs-parallelism',
      message: /reserves 4 GPUs but TGI runs --num-shard 2 = 2 GPUs: 2 idle GPUs \(\$8\.00\/h/,
      fix: true,
    });
  });

  test('TGI without --num-shard shards over all its GPUs: clean', () => clean('tgi-no-num-shard.yaml'));

  test('compose count: all is what TGI without --num-shard uses; vLLM at TP 1 uses one of them', () => {
    const service = (name: string, image: string, flag: string) =>
      `  ${name}:\n    image: ${image}\n    command: ${flag} meta-llama/Llama-3.1-8B-Instruct\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - {driver: nvidia, count: all, capabilities: [gpu]}\n`;
    const text = `services:\n${service('tgi', 'ghcr.io/huggingface/text-generation-inference:3.0.1', '--model-id')}${service('vllm', 'vllm/vllm-openai:latest', '--model')}`;
    const findings = lintText('docker-compose.yml', text, request).findings.filter(
      (f) => f.ruleId === 'compose-all-gpus',
    );
    assert.deepEqual(
      findings.map((f) => f.message.slice(0, 6)),
      ['"vllm"'],
    );
  });
});

describe('realworld: variables (4)', () => {
  test('$(MODEL_ID) and ${MODEL_NAME:-...} resolve; a ConfigMap model is said to be outside the file', () => {
    const text = read('vllm-env-model.yaml');
    const findings = lint('vllm-env-model.yaml', text);
    expectFinding(text, findings, {
      rule: 'sizing-not-checked',
      text: '$MODEL_HUB_ID',
      message: /the model is given by \$MODEL_HUB_ID, whose value comes from a ConfigMap/,
    });
    // The GPU count is checked anyway: 4 reserved, TP 2.
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      message: /reserves 4 GPUs .* = 2 GPUs: 2 idle GPUs/,
    });
    assert.equal(findings.length, 2, describeAll(text, findings));
    const units = readServingUnits('v.yaml', text).units;
    assert.deepEqual(
      units.map((u) => [u.engine?.model?.value, u.engine?.modelSource]),
      [
        ['Qwen/Qwen3-8B', 'env'],
        ['Qwen/Qwen3-8B', 'default'],
        [undefined, 'unresolved'],
      ],
    );
  });

  test('an unset $(MODEL_ID) is named as such and nothing else is claimed', () => {
    const text = read('vllm-unset-variable.yaml');
    const findings = lint('vllm-unset-variable.yaml', text);
    expectFinding(text, findings, {
      rule: 'sizing-not-checked',
      text: '$(MODEL_ID)',
      message: /the model is given by \$MODEL_ID, which is not set in this file/,
    });
    assert.equal(findings.length, 1);
  });
});

describe('realworld: shell (5)', () => {
  test('a comment line inside bash -c does not hide the server started after it', () => {
    const text = read('multiline-bash-c.yaml');
    const findings = lint('multiline-bash-c.yaml', text);
    // Llama-3.1-8B has 32 heads; 3 does not divide them (the local path names the model).
    expectFinding(text, findings, { rule: 'tp-divides-attention-heads', line: 30, text: '3' });
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      ['tp-divides-attention-heads'],
    );
  });

  test('script variables, pipes and docker run --gpus "device=0,1"', () => {
    const text = read('serve-scripts.sh');
    const findings = lint('serve-scripts.sh', text, onH100);
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      line: 15,
      message:
        /reserves 2 GPUs but TGI runs --num-shard 1 = 1 GPU: 1 idle GPU \(\$4\.00\/h .*\(the default GPU: the file names none\)/,
    });
    const vllm = readServingUnits('s.sh', text).units[0]!;
    assert.equal(vllm.engine?.model?.value, 'Qwen/Qwen2.5-72B-Instruct');
    assert.equal(vllm.engine?.tensorParallel?.value, 4);
    assert.equal(vllm.engine?.gpuMemoryUtilization?.value, 0.92);
    assert.ok(!findings.some((f) => NOT_MODELS.test(f.message)));
  });
});

describe('realworld: variables defined elsewhere in the file (4)', () => {
  test("a Makefile's $(TP): the finding and its fix sit where TP is defined", () => {
    const file = 'make/Makefile';
    const text = read(file);
    // Qwen2.5-7B's 28 heads: 8 does not divide them; the largest valid size below 8 is 4.
    const finding = expectFinding(text, lint(file, text), { rule: 'tp-divides-attention-heads', line: 3, text: '8' });
    assert.equal(applyEdits(text, finding.fix!.edits).split('\n')[2], 'TP = 4');
  });
});

describe('realworld: data and expert parallelism (6)', () => {
  test('DP 8 x TP 1 with expert parallelism on 8 GPUs is clean', () => clean('dp-ep-moe.yaml'));

  test('SGLang DP 2 x TP 2 = 4 GPUs and DP attention inside TP 4 are right; TP 4 on 2 GPUs is not', () => {
    const text = read('sglang-deployments.yaml');
    const findings = lint('sglang-deployments.yaml', text);
    expectFinding(text, findings, { rule: 'gpu-count-vs-parallelism', line: 38, message: /--tp-size 4 = 4 GPUs/ });
    assert.equal(findings.length, 1, describeAll(text, findings));
  });
});

describe('realworld: Ray Serve LLM (7)', () => {
  test('llm_configs without deployments: Llama-3.1-70B at TP 2 does not fit L4s, Qwen 7B does', () => {
    const text = read('ray-serve-llm.yaml');
    const findings = lint('ray-serve-llm.yaml', text);
    // 70.6e9 x 2 B / 2 = 65.7 GiB per L4.
    expectFinding(text, findings, { rule: 'model-does-not-fit', line: 21, message: /weights 65\.7 GiB/ });
    assert.equal(findings.length, 1, describeAll(text, findings));
  });

  test("RayService's serveConfigV2 string is read, with positions in the file", () => {
    const text = read('rayservice-llm.yaml');
    expectFinding(text, lint('rayservice-llm.yaml', text), { rule: 'tp-divides-attention-heads', line: 16, text: '3' });
  });
});

describe('realworld: KServe (8)', () => {
  test('Hugging Face runtime args are vLLM flags; a pytorch predictor with a GPU request only', () => {
    const text = read('kserve-huggingface.yaml');
    const findings = lint('kserve-huggingface.yaml', text);
    expectFinding(text, findings, { rule: 'gpu-requests-without-limits', line: 33 });
    assert.equal(findings.length, 1, describeAll(text, findings));
    assert.equal(readServingUnits('k.yaml', text).units[0]?.engine?.model?.value, 'meta-llama/Llama-3.1-8B-Instruct');
  });

  test("a ServingRuntime's TP 2 with the InferenceService's 1 GPU is an error", () => {
    const text = read('kserve-runtime-and-isvc.yaml');
    const findings = lint('kserve-runtime-and-isvc.yaml', text);
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      line: 31,
      message: /reserves 1 GPU but vLLM runs --tensor-parallel-size 2 = 2 GPUs: the engine fails/,
    });
    assert.equal(readServingUnits('k.yaml', text).units[0]?.engine?.model?.value, 'Qwen/Qwen2.5-14B-Instruct');
  });

  test('a runtime on its own: /mnt/models is filled from the InferenceService, not a model name', () => {
    const text = read('kserve-runtime-alone.yaml');
    const findings = lint('kserve-runtime-alone.yaml', text);
    expectFinding(text, findings, {
      rule: 'sizing-not-checked',
      text: '/mnt/models',
      message: /the model is \/mnt\/models, filled from the storageUri of the InferenceService that uses it/,
    });
    assert.equal(findings.length, 1, describeAll(text, findings));
  });

  test('LLMInferenceService: TP 2 on 2 GPUs, TP 8 from VLLM_ADDITIONAL_ARGS on 8, TP 8 x PP 2 over 2 pods: clean', () => {
    clean('llminferenceservice.yaml');
    const units = readServingUnits('l.yaml', read('llminferenceservice.yaml')).units;
    assert.deepEqual(
      units.map((u) => [u.engine?.model?.value, u.engine?.tensorParallel?.value, u.gpus?.limit?.value, u.groupGpus]),
      [
        ['Qwen/Qwen3-32B', 2, 2, undefined],
        ['Qwen/Qwen3-235B-A22B', 8, 8, undefined],
        // 2 pipeline stages = 2 pods of 8 GPUs = 16 for TP 8 x PP 2.
        ['meta-llama/Llama-3.1-405B-Instruct', 8, 8, 16],
      ],
    );
  });
});

describe('realworld: YAML (9)', () => {
  test('a GPU reservation merged from an anchor is read; the finding sits on the service, without an edit', () => {
    const text = read('compose-merge-keys.yaml');
    const findings = lint('compose-merge-keys.yaml', text);
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      text: 'small',
      message: /reserves 2 GPUs but vLLM runs --tensor-parallel-size 1 = 1 GPU/,
      fix: false,
    });
    // Compose files name no GPU type: beside it, only the info that memory was not checked.
    assert.equal(findings.filter((f) => f.severity !== 'info').length, 1, describeAll(text, findings));
  });

  test('a syntax error is one finding at its line, and nothing is read from the broken document', () => {
    const text = read('syntax-error.yaml');
    const findings = lint('syntax-error.yaml', text);
    assert.equal(findings.length, 1, describeAll(text, findings));
    assert.equal(findings[0]!.ruleId, 'file-not-linted');
    assert.ok([11, 12].includes(new LineIndex(text).position(findings[0]!.span.start).line));
  });
});

describe('realworld: the file wins over the default GPU (10)', () => {
  test('a ## AMD MI300X heading sizes the commands under it; an unnamed AMD GPU is not sized as an H100', () => {
    const text = read('amd-mi300x.md');
    const findings = lint('amd-mi300x.md', text, onH100);
    // On one H100 Llama-3.1-70B (131.4 GiB of bf16 weights) would not fit; on an MI300X (192 GB) it does.
    assert.ok(!findings.some((f) => f.ruleId === 'model-does-not-fit'), describeAll(text, findings));
    expectFinding(text, findings, {
      rule: 'sizing-not-checked',
      line: 27,
      message: /AMD GPU \(HIP_VISIBLE_DEVICES\).*not AMD/,
    });
    assert.equal(findings.length, 1, describeAll(text, findings));
    const products = readServingUnits('a.md', text).units.map((u) => u.gpuProduct?.value);
    assert.deepEqual(products, ['H100', 'MI300X', 'MI300X', undefined]);
  });
});

describe('realworld: AMD in Kubernetes (10)', () => {
  test('amd.com/gpu without a product is not sized as the default H100; an MI300X label is sized as one', () => {
    const text = read('amd-rocm-deployment.yaml');
    const findings = lint('amd-rocm-deployment.yaml', text, onH100);
    // On an H100 the 131.4 GiB of bf16 weights would not fit; on a 192 GB MI300X they do.
    expectFinding(text, findings, { rule: 'sizing-not-checked', line: 20, message: /AMD GPU \(amd\.com\/gpu\)/ });
    assert.equal(findings.length, 1, describeAll(text, findings));
  });
});

describe('realworld: other accelerators are never sized as the default GPU (10)', () => {
  test('Gaudi under a heading, docker --runtime=habana, and a Neuron device: three infos, no sizing', () => {
    const text = read('other-accelerators.md');
    const findings = lint('other-accelerators.md', text, onH100);
    // On one H100, 70B in bf16 (131.4 GiB) would be "does not fit": none of these are H100s.
    assert.deepEqual(
      findings.map((f) => [new LineIndex(text).position(f.span.start).line, f.ruleId]),
      [
        [6, 'sizing-not-checked'],
        [13, 'sizing-not-checked'],
        [16, 'sizing-not-checked'],
      ],
    );
    assert.match(findings[0]!.message, /GPU "Gaudi 2" is not in the catalog/);
    assert.match(findings[1]!.message, /Intel Gaudi \(--runtime=habana\)/);
    assert.match(findings[2]!.message, /AWS Neuron \(\/dev\/neuron\)/);
  });
});

describe('realworld: model names (11)', () => {
  test('paths, old ids, quantized checkpoints and case all resolve, and the AWQ 70B fits one H100', () => {
    // 70B in int4: ~70.6e9 x 0.53 B = ~35 GiB, under 71.3 GiB usable (in bf16: 131.4 GiB, no fit).
    clean('model-names.sh', onH100);
    const text = read('model-names.sh');
    for (const unit of readServingUnits('m.sh', text).units)
      assert.ok(modelOf(unit.engine!.model!.value, request), `${unit.engine?.model?.value} resolves`);
  });
});

describe('realworld: SGLang and messages (12, 13)', () => {
  test("SGLang's own flags in messages", () => {
    const text = read('sglang-servers.sh');
    const findings = lint('sglang-servers.sh', text, onH100);
    // Qwen2.5-7B has 28 attention heads: 8 does not divide them.
    expectFinding(text, findings, {
      rule: 'tp-divides-attention-heads',
      line: 4,
      text: '8',
      message: /--tp-size 8 does not divide: SGLang refuses to start/,
    });
    expectFinding(text, findings, {
      rule: 'gpu-memory-utilization-range',
      line: 5,
      text: '1.2',
      message: /^--mem-fraction-static 1\.2 is not a fraction/,
    });
    // SGLang caps requests at its KV pool instead of refusing to start: a warning, in its words.
    expectFinding(text, findings, {
      rule: 'max-model-len-too-long',
      line: 6,
      text: '40960',
      message: /--context-length 40,960 is more than the .* tokens SGLang's KV pool holds.*SGLang starts, but caps/,
    });
    assert.equal(findings.find((f) => f.ruleId === 'max-model-len-too-long')?.severity, 'warning');
    // 70.6e9 x 2 B = 131.4 GiB (+ 0.28 GiB of load-time buffers) against the static share of one H100.
    expectFinding(text, findings, {
      rule: 'model-does-not-fit',
      line: 7,
      message: /weights 131\.\d GiB > the static share .* \(--mem-fraction-static 0\.\d+\): SGLang stops/,
    });
  });

  test('block scalars: findings at the flag; idle GPUs costed per replica for a model the catalog lacks', () => {
    const text = read('block-scalar-positions.yaml');
    const findings = lint('block-scalar-positions.yaml', text);
    expectFinding(text, findings, { rule: 'gpu-memory-utilization-range', line: 23, text: '0.99' });
    expectFinding(text, findings, { rule: 'gpu-memory-utilization-range', line: 32, text: '1.5' });
    // 2 replicas x (2 reserved - 1 used) = 2 idle H100s x $4.00/h = $8.00/h.
    expectFinding(text, findings, {
      rule: 'gpu-count-vs-parallelism',
      message: /2 replicas x 1 idle GPU = 2 GPUs \(\$8\.00\/h at NVIDIA H100/,
    });
    assert.ok(!findings.some((f) => /GPU\(s\)/.test(f.message)));
  });
});

describe('realworld: Dockerfiles, Helm templates, KServe storageUri', () => {
  test('a Dockerfile CMD in exec form is read as the command it runs', () => {
    const text = read('Dockerfile.vllm');
    // Qwen2.5-7B's 28 heads are not divisible by 8.
    expectFinding(text, lint('Dockerfile.vllm', text), { rule: 'tp-divides-attention-heads', line: 5, text: '8' });
  });

  test('a Helm template is one info pointing at its rendered output, not a YAML error', () => {
    const file = 'helm-chart/templates/deployment.yaml';
    const findings = lint(file);
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity]),
      [['file-not-linted', 'info']],
    );
    assert.match(findings[0]!.message, /helm template/);
  });

  test("a Hugging Face predictor with only a storageUri: Llama-3.1-70B's 131.4 GiB of bf16 weights on one L4", () => {
    const text = read('kserve-storage-uri.yaml');
    expectFinding(text, lint('kserve-storage-uri.yaml', text), {
      rule: 'model-does-not-fit',
      line: 13,
      message: /weights 131\.4 GiB/,
    });
  });
});

describe('realworld: what was understood (units, hover)', () => {
  test('the hover headline of a LeaderWorkerSet leader and of a Deployment', async () => {
    const { summarizeUnit, unitHeadline } = await import('../../src/core/lint/unitSummary.ts');
    const headline = (file: string) =>
      readServingUnits(file, read(file)).units.map((u) => unitHeadline(summarizeUnit(u, request)));
    assert.equal(
      headline('lws-vllm-ray-405b.yaml')[0],
      'vLLM · Meta-Llama-3.1-405B-Instruct · TP 8 x PP 2 · 8 x NVIDIA H100 80GB SXM (HBM3) (from nodeSelector) · 2 pods per group',
    );
    assert.equal(
      headline('dp-ep-moe.yaml')[0],
      'vLLM · Qwen3-30B-A3B · TP 1 x DP 8 · 8 x NVIDIA H100 80GB SXM (HBM3) (from nodeSelector)',
    );
    assert.equal(headline('vllm-env-model.yaml')[2], 'vLLM · $MODEL_HUB_ID (value not in this file) · TP 2 · 4 GPUs');
  });
});
