/** `vllm serve --config file.yaml`: a YAML map whose keys are vLLM's flags without the dashes. */
import type { Document, Node } from 'yaml';
import { child, num, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, ServingUnit, Span } from './types.ts';

function flag(map: Node | undefined, name: string): Node | undefined {
  return child(map, name) ?? child(map, name.replace(/-/g, '_'));
}

/**
 * vLLM's settings from a YAML map keyed by its flags without the dashes (`tensor-parallel-size`,
 * or `tensor_parallel_size`): a `--config` file, the args of Ray's vLLM example app, a Ray Serve
 * LLMConfig's engine_kwargs.
 */
export function vllmSettings(map: Node | undefined, whole: Span): EngineCommand {
  const key = (name: string): Node | undefined => flag(map, name);
  const model = str(key('model'));
  return {
    engine: 'vllm',
    span: whole,
    end: whole.end,
    model,
    modelSource: model ? 'literal' : undefined,
    tensorParallel: num(key('tensor-parallel-size')),
    pipelineParallel: num(key('pipeline-parallel-size')),
    maxModelLen: num(key('max-model-len')),
    gpuMemoryUtilization: num(key('gpu-memory-utilization')),
    maxNumSeqs: num(key('max-num-seqs')),
    maxNumBatchedTokens: num(key('max-num-batched-tokens')),
    kvCacheDtype: str(key('kv-cache-dtype')),
    quantization: str(key('quantization')),
    dataParallel: num(key('data-parallel-size')),
    dataParallelLocal: num(key('data-parallel-size-local')),
    expertParallel:
      str(key('enable-expert-parallel'))?.value === 'true'
        ? { value: 1, span: spanOf(key('enable-expert-parallel')) }
        : undefined,
    nnodes: num(key('nnodes')),
    distributedBackend: str(key('distributed-executor-backend')),
    loadFormat: str(key('load-format')),
  };
}

export function vllmConfigUnits(doc: Document.Parsed): ServingUnit[] {
  const root = doc.contents as Node | null;
  // Any other YAML file ends here: only a map with a model and a GPU setting is read further.
  if (!root || !str(flag(root, 'model'))) return [];
  if (!(num(flag(root, 'tensor-parallel-size')) || flag(root, 'max-model-len') || flag(root, 'gpu-memory-utilization')))
    return [];
  const engine = vllmSettings(root, spanOf(root));
  return [
    {
      name: { value: 'vllm config', span: engine.model!.span },
      source: 'vllm-config',
      engine,
      sharedMemory: 'not-applicable',
    },
  ];
}
