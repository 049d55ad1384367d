import { parseArgs } from 'node:util';
import type { WeightFormat } from '../core/catalog/architecture.ts';
import { findGpu, GPU_CATALOG, withPrices } from '../core/catalog/gpus.ts';
import { KV_CACHE_DTYPES, type KvCacheDtype } from '../core/sizing/kvCache.ts';
import { estimateJson, estimateText, suggestionJson, suggestionText, trainingJson } from '../core/sizing/report.ts';
import { estimateServingMemory, vllmDefaults } from '../core/sizing/servingMemory.ts';
import { estimateSglangMemory } from '../core/sizing/sglangMemory.ts';
import { parseVllmVersion } from '../core/sizing/vllmVersion.ts';
import { suggest } from '../core/sizing/suggest.ts';
import { estimateTrainingMemory, type TrainingMethod } from '../core/sizing/training.ts';
import { readCalibrationFile } from '../node/calibrationFile.ts';
import { safeJson, safeLine } from '../core/text/safeText.ts';
import { gpuOf, loadModel, positiveInteger, positiveNumber, UsageError, type Io } from './io.ts';
import {
  engineFlag,
  PERF_OPTIONS,
  PERF_USAGE,
  performanceForEstimate,
  performanceJson,
  performanceText,
  wantsPerformance,
} from './perf.ts';

export const SIZING_USAGE = `  gpu-workbench estimate --model <catalog id | config.json | org/name> --gpu <id>
                         [--tp N] [--pp N] [--dtype bf16|fp16|fp8|int8|int4|nvfp4]
                         [--kv-cache-dtype auto|fp8|fp8_e4m3|fp8_e5m2] [--gpu-memory-utilization F]
                         [--max-model-len N] [--max-num-seqs N] [--max-num-batched-tokens N]
                         [--engine vllm|sglang] [--vllm-version X.Y.Z] [--disable-hybrid-kv-cache-manager]
                         [--enforce-eager] [--enable-expert-parallel] [--flashinfer-sampler]
                         [--mem-fraction-static F] [--sglang-version X.Y.Z] [--json]
${PERF_USAGE}
  gpu-workbench suggest --model M [--gpu <id>]... [--context N] [--input-tokens N]
                         [--output-tokens N] [--rps R | --concurrency N] [--engine vllm|sglang|trtllm]
                         [--dtype bf16|fp16|fp8|int8|int4] [--kv-cache-dtype auto|fp8]
                         [--ttft-ms MS] [--tpot-ms MS] [--price GPU=USD]... [--json]
  gpu-workbench train --model M [--method full|lora|qlora] [--zero 0|1|2|3] [--dp N] [--tp N]
                         [--pp N] [--micro-batch N] [--seq-len N] [--recompute] [--lora-rank N] [--json]
  GPU ids: ${GPU_CATALOG.map((g) => g.id).join(', ')}`;

const WEIGHT_FORMATS: readonly WeightFormat[] = ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'nvfp4'];

