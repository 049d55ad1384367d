/** What the rules need from the sizing engine for one serving unit. */
import type { ModelArchitecture, WeightFormat } from '../catalog/architecture.ts';
import { findGpuByLabel, type GpuSpec } from '../catalog/gpus.ts';
import { sameModelName, weightFormatFromName } from '../catalog/modelNames.ts';
import { findModelLoosely } from '../catalog/models.ts';
import type { KvCacheDtype } from '../sizing/kvCache.ts';
import {
  estimateServingMemory,
  vllmDefaults,
  type ServingEstimate,
  type ServingSettings,
} from '../sizing/servingMemory.ts';
import { estimateSglangMemory, sglangDefaults } from '../sizing/sglangMemory.ts';
import { vllmVersionFromImage } from '../sizing/vllmVersion.ts';
import { flagName } from './engineArgs.ts';
import type { GpuTypeSource, LintOptions, ServingUnit } from './types.ts';
import { enginePlan } from './unitHelpers.ts';

/** The GPU a unit runs on, and where that came from; the file's own hints win over the default. */
export type UnitGpu =
  | { ok: true; gpu: GpuSpec; source: GpuTypeSource; fromDefault: boolean }
  | { ok: false; reason: string; missing?: 'gpu-type' };

/**
 * Where a file of each format can name its GPU type, in that format's own terms: a manifest's
 * node selector on the label NVIDIA GPU Feature Discovery puts on nodes
 * (NVIDIA/k8s-device-plugin docs/gpu-feature-discovery/README.md: `nvidia.com/gpu.product`), Ray Serve
 * LLM's `accelerator_type` (ray python/ray/llm/_internal/serve/configs/server_models.py, LLMConfig),
 * a Markdown heading above a command; compose, command lines and vLLM config files have no place for it.
 */
function noGpuTypeWords(unit: ServingUnit): string {
  const setting = '(gpuWorkbench.defaultGpu; --default-gpu on the command line)';
  const none = 'and no default GPU is set';
  switch (unit.source) {
    case 'kubernetes':
    case 'kserve':
      return `the manifest names no GPU type ${none}: add a nodeSelector (or node affinity) on nvidia.com/gpu.product, the label GPU Feature Discovery puts on GPU nodes, or set the default GPU ${setting}`;
    case 'compose':
      return `a compose file cannot name the GPU model (deploy.resources.reservations.devices picks GPUs by count or device_ids, not by type) ${none}: set it to the host's GPU ${setting}`;
    case 'ray-serve':
      return `the config names no GPU type ${none}: add accelerator_type (for example H100) to the LLM config, or a nodeSelector on nvidia.com/gpu.product to the RayService worker group, or set the default GPU ${setting}`;
    case 'vllm-config':
      return `a vLLM config file does not say which GPU it runs on ${none}: set it to the machine's GPU ${setting}`;
    case 'script':
      return unit.inMarkdown
        ? `the command names no GPU ${none}: name the GPU in a heading above the command (### H100), or set the default GPU ${setting}`
        : `a command line does not say which GPU it runs on ${none}: set it to the machine's GPU ${setting}`;
  }
}

export function unitGpu(unit: ServingUnit, options: LintOptions): UnitGpu {
  if (unit.gpuProduct) {
    const gpu = findGpuByLabel(unit.gpuProduct.value);
    if (gpu) return { ok: true, gpu, source: unit.gpuProductSource ?? 'selector', fromDefault: false };
    return { ok: false, reason: `GPU "${unit.gpuProduct.value}" is not in the catalog` };
  }
  const defaultGpu = options.defaultGpu;
  const hint = unit.acceleratorHint;
  if (hint) {
    const [vendor, seen] = [hint.slice(0, hint.indexOf(':')), hint.slice(hint.indexOf(':') + 2)];
    if (vendor !== 'AMD')
      return { ok: false, reason: `the command runs on ${vendor} (${seen}), which the sizing engine does not model` };
    if (defaultGpu && /^AMD/i.test(defaultGpu.name))
      return { ok: true, gpu: defaultGpu, source: 'default', fromDefault: true };
    return {
      ok: false,
      reason: `the command runs on an AMD GPU (${seen}) but the file does not say which, and the default GPU is ${defaultGpu ? `${defaultGpu.name}, not AMD` : 'not set'}`,
      missing: 'gpu-type',
    };
  }
  if (defaultGpu) return { ok: true, gpu: defaultGpu, source: 'default', fromDefault: true };
  return {
    ok: false,
    reason: noGpuTypeWords(unit),
    missing: 'gpu-type',
  };
}

