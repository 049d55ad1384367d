/**
 * KServe: InferenceService predictors (the Hugging Face runtime, which runs vLLM, framework
 * predictors, custom containers), the ServingRuntime a predictor uses in the same file, and
 * LLMInferenceService.
 */
import type { Document, Node } from 'yaml';
import { containerUnit, gpuProduct, overlayEngine, reservation } from './container.ts';
import { parseEngineArgs } from './engineArgs.ts';
import { alignedText, shellCommands } from './shellParse.ts';
import { child, items, num, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, ServingUnit } from './types.ts';

/** Frameworks a KServe predictor names directly; only huggingface runs an LLM engine (vLLM). */
const KSERVE_FRAMEWORKS = [
  'huggingface',
  'pytorch',
  'tensorflow',
  'sklearn',
  'xgboost',
  'onnx',
  'triton',
  'lightgbm',
  'paddle',
  'pmml',
];

export function inferenceServiceUnits(root: Node, text: string, runtimes: Map<string, Node>): ServingUnit[] {
  const units: ServingUnit[] = [];
  const predictor = path(root, 'spec', 'predictor');
  if (!predictor) return units;
  const product = gpuProduct(predictor);
  const replicas = num(child(predictor, 'minReplicas'))?.value;
  const serviceName = str(child(path(root, 'metadata'), 'name'));
  const model = child(predictor, 'model');
  if (model) {
    const format = str(path(model, 'modelFormat', 'name'))?.value?.toLowerCase();
    const runtimeName = str(child(model, 'runtime'))?.value;
    const runtime =
      (runtimeName ? runtimes.get(runtimeName) : undefined) ?? (format ? runtimes.get(`format:${format}`) : undefined);
    const unit = containerUnit(predictor, model, {
      source: 'kserve',
      text,
      replicas,
      product,
      kserveVllm: !format || format === 'huggingface' || format === 'vllm',
      storageUri: str(child(model, 'storageUri')),
      runtime,
    });
    units.push({ ...unit, name: serviceName ?? unit.name });
  }
  for (const framework of KSERVE_FRAMEWORKS) {
    const spec = child(predictor, framework);
    if (!spec) continue;
    const unit = containerUnit(predictor, spec, {
      source: 'kserve',
      text,
      replicas,
      product,
      kserveVllm: framework === 'huggingface',
      storageUri: str(child(spec, 'storageUri')),
    });
    units.push({
      ...unit,
      name: serviceName ?? unit.name,
      engine: framework === 'huggingface' ? unit.engine : undefined,
    });
  }
  for (const container of items(child(predictor, 'containers')))
    units.push(containerUnit(predictor, container, { source: 'kserve', text, replicas, product }));
  return units;
}

/** The `VLLM_ADDITIONAL_ARGS` env value, read as the vLLM flags KServe's template appends. */
function additionalArgs(container: Node, text: string): EngineCommand | undefined {
  const entry = items(child(container, 'env')).find((e) => str(child(e, 'name'))?.value === 'VLLM_ADDITIONAL_ARGS');
  const node = child(entry, 'value');
  const value = str(node);
  if (!node || !value) return undefined;
  const range = spanOf(node);
  const words = shellCommands(alignedText(value.value, text, range.start, range.end), new Map()).flat();
  return parseEngineArgs('vllm', words, range, false);
}

/**
 * KServe's LLMInferenceService (serving.kserve.io/v1alpha1; kserve pkg/apis/serving/v1alpha1
 * llm_inference_service_types.go): `model.uri`, `replicas`, `parallelism` {tensor, data,
 * dataLocal, expert}, a pod `template` and, for multi-node, a `worker` pod spec; `prefill` holds
 * the same fields for disaggregated prefill.
 */
