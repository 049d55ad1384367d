/** Ray Serve config (serve deploy / serve run YAML): deployments with num_gpus and LLM engine kwargs. */
import type { Document, Node } from 'yaml';
import { child, items, num, path, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, ServingUnit } from './types.ts';

function engineFromKwargs(args: Node | undefined, whole: { start: number; end: number }): EngineCommand | undefined {
  const llm = path(args, 'llm_configs') ? items(path(args, 'llm_configs'))[0] : child(args, 'llm_config');
  const kwargs = child(llm, 'engine_kwargs');
  const model =
    str(path(llm, 'model_loading_config', 'model_source')) ?? str(path(llm, 'model_loading_config', 'model_id'));
  if (!kwargs && !model) return undefined;
  return {
    engine: 'vllm',
    span: whole,
    end: whole.end,
    model,
    tensorParallel: num(child(kwargs, 'tensor_parallel_size')),
    pipelineParallel: num(child(kwargs, 'pipeline_parallel_size')),
    maxModelLen: num(child(kwargs, 'max_model_len')),
    gpuMemoryUtilization: num(child(kwargs, 'gpu_memory_utilization')),
    maxNumSeqs: num(child(kwargs, 'max_num_seqs')),
  };
}

export function rayServeUnits(doc: Document.Parsed): ServingUnit[] {
  return items(child(doc.contents, 'applications')).flatMap((app) => {
    const appArgs = child(app, 'args');
    const appEngine = engineFromKwargs(appArgs, spanOf(app));
    return items(child(app, 'deployments')).map((deployment): ServingUnit => {
      const name = str(child(deployment, 'name')) ?? {
        value: str(child(app, 'name'))?.value ?? 'deployment',
        span: spanOf(deployment),
      };
      const numGpus = num(path(deployment, 'ray_actor_options', 'num_gpus'));
      const replicas =
        num(child(deployment, 'num_replicas'))?.value ??
        num(path(deployment, 'autoscaling_config', 'max_replicas'))?.value;
      return {
        name,
        source: 'ray-serve',
        engine: engineFromKwargs(child(deployment, 'args'), spanOf(deployment)) ?? appEngine,
        gpus: numGpus ? { kind: 'ray', fractional: numGpus } : undefined,
        replicas,
        sharedMemory: 'not-applicable',
      };
    });
  });
}

export function looksLikeRayServe(doc: Document.Parsed): boolean {
  return Boolean(child(doc.contents, 'applications'));
}
