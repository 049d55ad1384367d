/**
 * Right-sizing's pure parts: which pods a workload owns, the window arithmetic, the percentiles,
 * and the recommendation with its fix, on figures worked out by hand beside each test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { GPU_CATALOG } from '../../src/core/catalog/gpus.ts';
import { findModel } from '../../src/core/catalog/models.ts';
import { applyEdits } from '../../src/core/lint/lint.ts';
import type { CalibrationEntry } from '../../src/core/perf/calibration.ts';
import { batchQueries, podWorkload } from '../../src/core/rightsize/batchQueries.ts';
import { observe, quantile, stepSeconds, windowSeconds } from '../../src/core/rightsize/queries.ts';
import { recommend, type RightSizeOptions } from '../../src/core/rightsize/recommend.ts';
import { podNameRegex, readWorkloads } from '../../src/core/rightsize/workloads.ts';

const manifest = readFileSync(
  join(resolve(import.meta.dirname, '..', '..'), 'test', 'fixtures', 'rightsize', 'serving.yaml'),
  'utf8',
);
const options: RightSizeOptions = { window: '7d', findModel: (id) => findModel(id)?.architecture };
const h100 = GPU_CATALOG.find((g) => g.id === 'h100-sxm')!;

/** Prometheus anchors `=~` at both ends. */
const matches = (re: string, pod: string) => new RegExp(`^(?:${re})$`).test(pod);

