/**
 * Ray Serve configs (serve deploy / serve run YAML, and a KubeRay RayService's serveConfigV2):
 * deployments with num_gpus, and Ray Serve LLM applications (`build_openai_app` with
 * `llm_configs`, `build_pd_openai_app` with prefill/decode configs). An LLMConfig's fields follow
 * ray python/ray/llm/_internal/serve/configs/server_models.py (LLMConfig: model_loading_config,
 * engine_kwargs, accelerator_type, deployment_config); Ray places TP x PP GPUs per replica itself.
 */
import { isScalar, type Document, type Node } from 'yaml';
import { gpuProduct } from './container.ts';
import { alignedText } from './shellParse.ts';
import { child, items, num, parseYaml, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, Located, ServingUnit, Span } from './types.ts';
import { vllmSettings } from './vllmConfig.ts';

/**
 * Ray's own vLLM example app (doc/source/serve/doc_code/vllm_openai_example.py) takes vLLM's CLI
 * flags as `args`: `model`, `tensor-parallel-size` (or with underscores).
 */
function engineFromCliArgs(args: Node | undefined, whole: Span): EngineCommand | undefined {
  const engine = vllmSettings(args, whole);
  return engine.model ? engine : undefined;
}

/** An LLMConfig: the model from model_loading_config, vLLM's settings from engine_kwargs. */
function engineFromLlmConfig(llm: Node | undefined, whole: Span): EngineCommand | undefined {
  const kwargs = child(llm, 'engine_kwargs');
  const model =
    str(path(llm, 'model_loading_config', 'model_source')) ?? str(path(llm, 'model_loading_config', 'model_id'));
  if (!kwargs && !model) return undefined;
  return { ...vllmSettings(kwargs, whole), model, modelSource: model ? 'literal' : undefined };
}

function replicasOf(config: Node | undefined): number | undefined {
  return num(child(config, 'num_replicas'))?.value ?? num(path(config, 'autoscaling_config', 'max_replicas'))?.value;
}

/** One unit per LLMConfig of an application's args (inline ones; a path to a file is not read). */
function llmConfigUnits(app: Node, args: Node | undefined, product?: Located<string>): ServingUnit[] {
  const configs: { node: Node; label: string }[] = [];
  for (const c of items(child(args, 'llm_configs'))) if (!isScalar(c)) configs.push({ node: c, label: '' });
  const single = child(args, 'llm_config');
  if (single && !isScalar(single)) configs.push({ node: single, label: '' });
  for (const role of ['prefill_config', 'decode_config']) {
    const c = child(args, role);
    if (c && !isScalar(c)) configs.push({ node: c, label: ` (${role.replace('_config', '')})` });
  }
  const appName = str(child(app, 'name'));
  return configs.flatMap(({ node, label }) => {
    const engine = engineFromLlmConfig(node, spanOf(node));
    if (!engine) return [];
    const accelerator = str(child(node, 'accelerator_type'));
    const id = str(path(node, 'model_loading_config', 'model_id')) ?? appName;
    return [
      {
        name: { value: `${id?.value ?? 'llm'}${label}`, span: id?.span ?? spanOf(node) },
        source: 'ray-serve' as const,
        engine,
        gpuProduct: accelerator ?? product,
        gpuProductSource: accelerator ? ('accelerator_type' as const) : product ? ('selector' as const) : undefined,
        replicas: replicasOf(child(node, 'deployment_config')),
        sharedMemory: 'not-applicable' as const,
      },
    ];
  });
}

function applicationsUnits(root: unknown, product?: Located<string>): ServingUnit[] {
  return items(child(root, 'applications')).flatMap((app) => {
    const appArgs = child(app, 'args');
    const deployments = items(child(app, 'deployments'));
    const llmUnits = llmConfigUnits(app, appArgs, product);
    if (deployments.length === 0) return llmUnits;
    const appEngine = llmUnits[0]?.engine ?? engineFromCliArgs(appArgs, spanOf(app));
    return deployments.map((deployment): ServingUnit => {
      const name = str(child(deployment, 'name')) ?? {
        value: str(child(app, 'name'))?.value ?? 'deployment',
        span: spanOf(deployment),
      };
      const numGpus = num(path(deployment, 'ray_actor_options', 'num_gpus'));
      const own = child(deployment, 'args');
      const ownConfig = child(own, 'llm_config') ?? items(child(own, 'llm_configs'))[0];
      return {
        name,
        source: 'ray-serve',
        engine: engineFromLlmConfig(ownConfig, spanOf(deployment)) ?? appEngine,
        gpus: numGpus ? { kind: 'ray', fractional: numGpus } : undefined,
        gpuProduct: llmUnits[0]?.gpuProduct ?? product,
        gpuProductSource: llmUnits[0]?.gpuProductSource ?? (product ? 'selector' : undefined),
        replicas: replicasOf(deployment),
        sharedMemory: 'not-applicable',
      };
    });
  });
}

export function rayServeUnits(doc: Document.Parsed): ServingUnit[] {
  return applicationsUnits(doc.contents);
}

/** Rewrites every span of a unit read from an embedded YAML string back onto the file. */
function remap<T>(value: T, offsetAt: (i: number) => number): T {
  if (Array.isArray(value)) return value.map((v: unknown) => remap(v, offsetAt)) as T;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.start === 'number' && typeof record.end === 'number' && Object.keys(record).length === 2) {
      const end = record.end > record.start ? offsetAt(record.end - 1) + 1 : offsetAt(record.start);
      return { start: offsetAt(record.start), end } as T;
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, remap(v, offsetAt)])) as T;
  }
  return value;
}

/** KubeRay RayService: `serveConfigV2` is a Ray Serve config inside a YAML string. */
export function rayServiceUnits(root: Node, text: string): ServingUnit[] {
  const node = path(root, 'spec', 'serveConfigV2');
  const config = str(node);
  if (!node || !config) return [];
  const range = spanOf(node);
  const mapped = alignedText(config.value, text, range.start, range.end);
  // The embedded config gets the same work caps and alias handling as any YAML file.
  const docs = parseYaml(config.value).documents;
  // The worker groups' pod specs name the GPU that Ray's accelerator_type may not.
  const groups = items(path(root, 'spec', 'rayClusterConfig', 'workerGroupSpecs'));
  const product = groups
    .map((g) => path(g, 'template', 'spec'))
    .map((spec) => (spec ? gpuProduct(spec)?.product : undefined))
    .find(Boolean);
  const units = docs.filter((d) => d.errors.length === 0).flatMap((d) => applicationsUnits(d.contents));
  return units.map((u) => {
    const back = remap(u, (i) => mapped.offsetAt(i));
    return product && !back.gpuProduct ? { ...back, gpuProduct: product, gpuProductSource: 'selector' } : back;
  });
}

export function looksLikeRayServe(doc: Document.Parsed): boolean {
  return Boolean(child(doc.contents, 'applications'));
}
