/** What the linter understood of each serving unit, for `--format json` and the editor's hover. */
import { ENGINE_LABEL } from './engineArgs.ts';
import { modelOf, unitGpu } from './sizingLookup.ts';
import type { EngineName, GpuTypeSource, LintOptions, ModelSource, ServingUnit } from './types.ts';
import { enginePlan, reservedGpus } from './unitHelpers.ts';

export interface UnitSummary {
  /** Offset of the unit's name or command (report.ts turns it into a line). */
  offset: number;
  name: string;
  engine?: EngineName;
  /** The model argument as written (`$(MODEL_ID)`, `/models/Qwen3-8B/`). */
  modelWritten?: string;
  /** Its value after variables were expanded. */
  model?: string;
  modelSource?: ModelSource;
  /** The built-in catalog entry it sizes as, if any. */
  catalogModel?: string;
  tp?: number;
  pp?: number;
  dp?: number;
  gpusPerPod?: number;
  podsPerGroup?: number;
  replicas?: number;
  role?: 'leader' | 'worker';
  gpuType?: string;
  gpuTypeSource?: GpuTypeSource;
}

export function summarizeUnit(unit: ServingUnit, options: LintOptions): UnitSummary {
  const e = unit.engine;
  const plan = e ? enginePlan(unit) : undefined;
  const gpu = unitGpu(unit, options);
  const catalog = e?.model ? modelOf(e.model.value, options)?.id : undefined;
  const summary: UnitSummary = {
    offset: e?.span.start ?? unit.name.span.start,
    name: unit.name.value,
    engine: e?.engine,
    modelWritten: e?.modelWritten ?? e?.model?.value ?? e?.unresolvedModel?.value,
    model: e?.model?.value,
    modelSource: e ? (e.modelSource ?? (e.model ? 'literal' : undefined)) : undefined,
    catalogModel: catalog,
    tp: plan?.tp,
    pp: plan?.pp,
    dp: plan && plan.dp > 1 ? plan.dp : undefined,
    gpusPerPod: reservedGpus(unit),
    podsPerGroup: unit.podsPerGroup,
    replicas: unit.replicas,
    role: unit.role,
    gpuType: gpu.ok ? gpu.gpu.name : unit.gpuProduct?.value,
    gpuTypeSource: gpu.ok ? gpu.source : unit.gpuProductSource,
  };
  return Object.fromEntries(Object.entries(summary).filter(([, v]) => v !== undefined)) as unknown as UnitSummary;
}

const SOURCE_WORDS: Record<GpuTypeSource, string> = {
  selector: 'from nodeSelector',
  affinity: 'from node affinity',
  label: 'from a node label',
  heading: 'from the heading above',
  accelerator_type: 'from accelerator_type',
  hint: 'from ROCm hints',
  default: 'the default GPU',
};

/** "vLLM · Llama-3.1-8B-Instruct · TP 2 · 2 x NVIDIA H100 80GB (from nodeSelector)" */
export function unitHeadline(s: UnitSummary): string {
  const parts: string[] = [s.engine ? ENGINE_LABEL[s.engine] : s.name];
  if (s.model) parts.push(s.model.split('/').filter(Boolean).pop() ?? s.model);
  else if (s.modelWritten) parts.push(`${s.modelWritten} (value not in this file)`);
  const layout = [`TP ${s.tp ?? 'all GPUs'}`];
  if (s.pp && s.pp > 1) layout.push(`PP ${s.pp}`);
  if (s.dp) layout.push(`DP ${s.dp}`);
  if (s.engine) parts.push(layout.join(' x '));
  const count = s.gpusPerPod !== undefined ? `${s.gpusPerPod} x ` : '';
  if (s.gpuType) parts.push(`${count}${s.gpuType}${s.gpuTypeSource ? ` (${SOURCE_WORDS[s.gpuTypeSource]})` : ''}`);
  else if (count) parts.push(`${s.gpusPerPod} GPU${s.gpusPerPod === 1 ? '' : 's'}`);
  if (s.podsPerGroup && s.podsPerGroup > 1) parts.push(`${s.podsPerGroup} pods per group`);
  if (s.replicas && s.replicas > 1) parts.push(`${s.replicas} replicas`);
  return parts.join(' · ');
}
