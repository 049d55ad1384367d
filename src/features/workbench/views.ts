/**
 * The mapping from core results to the view types the workbench page draws. It lives here, not in
 * src/core, because the view types belong to the webview protocol (ARCHITECTURE.md).
 */
import type { ModelArchitecture } from '../../core/catalog/architecture.ts';
import { GIB, type ServingEstimate } from '../../core/sizing/servingMemory.ts';
import type { SuggestResult, Suggestion } from '../../core/sizing/suggest.ts';
import type { PackingResult } from '../../core/solver/packing.ts';
import type { PackingProblem } from '../../core/solver/problem.ts';
import type { ProvisioningResult } from '../../core/solver/provisioning.ts';
import type { PlanOutcome } from '../../core/solver/solvePlan.ts';
import type { EstimateView, PlanView, SuggestionView } from '../../shared/protocol.ts';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** What the workbench draws for an estimate. */
export function estimateView(a: ModelArchitecture, e: ServingEstimate, advice: string[]): EstimateView {
  const gib = (bytes: number) => round(bytes / GIB);
  const total = e.usableBytes / e.settings.gpuMemoryUtilization;
  return {
    title: `${a.id} on ${e.gpu.name}, TP=${e.settings.tp}${e.settings.pp > 1 ? ` PP=${e.settings.pp}` : ''}, max_model_len ${e.settings.maxModelLen}`,
    totalGiB: gib(total),
    usableGiB: gib(e.usableBytes),
    parts: [
      { label: 'Weights', gib: gib(e.weightsBytes) },
      { label: 'Activation peak', gib: gib(e.activationBytes) },
      { label: 'Non-torch memory', gib: gib(e.nonTorchBytes) },
      // Taken from the KV budget by the releases that do (0.11 on): without it the parts would not add up.
      ...(e.cudaGraphBytes ? [{ label: 'CUDA graphs', gib: gib(e.cudaGraphBytes) }] : []),
      // What is left for the KV cache; when the rest is more than the usable memory that is an
      // overflow (the page draws it past the usable line), never a negative cache.
      { label: 'KV cache', gib: Math.max(0, gib(e.kvCacheBytes)) },
    ],
    kvCacheTokens: e.kvCacheTokens,
    maxConcurrency: round(e.maxConcurrency),
    fits: e.fits,
    problems: e.problems,
    advice,
    explanation: e.explanation,
  };
}

/** What the workbench shows for a suggestion. */
export function suggestionView(a: ModelArchitecture, workloadText: string, result: SuggestResult): SuggestionView {
  const title = `${a.id} for ${workloadText}`;
  if (!result.ok) return { ok: false, title, reasons: result.reasons };
  const { best } = result;
  const row = (s: Suggestion, isBest: boolean) => ({
    gpu: s.gpu.name,
    layout: `TP=${s.tp}${s.pp > 1 ? ` PP=${s.pp}` : ''} x ${s.replicas}`,
    gpus: s.gpus,
    costPerHour: round(s.costPerHour),
    batch: s.batch,
    tpotMs: round(s.perReplica.tpotMs, 1),
    ttftMs: Math.round(s.perReplica.ttftMs),
    best: isBest,
  });
  return {
    ok: true,
    title,
    rows: [row(best, true), ...result.alternatives.map((s) => row(s, false))],
    commands: [
      { label: 'vLLM', text: `vllm serve ${a.id} ${best.vllm.args.join(' ')}` },
      { label: 'TGI', text: `text-generation-launcher --model-id ${a.id} ${best.tgi.args.join(' ')}` },
      {
        label: 'Triton',
        text: `max_batch_size: ${best.triton.maxBatchSize}  instance_group [{ count: ${best.triton.instanceCount} }]  dynamic_batching { max_queue_delay_microseconds: ${best.triton.maxQueueDelayMicroseconds} }`,
      },
    ],
    reasons: best.reasons,
    assumptions: best.assumptions,
  };
}

/** What the workbench draws for a solved plan. */
export function planView(problem: PackingProblem, result: PackingResult): PlanView {
  const memory = new Map(problem.gpus.map((g) => [g.type, g.memoryGiB]));
  const tp = new Map(problem.models.map((m) => [m.name, m.tp]));
  const cost = (c: { costPerHour: number; gpusUsed: number } | undefined) =>
    c ? { costPerHour: c.costPerHour, gpusUsed: c.gpusUsed } : undefined;
  return {
    status: result.status,
    message: result.message,
    costPerHour: result.costPerHour,
    gpusUsed: result.gpusUsed,
    greedy: cost(result.greedy),
    onePerGpu: cost(result.onePerGpu),
    gpus: (result.placement?.gpus ?? []).map((g) => ({
      label: `${g.gpuType}#${g.gpuIndex}`,
      memoryGiB: memory.get(g.gpuType) ?? 0,
      shards: g.replicas.map((r) => ({
        model: r.model,
        memoryGiB: r.memoryGiB,
        replica: r.replica,
        tp: tp.get(r.model) ?? 1,
      })),
    })),
  };
}

/** What the workbench draws for a provisioning result: what to run where, and the cost/headroom front. */
export function provisioningView(result: ProvisioningResult): PlanView {
  return {
    status: result.status,
    message: result.message,
    costPerHour: result.costPerHour,
    gpus: [],
    provisioning: {
      rows: result.choices.map((c) => ({
        model: c.model,
        gpuType: c.gpuType,
        tp: c.tp,
        replicas: c.replicas,
        requestsPerSecond: c.requestsPerSecond * c.replicas,
        costPerHour: c.costPerHour * c.replicas,
      })),
      homogeneous: result.homogeneous,
      front: result.front,
    },
  };
}

export function outcomeView(outcome: PlanOutcome): PlanView {
  return outcome.kind === 'packing' ? planView(outcome.problem, outcome.result) : provisioningView(outcome.result);
}
