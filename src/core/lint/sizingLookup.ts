/** What the rules need from the sizing engine for one serving unit. */
import type { ModelArchitecture } from '../catalog/architecture.ts';
import { findGpu, type GpuSpec } from '../catalog/gpus.ts';
import type { KvCacheDtype } from '../sizing/kvCache.ts';
import {
  estimateServingMemory,
  vllmDefaults,
  type ServingEstimate,
  type ServingSettings,
} from '../sizing/servingMemory.ts';
import { vllmVersionFromImage } from '../sizing/vllmVersion.ts';
import type { LintOptions, ServingUnit } from './types.ts';

/** GPU names in labels that are not nvidia-smi names: GKE accelerators and cloud instance types. */
const LABEL_ALIASES: [RegExp, string][] = [
  [/^nvidia-h100(-80gb|-mega-80gb)?$/i, 'h100-sxm'],
  [/^nvidia-h200/i, 'h200'],
  [/^nvidia-b200/i, 'b200'],
  [/^nvidia-a100-80gb$/i, 'a100-80gb'],
  [/^nvidia-tesla-a100$/i, 'a100-40gb'],
  [/^nvidia-l4$/i, 'l4'],
  [/^(p5|p5e|p5en)\./i, 'h100-sxm'],
  [/^p4de\./i, 'a100-80gb'],
  [/^p4d\./i, 'a100-40gb'],
  [/^g5\./i, 'a10g'],
  [/^g6e\./i, 'l40s'],
  [/^g6\./i, 'l4'],
  [/^a3-(high|mega|edge)gpu/i, 'h100-sxm'],
  [/^a2-ultragpu/i, 'a100-80gb'],
  [/^a2-highgpu/i, 'a100-40gb'],
  [/^g2-standard/i, 'l4'],
  [/^Standard_ND96i?sr_H100_v5$/i, 'h100-sxm'],
  [/^Standard_ND96amsr_A100_v4$/i, 'a100-80gb'],
];

export function gpuFromLabel(label: string): GpuSpec | undefined {
  const alias = LABEL_ALIASES.find(([pattern]) => pattern.test(label.trim()));
  return alias ? findGpu(alias[1]) : findGpu(label);
}

export type UnitSizing =
  | {
      ok: true;
      model: ModelArchitecture;
      gpu: GpuSpec;
      settings: ServingSettings;
      estimate: ServingEstimate;
      gpuFromDefault: boolean;
    }
  | { ok: false; reason: string };

export function sizeUnit(unit: ServingUnit, options: LintOptions): UnitSizing {
  const engine = unit.engine;
  if (!engine?.model) return { ok: false, reason: 'no model is named' };
  const model = options.findModel(engine.model.value);
  if (!model)
    return {
      ok: false,
      reason: `model "${engine.model.value}" is not in the built-in catalog (give its config.json to "Estimate Model Memory" to size it)`,
    };
  const labelled = unit.gpuProduct ? gpuFromLabel(unit.gpuProduct.value) : undefined;
  const gpu = labelled ?? options.defaultGpu;
  if (!gpu) {
    return {
      ok: false,
      reason: unit.gpuProduct
        ? `GPU "${unit.gpuProduct.value}" is not in the catalog`
        : 'the file names no GPU type (nodeSelector nvidia.com/gpu.product) and no default GPU is set (gpuWorkbench.defaultGpu / --default-gpu)',
    };
  }
  const vllmVersion = (unit.image ? vllmVersionFromImage(unit.image) : undefined) ?? options.vllmVersion;
  const defaults = vllmDefaults(model, gpu, vllmVersion);
  const settings: ServingSettings = {
    ...defaults,
    tp: engine.tensorParallel?.value ?? 1,
    pp: engine.pipelineParallel?.value ?? 1,
    maxModelLen: engine.maxModelLen?.value ?? defaults.maxModelLen,
    gpuMemoryUtilization: engine.gpuMemoryUtilization?.value ?? defaults.gpuMemoryUtilization,
    maxNumSeqs: engine.maxNumSeqs?.value ?? defaults.maxNumSeqs,
    maxNumBatchedTokens: engine.maxNumBatchedTokens?.value ?? defaults.maxNumBatchedTokens,
    kvCacheDtype:
      engine.kvCacheDtype?.value === 'fp8' || engine.kvCacheDtype?.value?.startsWith('fp8')
        ? 'fp8'
        : ('auto' as KvCacheDtype),
    weightFormat: engine.quantization?.value === 'fp8' ? 'fp8' : undefined,
  };
  if (!Number.isInteger(settings.tp) || settings.tp < 1 || !Number.isInteger(settings.pp) || settings.pp < 1)
    return { ok: false, reason: 'tensor/pipeline parallel size is not a positive whole number' };
  if (!(settings.gpuMemoryUtilization > 0 && settings.gpuMemoryUtilization <= 1))
    return { ok: false, reason: 'gpu_memory_utilization is outside (0, 1]' };
  return {
    ok: true,
    model,
    gpu,
    settings,
    estimate: estimateServingMemory(model, gpu, settings),
    gpuFromDefault: !labelled,
  };
}