describe('pods of a workload', () => {
  test('a Deployment owns <name>-<replicaset hash>-<5>, not a longer-named Deployment', () => {
    const re = podNameRegex('Deployment', 'llama-idle');
    assert.ok(matches(re, 'llama-idle-7d9f8c6b5-x2k4p'));
    assert.ok(!matches(re, 'llama-idle-canary-5c8d7f9b4-abcde'));
    assert.ok(!matches(re, 'llama-idle-0'));
  });
  test('StatefulSet ordinals, LeaderWorkerSet leaders and workers, KServe predictors', () => {
    assert.ok(matches(podNameRegex('StatefulSet', 'a.b'), 'a.b-12'));
    assert.ok(!matches(podNameRegex('StatefulSet', 'a.b'), 'axb-12'));
    assert.ok(matches(podNameRegex('LeaderWorkerSet', 'ds'), 'ds-0'));
    assert.ok(matches(podNameRegex('LeaderWorkerSet', 'ds'), 'ds-0-3'));
    assert.ok(matches(podNameRegex('InferenceService', 'm'), 'm-predictor-7b9c8d6f5-abcde'));
    assert.ok(matches(podNameRegex('InferenceService', 'm'), 'm-predictor-00001-deployment-7b9c8d6f5-abcde'));
  });
  test('the manifest reads as seven workloads with their namespaces and replica lines', () => {
    const names = readWorkloads('serving.yaml', manifest).map(
      (w) => `${w.kind} ${w.namespace}/${w.name} x${w.replicas?.value}`,
    );
    assert.deepEqual(names, [
      'Deployment serving/llama-idle x1',
      'Deployment serving/llama-busy x1',
      'StatefulSet serving/llama-sts x4',
      'InferenceService serving/llama-isvc x1',
      'Deployment serving/llama-sglang x1',
      'Deployment serving/mystery x1',
      'Deployment serving/llama-stopped x1',
    ]);
  });
  test('queries read both vLLM KV names, SGLang and TGI, and DCGM through exported_pod', () => {
    const deployments = readWorkloads('serving.yaml', manifest).filter((w) => w.kind === 'Deployment');
    const q = batchQueries({ kind: 'Deployment', workloads: deployments }, '7d', 61);
    for (const name of ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage'])
      assert.ok(q.kvPeak.includes(name), name);
    assert.ok(q.waitingP95.includes('tgi_queue_size') && q.waitingP95.includes('sglang:num_queue_reqs'));
    assert.ok(q.gpuUtilP95.includes('exported_pod=~') && q.gpuUtilP95.includes(',pod=~'));
    assert.ok(q.tpotP95.includes('[7d]'));
    // One query for every Deployment of the file (their names as one alternation), each pod's
    // statistics from its own samples over the week; only the generation rate needs a subquery.
    const alternation = 'pod=~"(llama-busy|llama-idle|llama-sglang|llama-stopped|mystery)-[a-z0-9]{1,10}-[a-z0-9]{5}"';
    assert.ok(q.kvP95.includes(alternation), q.kvP95);
    assert.ok(q.kvP95.startsWith('quantile_over_time(0.95, vllm:kv_cache_usage_perc{'), q.kvP95);
    assert.ok(q.generationP95.endsWith('[7d:61s])'), q.generationP95);
    assert.ok(q.tpotP95.includes('"workload", "$1", "pod"'));
  });

  test('a name with a dot is written as PromQL reads it: the regex backslash doubled in the string', () => {
    // Prometheus 2.42 answers `pod=~"(a\.b)-[0-9]+"` with "parse error: unknown escape sequence U+002E '.'"
    // (promql/parser/lex.go follows Go's escaping); `"(a\\.b)-[0-9]+"` is the regex a\.b.
    const sts = readWorkloads('serving.yaml', manifest).find((w) => w.kind === 'StatefulSet')!;
    const dotted = { ...sts, name: 'llama.v2' };
    const q = batchQueries({ kind: 'StatefulSet', workloads: [dotted] }, '7d', 61);
    assert.ok(q.runningP95.includes('pod=~"(llama\\\\.v2)-[0-9]+"'), q.runningP95);
    const of = podWorkload({ kind: 'StatefulSet', workloads: [dotted] });
    assert.equal(of(dotted.namespace, 'llama.v2-0')?.name, 'llama.v2');
    assert.equal(of(dotted.namespace, 'llamaxv2-0'), undefined);
  });

  test("pods map to their Deployment, not to one whose name merely starts the same, nor another namespace's", () => {
    const deployments = readWorkloads('serving.yaml', manifest).filter((w) => w.kind === 'Deployment');
    const of = podWorkload({ kind: 'Deployment', workloads: deployments });
    assert.equal(of('serving', 'llama-idle-7d9f8c6b5-x2k4p')?.name, 'llama-idle');
    assert.equal(of('serving', 'llama-idle-canary-5c8d7f9b4-abcde'), undefined);
    assert.equal(of('staging', 'llama-idle-7d9f8c6b5-x2k4p'), undefined);
    assert.equal(of('serving', 'llama-idle-0'), undefined); // a StatefulSet's pod name
  });
});

describe('window and percentiles', () => {
  test('durations', () => {
    assert.equal(windowSeconds('7d'), 7 * 86_400);
    assert.equal(windowSeconds('36h'), 129_600);
    assert.equal(windowSeconds('7 days'), undefined);
    assert.equal(windowSeconds('91d'), undefined);
    // 604,800 s / 10,000 points = 60.48 -> 61 s steps; a day stays at the 60 s floor.
    assert.equal(stepSeconds(604_800), 61);
    assert.equal(stepSeconds(86_400), 60);
  });
  test('nearest-rank p95: of 1..20 the 19th', () => {
    assert.equal(
      quantile(
        Array.from({ length: 20 }, (_, i) => 20 - i),
        0.95,
      ),
      19,
    );
    assert.equal(quantile([], 0.95), undefined);
  });
});

describe('recommendation', () => {
  const [idle, busy, sts] = readWorkloads('serving.yaml', manifest);

  test('idle at TP 4: TP 1 on one H100, three GPUs saved, the fix rewrites the flag and the GPU count', () => {
    const observed = observe(
      { kvMax: [0.02, 0.05, 0.03], kvSum: [0.02, 0.05, 0.03], running: [1, 3, 2], waiting: [0, 0, 0] },
      { pods: 1 },
    );
    const [finding] = recommend(idle!, observed, options);
    assert.equal(finding?.severity, 'warning');
    // (4 - 1) GPUs x $4.00 = $12.00/h
    assert.match(finding!.message, new RegExp(`saves \\$${(3 * h100.pricePerHour).toFixed(2)}/h`));
    const fixed = applyEdits(manifest, finding!.fix!.edits);
    const fixedIdle = readWorkloads('serving.yaml', fixed)[0]!;
    assert.equal(fixedIdle.unit.engine?.tensorParallel?.value, 1);
    assert.equal(fixedIdle.unit.gpus?.limit?.value, 1);
    // The other workloads are untouched.
    assert.equal(readWorkloads('serving.yaml', fixed)[1]!.unit.gpus?.limit?.value, 2);
  });

  test("the workspace's calibration decides whether a smaller layout keeps up: a fleet 20 x slower than the roofline keeps its GPUs", () => {
    // 100 generated tokens/s at p95 3 running. Uncalibrated, one H100 at TP 1 sustains far more.
    const observed = observe(
      {
        kvMax: [0.02, 0.05, 0.03],
        kvSum: [0.02, 0.05, 0.03],
        running: [1, 3, 2],
        waiting: [0, 0, 0],
        generationRate: [100, 100, 100],
      },
      { pods: 1 },
    );
    const [before] = recommend(idle!, observed, options);
    assert.equal(before?.fix?.title, 'Use --tensor-parallel-size 1 and 1 GPU per pod');
    // A calibration from this fleet: every step 20 times the roofline's (at most ~1/20 of its tokens/s;
    // at 3 running, Llama 3.1 8B at TP 1 or 2 then makes well under 100 / 0.8 = 125 tokens/s).
    const slow: CalibrationEntry = {
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      gpu: h100.id,
      engine: 'vllm',
      tp: 1,
      scales: { step: 20 },
      source: {
        file: 'prometheus http://prometheus:9090 window 7d serving/llama-idle',
        setting: { inputTokens: 1024, outputTokens: 256, concurrency: 3 },
        measured: { outputTokensPerSecond: 20 },
        roofline: { outputTokensPerSecond: 400, tpotMs: 7, ttftMs: 30 },
        observed: { minutes: 600, at: '2026-01-01T00:00:00.000Z', lengths: 'assumed' },
      },
    };
    const findings = recommend(idle!, observed, { ...options, calibration: { version: 1, entries: [slow] } });
    assert.ok(!findings.some((f) => /fewer GPUs/.test(f.message)), findings.map((f) => f.message).join('\n'));
  });

  test('saturated: no fewer-GPUs finding; needs ceil(1 x 12 / 48) = 1 more replica, +2 x $4.00/h', () => {
    const observed = observe(
      { kvMax: [0.97, 0.99], kvSum: [0.97, 0.99], running: [48, 48], waiting: [12, 12] },
      { pods: 1 },
    );
    const findings = recommend(busy!, observed, options);
    assert.equal(findings.length, 1);
    assert.doesNotMatch(findings[0]!.message, /fewer/);
    assert.match(findings[0]!.message, new RegExp(`\\+\\$${(2 * h100.pricePerHour).toFixed(2)}/h`));
    assert.match(
      applyEdits(manifest, findings[0]!.fix!.edits),
      /name: llama-busy\n {2}namespace: serving\nspec:\n {2}replicas: 2\n/,
    );
  });

  test('a full cache without a queue, or a queue without a full cache, is not "fewer"', () => {
    const full = observe({ kvMax: [0.9], kvSum: [0.9], running: [40], waiting: [0] }, { pods: 1 });
    assert.deepEqual(recommend(busy!, full, options), []);
  });

  test('four replicas using 0.4 of one replica in all: one replica, three L40S saved', () => {
    const observed = observe({ kvMax: [0.1, 0.1], kvSum: [0.4, 0.4], running: [8, 8], waiting: [0, 0] }, { pods: 4 });
    const [finding] = recommend(sts!, observed, options);
    const l40s = GPU_CATALOG.find((g) => g.id === 'l40s')!;
    // ceil(0.4 / 0.8) = 1 replica; (4 - 1) x $1.86 = $5.58/h
    assert.match(finding!.message, new RegExp(`saves \\$${(3 * l40s.pricePerHour).toFixed(2)}/h`));
    assert.match(applyEdits(manifest, finding!.fix!.edits), /replicas: 1\n {2}serviceName: llama-sts/);
  });

  test('one idle H100 at TP 1: nothing lower, so a cheaper card, and the fix rewrites the node selector', () => {
    const one = manifest
      .slice(0, manifest.indexOf('---'))
      .replace('- "4"', '- "1"')
      .replace('nvidia.com/gpu: 4', 'nvidia.com/gpu: 1');
    const [w] = readWorkloads('one.yaml', one);
    // Peak 2 % of the H100's ~420k tokens = ~8.4k tokens, 10 tokens/s at one request. The 24 GB
    // cards cannot start it: 0.9 x ~22.5 GiB less 15 GiB of bf16 weights less vLLM's sampler
    // warm-up (256 sequences x 128,256 logits x 38.6 B = 1.2 GiB) and activations leaves under the
    // 2 GiB one 16,384-token request needs (128 KiB per token). A 40-48 GB card holds ~20 GiB of KV,
    // far above 8.4k tokens: the cheapest such card of the catalog, saving the difference.
    const observed = observe(
      { kvMax: [0.02], kvSum: [0.02], running: [1], waiting: [0], generationRate: [10] },
      { pods: 1 },
    );
    const [finding] = recommend(w!, observed, options);
    const m = /can run on a cheaper GPU: .* it fits 1 x (.+?) per stage .* saves \$(\d+\.\d\d)\/h/.exec(
      finding!.message,
    );
    assert.ok(m, finding!.message);
    const card = GPU_CATALOG.find((g) => g.name === m[1])!;
    assert.ok(card.memoryMiB >= 40 * 1024 && card.pricePerHour < h100.pricePerHour);
    assert.equal(m[2], (h100.pricePerHour - card.pricePerHour).toFixed(2));
    assert.ok(applyEdits(one, finding!.fix!.edits).includes(`nvidia.com/gpu.product: ${card.nodeLabel}\n`));
  });

  test('a busy workload (KV cache past half) gets no cheaper-card suggestion', () => {
    const one = manifest
      .slice(0, manifest.indexOf('---'))
      .replace('- "4"', '- "1"')
      .replace('nvidia.com/gpu: 4', 'nvidia.com/gpu: 1');
    const [w] = readWorkloads('one.yaml', one);
    const busy = observe(
      { kvMax: [0.6], kvSum: [0.6], running: [30], waiting: [0], generationRate: [900] },
      { pods: 1 },
    );
    assert.deepEqual(recommend(w!, busy, options), []);
  });

  test('no samples: an info that names the workload', () => {
    const [finding] = recommend(idle!, observe({}, {}), options);
    assert.equal(finding?.severity, 'info');
    assert.match(finding!.message, /no engine metrics for Deployment serving\/llama-idle/);
  });
});