export function llmInferenceServiceUnits(root: Node, text: string): ServingUnit[] {
  const name = str(child(path(root, 'metadata'), 'name'));
  const uri = str(path(root, 'spec', 'model', 'uri'));
  const units: ServingUnit[] = [];
  const part = (spec: Node | undefined, label: string) => {
    const template = child(spec, 'template');
    if (!spec || !template) return;
    const container =
      items(child(template, 'containers')).find((c) => str(child(c, 'name'))?.value === 'main') ??
      items(child(template, 'containers'))[0];
    if (!container) return;
    const unit = containerUnit(template, container, {
      source: 'kserve',
      text,
      replicas: num(child(spec, 'replicas'))?.value,
      kserveVllm: true,
    });
    // KServe's vLLM template (charts/kserve-runtime-configs/files/llmisvcconfigs/resources.yaml):
    // `vllm serve /mnt/models --tensor-parallel-size {{ .Spec.Parallelism.Tensor }} ... ${VLLM_ADDITIONAL_ARGS} $@`,
    // so the container's args win over VLLM_ADDITIONAL_ARGS, which wins over `parallelism`.
    const p = child(spec, 'parallelism');
    const fromParallelism: EngineCommand = {
      engine: 'vllm',
      span: spanOf(container),
      end: spanOf(container).end,
      model: uri ? { value: uri.value.replace(/^hf:\/\//, ''), span: uri.span } : undefined,
      modelSource: uri ? 'literal' : undefined,
      tensorParallel: num(child(p, 'tensor')),
      pipelineParallel: num(child(p, 'pipeline')),
      dataParallel: num(child(p, 'data')),
      dataParallelLocal: num(child(p, 'dataLocal')),
      expertParallel:
        str(child(p, 'expert'))?.value === 'true' ? { value: 1, span: spanOf(child(p, 'expert')) } : undefined,
    };
    const engine = overlayEngine(overlayEngine(fromParallelism, additionalArgs(container, text)), unit.engine);
    const worker = child(spec, 'worker');
    const workerContainer = items(child(worker, 'containers'))[0];
    const workerGpus = workerContainer ? reservation(workerContainer, text) : undefined;
    const perPod = unit.gpus?.limit?.value ?? unit.gpus?.request?.value;
    let podsPerGroup: number | undefined;
    let groupGpus: number | undefined;
    if (worker) {
      // The group's pods (ParallelismSpec.GetSize, llm_inference_service_types_func.go):
      // data / dataLocal with data parallelism, else one pod per pipeline stage.
      const dp = num(child(p, 'data'))?.value;
      const dpLocal = num(child(p, 'dataLocal'))?.value ?? 1;
      const stages = num(child(p, 'pipeline'))?.value;
      podsPerGroup = dp ? Math.max(1, Math.floor(dp / Math.max(1, dpLocal))) : Math.max(1, stages ?? 1);
      const w = workerGpus?.limit?.value ?? workerGpus?.request?.value ?? perPod;
      if (perPod !== undefined && w !== undefined) groupGpus = perPod + (podsPerGroup - 1) * w;
    }
    units.push({
      ...unit,
      name: { value: `${name?.value ?? 'llm'}${label}`, span: name?.span ?? unit.name.span },
      engine,
      podsPerGroup,
      groupGpus,
      role: worker ? 'leader' : undefined,
      // The same template mounts a memory-backed emptyDir at /dev/shm (volume "dshm").
      sharedMemory: 'memory-backed',
    });
  };
  const spec = child(root, 'spec');
  part(spec, '');
  part(child(spec, 'prefill'), ' (prefill)');
  return units;
}

/** ServingRuntimes of a file by name and by the model formats they support. */
export function servingRuntimes(docs: Document.Parsed[]): Map<string, Node> {
  const runtimes = new Map<string, Node>();
  for (const doc of docs) {
    const root = doc.contents as Node | null;
    const kind = str(child(root, 'kind'))?.value;
    if (kind !== 'ServingRuntime' && kind !== 'ClusterServingRuntime') continue;
    const container = items(path(root, 'spec', 'containers'))[0];
    if (!container) continue;
    const name = str(path(root, 'metadata', 'name'))?.value;
    if (name) runtimes.set(name, container);
    for (const f of items(path(root, 'spec', 'supportedModelFormats'))) {
      const format = str(child(f, 'name'))?.value?.toLowerCase();
      if (format && !runtimes.has(`format:${format}`)) runtimes.set(`format:${format}`, container);
    }
  }
  return runtimes;
}

/** Runtimes that an InferenceService of the same file uses: linted through it, not alone. */
export function usedRuntimeNames(docs: Document.Parsed[]): Set<string> {
  const used = new Set<string>();
  for (const doc of docs) {
    const model = path(doc.contents, 'spec', 'predictor', 'model');
    const runtime = str(child(model, 'runtime'))?.value;
    if (runtime) used.add(runtime);
  }
  return used;
}