/** " on H100 (the default GPU)" style suffix for messages that rely on the default. */
export function defaultNote(fromDefault: boolean): string {
  return fromDefault ? ' (the default GPU: the file names none)' : '';
}

/**
 * The weight format a unit loads: the engine's quantization flag, `--load-format bitsandbytes`,
 * then a quantized checkpoint's name; undefined keeps the checkpoint's own config. TGI's plain
 * `bitsandbytes` is 8-bit (LLM.int8), its `-nf4`/`-fp4` 4-bit (launcher `Quantization` enum);
 * vLLM's in-flight bitsandbytes is 4-bit.
 */
export function weightFormatOf(unit: ServingUnit, model: ModelArchitecture): WeightFormat | undefined {
  const engine = unit.engine;
  const q = engine?.quantization?.value.toLowerCase();
  if (q) {
    if (/^(fp8|fbgemm_fp8|modelopt|w8a8_fp8|ptpc_fp8|fp8_e4m3)$/.test(q)) return 'fp8';
    if (
      /^(awq|awq_marlin|gptq|gptq_marlin|marlin|exl2|bitsandbytes-nf4|bitsandbytes-fp4|hqq|gguf|w4a16|moe_wna16)$/.test(
        q,
      )
    )
      return 'int4';
    if (q === 'bitsandbytes') return engine?.engine === 'tgi' ? 'int8' : 'int4';
    if (/^(eetq|w8a8_int8|experts_int8|int8|smoothquant)$/.test(q)) return 'int8';
    if (q === 'mxfp4') return 'mxfp4';
    if (q === 'nvfp4' || q === 'modelopt_fp4') return 'nvfp4';
  }
  if (engine?.loadFormat?.value.toLowerCase() === 'bitsandbytes') return 'int4';
  if (model.quantization) return undefined;
  return engine?.model ? weightFormatFromName(engine.model.value) : undefined;
}

/**
 * The architecture a unit's model sizes as: what the caller finds (the catalog, or configs it
 * loaded), else a catalog model of the same geometry, as an approximation (exactModel says so).
 */
export function modelOf(name: string, options: LintOptions): ModelArchitecture | undefined {
  return options.findModel(name) ?? findModelLoosely(name)?.architecture;
}

/** Whether the catalog entry is the named model itself, not a relative (`-2507`, base vs instruct). */
export function exactModel(unit: ServingUnit, model: ModelArchitecture): boolean {
  return Boolean(unit.engine?.model && sameModelName(unit.engine.model.value, model.id));
}

/** The memory estimate in the engine's own terms (vLLM's profiling, or SGLang's static fraction). */
export function estimateFor(model: ModelArchitecture, gpu: GpuSpec, settings: ServingSettings): ServingEstimate {
  return settings.engine === 'sglang'
    ? estimateSglangMemory(model, gpu, settings, { memFractionStatic: settings.gpuMemoryUtilization })
    : estimateServingMemory(model, gpu, settings);
}

export type UnitSizing =
  | {
      ok: true;
      model: ModelArchitecture;
      gpu: GpuSpec;
      settings: ServingSettings;
      estimate: ServingEstimate;
      gpuFromDefault: boolean;
      gpuSource: GpuTypeSource;
    }
  | { ok: false; reason: string; missing?: 'gpu-type' };

