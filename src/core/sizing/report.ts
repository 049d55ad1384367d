/** Sizing results as JSON-ready objects and as text for a terminal. */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import { GIB, type ServingEstimate } from './servingMemory.ts';
import type { Suggestion } from './suggest.ts';
import type { TrainingEstimate } from './training.ts';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The `gpu-workbench estimate --json` object: per GPU, GiB = 2^30 bytes. */
export function estimateJson(a: ModelArchitecture, e: ServingEstimate) {
  return {
    model: a.id,
    gpu: e.gpu.id,
    engine: e.settings.engine ?? 'vllm',
    ...(e.vllmVersion !== undefined ? { vllmVersion: e.vllmVersion } : {}),
    tp: e.settings.tp,
    pp: e.settings.pp,
    weightFormat: e.settings.weightFormat ?? a.quantization?.format ?? a.dtype,
    kvCacheDtype: e.settings.kvCacheDtype,
    gpuMemoryUtilization: e.settings.gpuMemoryUtilization,
    maxModelLen: e.settings.maxModelLen,
    maxNumSeqs: e.settings.maxNumSeqs,
    maxNumBatchedTokens: e.settings.maxNumBatchedTokens,
    usableGiB: round(e.usableBytes / GIB),
    weightsGiB: round(e.weightsBytes / GIB),
    activationGiB: round(e.activationBytes / GIB),
    nonTorchGiB: round(e.nonTorchBytes / GIB),
    cudaGraphGiB: round((e.cudaGraphBytes ?? 0) / GIB),
    kvCacheGiB: round(e.kvCacheBytes / GIB),
    kvCacheTokens: e.kvCacheTokens,
    kvBytesPerToken: Math.round(e.kvBytesPerToken),
    maxConcurrency: round(e.maxConcurrency),
    fits: e.fits,
    problems: e.problems,
    explanation: e.explanation,
  };
}

export function estimateText(a: ModelArchitecture, e: ServingEstimate): string {
  const j = estimateJson(a, e);
  const lines = [
    `${a.id} on ${e.gpu.name}, TP=${j.tp}${j.pp > 1 ? ` PP=${j.pp}` : ''}, ${j.weightFormat} weights, max_model_len ${j.maxModelLen}, ${j.engine === 'sglang' ? 'SGLang' : `vLLM ${j.vllmVersion ?? ''} rules`}`,
    '',
    `  ${`usable (x${j.gpuMemoryUtilization})`.padEnd(20)}${j.usableGiB.toFixed(2).padStart(8)} GiB`,
    `  weights             ${j.weightsGiB.toFixed(2).padStart(8)} GiB`,
    `  ${j.engine === 'sglang' ? 'activation reserve' : 'activation peak   '}  ${j.activationGiB.toFixed(2).padStart(8)} GiB`,
    `  non-torch memory    ${j.nonTorchGiB.toFixed(2).padStart(8)} GiB`,
    ...(j.cudaGraphGiB > 0 ? [`  CUDA graphs         ${j.cudaGraphGiB.toFixed(2).padStart(8)} GiB`] : []),
    `  KV cache            ${j.kvCacheGiB.toFixed(2).padStart(8)} GiB  = ${j.kvCacheTokens} tokens, ${j.maxConcurrency} x max_model_len`,
    '',
    j.fits ? 'Fits.' : `Does not fit: ${j.problems.join(' ')}`,
    '',
    'How each number is made:',
    ...e.explanation.map((line) => `  - ${line}`),
  ];
  return lines.join('\n');
}

export function suggestionJson(s: Suggestion) {
  return {
    gpu: s.gpu.id,
    tensorParallel: s.tp,
    pipelineParallel: s.pp,
    dataParallel: s.replicas,
    gpus: s.gpus,
    costPerHour: round(s.costPerHour),
    batch: s.batch,
    perReplica: {
      requestsPerSecond: round(s.perReplica.requestsPerSecond),
      tokensPerSecond: Math.round(s.perReplica.tokensPerSecond),
      ttftMs: Math.round(s.perReplica.ttftMs),
      tpotMs: round(s.perReplica.tpotMs, 1),
      ttftP90Ms: s.perReplica.ttftP90Ms === undefined ? undefined : Math.round(s.perReplica.ttftP90Ms),
      ttftP99Ms: s.perReplica.ttftP99Ms === undefined ? undefined : Math.round(s.perReplica.ttftP99Ms),
    },
    engine: s.engine,
    /** roofline | calibrated | measured, and the calibration file. */
    source: s.provenance?.kind ?? 'roofline',
    calibrationFile: s.provenance && s.provenance.kind !== 'roofline' ? s.provenance.file : undefined,
    vllm: s.vllm,
    tgi: s.tgi,
    triton: s.triton,
    reasons: s.reasons,
    assumptions: s.assumptions,
  };
}

export function suggestionText(a: ModelArchitecture, best: Suggestion, alternatives: Suggestion[]): string {
  const row = (s: Suggestion) =>
    `  ${s.gpu.name.padEnd(30)} TP=${s.tp}${s.pp > 1 ? ` PP=${s.pp}` : ''} x ${s.replicas} = ${String(s.gpus).padStart(3)} GPUs  $${s.costPerHour.toFixed(2).padStart(7)}/h  batch ${String(s.batch).padStart(4)}  ${s.perReplica.tpotMs.toFixed(1)} ms/token`;
  return [
    `${a.id}: ${best.gpu.name}, tensor parallel ${best.tp}${best.pp > 1 ? `, pipeline parallel ${best.pp}` : ''}, ${best.replicas} replica(s): ${best.gpus} GPUs, $${best.costPerHour.toFixed(2)}/h`,
    '',
    'Why:',
    ...best.reasons.map((r) => `  - ${r}`),
    '',
    `vLLM:   vllm serve ${a.id} ${best.vllm.args.join(' ')}`,
    `TGI:    text-generation-launcher --model-id ${a.id} ${best.tgi.args.join(' ')}`,
    `Triton: max_batch_size ${best.triton.maxBatchSize}, instance_group count ${best.triton.instanceCount}, dynamic_batching max_queue_delay_microseconds ${best.triton.maxQueueDelayMicroseconds}`,
    '',
    ...(alternatives.length ? ['Other GPU types:', ...alternatives.map(row), ''] : []),
    'Assumptions:',
    ...best.assumptions.map((r) => `  - ${r}`),
  ].join('\n');
}

export function trainingJson(t: TrainingEstimate) {
  return {
    trainableParameters: t.trainableParameters,
    weightsGiB: round(t.weightsBytes / GIB),
    gradientsGiB: round(t.gradientsBytes / GIB),
    optimizerGiB: round(t.optimizerBytes / GIB),
    activationsGiB: round(t.activationsBytes / GIB),
    logitsGiB: round(t.logitsBytes / GIB),
    totalGiB: round(t.totalBytes / GIB),
    explanation: t.explanation,
  };
}