export async function estimateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      gpu: { type: 'string' },
      tp: { type: 'string' },
      pp: { type: 'string' },
      dtype: { type: 'string' },
      'kv-cache-dtype': { type: 'string' },
      'gpu-memory-utilization': { type: 'string' },
      'max-model-len': { type: 'string' },
      'max-num-seqs': { type: 'string' },
      'max-num-batched-tokens': { type: 'string' },
      'vllm-version': { type: 'string' },
      'disable-hybrid-kv-cache-manager': { type: 'boolean' },
      'enforce-eager': { type: 'boolean' },
      'enable-expert-parallel': { type: 'boolean' },
      'flashinfer-sampler': { type: 'boolean' },
      'mem-fraction-static': { type: 'string' },
      'sglang-version': { type: 'string' },
      json: { type: 'boolean' },
      ...PERF_OPTIONS,
    },
  });
  const gpu = gpuOf(values.gpu);
  // --engine picks the performance model's engine profile (vllm, sglang, trtllm) and the memory
  // model: SGLang's own, else vLLM's (TensorRT-LLM's memory is not modelled separately).
  const engine = engineFlag(values.engine) === 'sglang' ? 'sglang' : 'vllm';
  const vllmVersion = values['vllm-version'];
  if (vllmVersion !== undefined && !parseVllmVersion(vllmVersion))
    throw new UsageError(`--vllm-version takes a release such as 0.11.0, not "${vllmVersion}"`);
  const memFractionStatic = positiveNumber(values['mem-fraction-static'], '--mem-fraction-static', undefined);
  if (memFractionStatic !== undefined && memFractionStatic >= 1)
    throw new UsageError('--mem-fraction-static must be below 1');
  if (values.dtype !== undefined && !WEIGHT_FORMATS.includes(values.dtype as WeightFormat))
    throw new UsageError(`--dtype must be one of ${WEIGHT_FORMATS.join(', ')}`);
  if (values['kv-cache-dtype'] !== undefined && !KV_CACHE_DTYPES.includes(values['kv-cache-dtype'] as KvCacheDtype))
    throw new UsageError(`--kv-cache-dtype must be one of ${KV_CACHE_DTYPES.join(', ')}`);
  const utilization = positiveNumber(values['gpu-memory-utilization'], '--gpu-memory-utilization', 0.9) ?? 0.9;
  if (utilization > 1) throw new UsageError('--gpu-memory-utilization must be at most 1');
  const model = await loadModel(values.model, io);
  const tp = positiveInteger(values.tp, '--tp', 1);
  const pp = positiveInteger(values.pp, '--pp', 1);
  // vLLM refuses these too: attention heads split evenly across TP ranks, layers across PP stages.
  if (model.numAttentionHeads % tp !== 0)
    throw new UsageError(`--tp ${tp} does not divide ${model.id}'s ${model.numAttentionHeads} attention heads`);
  if (pp > model.numLayers) throw new UsageError(`--pp ${pp} is more than ${model.id}'s ${model.numLayers} layers`);
  const defaults = vllmDefaults(model, gpu, vllmVersion);
  const settings = {
    ...defaults,
    tp,
    pp,
    weightFormat: values.dtype as WeightFormat | undefined,
    kvCacheDtype: (values['kv-cache-dtype'] as KvCacheDtype | undefined) ?? 'auto',
    gpuMemoryUtilization: utilization,
    maxModelLen: positiveInteger(values['max-model-len'], '--max-model-len', defaults.maxModelLen),
    maxNumSeqs: positiveInteger(values['max-num-seqs'], '--max-num-seqs', defaults.maxNumSeqs),
    maxNumBatchedTokens: positiveInteger(
      values['max-num-batched-tokens'],
      '--max-num-batched-tokens',
      defaults.maxNumBatchedTokens,
    ),
    engine,
    ...(values['disable-hybrid-kv-cache-manager'] ? { disableHybridKvCacheManager: true } : {}),
    ...(values['enforce-eager'] ? { enforceEager: true } : {}),
    ...(values['enable-expert-parallel'] ? { enableExpertParallel: true } : {}),
    ...(values['flashinfer-sampler'] ? { flashInferSampler: true } : {}),
  } as const;
  const estimate =
    engine === 'sglang'
      ? estimateSglangMemory(model, gpu, settings, {
          ...(memFractionStatic === undefined ? {} : { memFractionStatic }),
          ...(values['sglang-version'] === undefined ? {} : { sglangVersion: values['sglang-version'] }),
        })
      : estimateServingMemory(model, gpu, settings);
  // Throughput is estimated even when the model's full context does not fit: the performance model
  // sizes the KV cache for the requested lengths and says so when not even one request fits.
  const performance = wantsPerformance(values)
    ? await performanceForEstimate(
        values,
        model,
        gpu,
        {
          tp: estimate.settings.tp,
          pp: estimate.settings.pp,
          weightFormat: estimate.settings.weightFormat,
          kvCacheDtype: estimate.settings.kvCacheDtype,
          maxNumSeqs: values['max-num-seqs'] === undefined ? undefined : estimate.settings.maxNumSeqs,
          maxNumBatchedTokens:
            values['max-num-batched-tokens'] === undefined ? undefined : estimate.settings.maxNumBatchedTokens,
          maxModelLen: values['max-model-len'] === undefined ? undefined : estimate.settings.maxModelLen,
        },
        io,
      )
    : undefined;
  io.out(
    values.json
      ? safeJson({ ...estimateJson(model, estimate), ...(performance && performanceJson(performance)) })
      : `${estimateText(model, estimate)}${performance ? `\n${performanceText(performance)}` : ''}`,
  );
  return (performance ? performance.ok : estimate.fits) ? 0 : 1;
}