export function unresolvedReason(unit: ServingUnit): string | undefined {
  const u = unit.engine?.unresolvedModel;
  if (!u) return undefined;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(u.value))
    return u.external
      ? `the model is given by $${u.value}, whose value comes from ${u.from ?? 'outside this file'}`
      : `the model is given by $${u.value}, which is not set in this file`;
  if (u.from) return `the model is ${u.value}, filled from ${u.from}`;
  return `the model is given as "${u.value}", a placeholder rather than a model name`;
}

/** Several rules size the same unit: the answer is kept per unit and options. */
const SIZED = new WeakMap<ServingUnit, { options: LintOptions; sizing: UnitSizing }>();

export function sizeUnit(unit: ServingUnit, options: LintOptions): UnitSizing {
  const kept = SIZED.get(unit);
  if (kept?.options === options) return kept.sizing;
  const sizing = sizeUnitOnce(unit, options);
  SIZED.set(unit, { options, sizing });
  return sizing;
}

function sizeUnitOnce(unit: ServingUnit, options: LintOptions): UnitSizing {
  const engine = unit.engine;
  const unresolved = unresolvedReason(unit);
  if (unresolved) return { ok: false, reason: unresolved };
  if (!engine?.model) return { ok: false, reason: 'no model is named' };
  const model = modelOf(engine.model.value, options);
  if (!model)
    return {
      ok: false,
      reason: `model "${engine.model.value}" is not in the built-in catalog (give its config.json to "Estimate Model Memory" to size it)`,
    };
  const found = unitGpu(unit, options);
  if (!found.ok) return found;
  const { gpu } = found;
  const vllmVersion = (unit.image ? vllmVersionFromImage(unit.image) : undefined) ?? options.vllmVersion;
  const defaults = vllmDefaults(model, gpu, vllmVersion);
  const plan = enginePlan(unit);
  const kv = engine.kvCacheDtype?.value?.toLowerCase() ?? '';
  const settings: ServingSettings = {
    ...defaults,
    tp: plan.tp ?? 1,
    pp: plan.pp,
    maxModelLen: engine.maxModelLen?.value ?? defaults.maxModelLen,
    gpuMemoryUtilization: engine.gpuMemoryUtilization?.value ?? defaults.gpuMemoryUtilization,
    maxNumSeqs: engine.maxNumSeqs?.value ?? defaults.maxNumSeqs,
    maxNumBatchedTokens: engine.maxNumBatchedTokens?.value ?? defaults.maxNumBatchedTokens,
    kvCacheDtype: kv.startsWith('fp8') ? 'fp8' : ('auto' as KvCacheDtype),
    weightFormat: weightFormatOf(unit, model),
  };
  // TGI hands the engine all the memory unless told otherwise (launcher/src/main.rs:
  // `#[clap(default_value = "1.0", long, env)] cuda_memory_fraction`).
  if (engine.engine === 'tgi' && !engine.gpuMemoryUtilization) settings.gpuMemoryUtilization = 1;
  // SGLang sizes by --mem-fraction-static (sizing/sglangMemory.ts); its default comes from there.
  if (engine.engine === 'sglang') {
    settings.engine = 'sglang';
    settings.gpuMemoryUtilization =
      engine.gpuMemoryUtilization?.value ?? sglangDefaults(gpu, settings.tp, settings.pp).memFractionStatic;
  }
  if (!Number.isInteger(settings.tp) || settings.tp < 1 || !Number.isInteger(settings.pp) || settings.pp < 1)
    return { ok: false, reason: 'tensor/pipeline parallel size is not a positive whole number' };
  if (!(settings.gpuMemoryUtilization > 0 && settings.gpuMemoryUtilization <= 1))
    return { ok: false, reason: `${flagName(engine.engine, 'gpuMemoryUtilization')} is outside (0, 1]` };
  return {
    ok: true,
    model,
    gpu,
    settings,
    estimate: estimateFor(model, gpu, settings),
    gpuFromDefault: found.fromDefault,
    gpuSource: found.source,
  };
}