export async function suggestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      gpu: { type: 'string', multiple: true },
      context: { type: 'string' },
      'input-tokens': { type: 'string' },
      'output-tokens': { type: 'string' },
      rps: { type: 'string' },
      concurrency: { type: 'string' },
      'ttft-ms': { type: 'string' },
      'tpot-ms': { type: 'string' },
      price: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      engine: { type: 'string' },
      dtype: { type: 'string' },
      'kv-cache-dtype': { type: 'string' },
    },
  });
  if (values.dtype !== undefined && !WEIGHT_FORMATS.includes(values.dtype as WeightFormat))
    throw new UsageError(`--dtype must be one of ${WEIGHT_FORMATS.join(', ')}`);
  if (values['kv-cache-dtype'] !== undefined && !KV_CACHE_DTYPES.includes(values['kv-cache-dtype'] as KvCacheDtype))
    throw new UsageError(`--kv-cache-dtype must be one of ${KV_CACHE_DTYPES.join(', ')}`);
  const engine = engineFlag(values.engine);
  const prices: Record<string, number> = {};
  for (const entry of values.price ?? []) {
    const [id, usd] = entry.split('=');
    const gpu = id ? findGpu(id) : undefined;
    if (!gpu || usd === undefined || !Number.isFinite(Number(usd)) || Number(usd) < 0)
      throw new UsageError(`--price takes GPU=USD per hour, e.g. h100-sxm=2.49, not "${entry.slice(0, 80)}"`);
    prices[gpu.id] = Number(usd);
  }
  const gpus = withPrices(
    values.gpu?.length ? values.gpu.map((id) => gpuOf(id)) : GPU_CATALOG.filter((g) => g.datacenter),
    prices,
  );
  const model = await loadModel(values.model, io);
  const context = positiveInteger(values.context, '--context', Math.min(model.maxPositionEmbeddings ?? 8192, 8192));
  const calibration = await readCalibrationFile(io.cwd);
  if (calibration.warning) io.err(`gpu-workbench: ${safeLine(calibration.warning)}`);
  const result = suggest(
    model,
    gpus,
    {
      contextLength: context,
      inputTokens: positiveInteger(values['input-tokens'], '--input-tokens', Math.min(1024, context)),
      outputTokens: positiveInteger(values['output-tokens'], '--output-tokens', 256),
      requestsPerSecond: positiveNumber(values.rps, '--rps', undefined),
      concurrency: values.concurrency === undefined ? undefined : positiveInteger(values.concurrency, '--concurrency'),
      ttftMsMax: positiveNumber(values['ttft-ms'], '--ttft-ms', undefined),
      tpotMsMax: positiveNumber(values['tpot-ms'], '--tpot-ms', undefined),
    },
    {
      engine,
      weightFormat: values.dtype as WeightFormat | undefined,
      kvCacheDtype: values['kv-cache-dtype'] as KvCacheDtype | undefined,
      calibration: calibration.file,
    },
  );
  if (!result.ok) {
    io.out(
      values.json
        ? safeJson({ ok: false, reasons: result.reasons })
        : `No layout fits:\n${result.reasons.map((r) => `  - ${r}`).join('\n')}`,
    );
    return 1;
  }
  io.out(
    values.json
      ? safeJson({
          ok: true,
          model: model.id,
          best: suggestionJson(result.best),
          alternatives: result.alternatives.map(suggestionJson),
        })
      : suggestionText(model, result.best, result.alternatives),
  );
  return 0;
}

export async function trainCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      model: { type: 'string' },
      method: { type: 'string' },
      zero: { type: 'string' },
      dp: { type: 'string' },
      tp: { type: 'string' },
      pp: { type: 'string' },
      'micro-batch': { type: 'string' },
      'seq-len': { type: 'string' },
      recompute: { type: 'boolean' },
      'lora-rank': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const method = (values.method ?? 'full') as TrainingMethod;
  if (!['full', 'lora', 'qlora'].includes(method)) throw new UsageError('--method must be full, lora or qlora');
  const zero = Number(values.zero ?? 0);
  if (![0, 1, 2, 3].includes(zero)) throw new UsageError('--zero must be 0, 1, 2 or 3');
  const model = await loadModel(values.model, io);
  const tp = positiveInteger(values.tp, '--tp', 1);
  if (model.numAttentionHeads % tp !== 0)
    throw new UsageError(`--tp ${tp} does not divide ${model.id}'s ${model.numAttentionHeads} attention heads`);
  const estimate = estimateTrainingMemory(model, {
    method,
    zeroStage: zero as 0 | 1 | 2 | 3,
    dp: positiveInteger(values.dp, '--dp', 1),
    tp,
    pp: positiveInteger(values.pp, '--pp', 1),
    microBatch: positiveInteger(values['micro-batch'], '--micro-batch', 1),
    sequenceLength: positiveInteger(values['seq-len'], '--seq-len', 4096),
    recompute: values.recompute === true,
    flashAttention: true,
    loraRank: positiveInteger(values['lora-rank'], '--lora-rank', 16),
  });
  const json = trainingJson(estimate);
  io.out(
    values.json
      ? safeJson({ model: model.id, method, ...json })
      : [
          `${model.id}, ${method} fine-tuning, per GPU: ${json.totalGiB} GiB`,
          `  weights ${json.weightsGiB} GiB, gradients ${json.gradientsGiB} GiB, optimizer ${json.optimizerGiB} GiB, activations ${json.activationsGiB} GiB, logits ${json.logitsGiB} GiB`,
          ...estimate.explanation.map((l) => `  - ${l}`),
        ].join('\n'),
  );
  return 0;
}
