/** `vllm serve --config file.yaml`: a YAML map whose keys are vLLM's flags without the dashes. */
import type { Document, Node } from 'yaml';
import { child, num, spanOf, str } from './yamlSource.ts';
import type { EngineCommand, ServingUnit } from './types.ts';

function key(doc: Node, name: string): Node | undefined {
  return child(doc, name) ?? child(doc, name.replace(/-/g, '_'));
}

export function vllmConfigUnits(doc: Document.Parsed): ServingUnit[] {
  const root = doc.contents as Node | null;
  const model = str(key(root as Node, 'model'));
  const tp = num(key(root as Node, 'tensor-parallel-size'));
  if (!root || !model || !(tp || key(root, 'max-model-len') || key(root, 'gpu-memory-utilization'))) return [];
  const whole = spanOf(root);
  const engine: EngineCommand = {
    engine: 'vllm',
    span: whole,
    end: whole.end,
    model,
    tensorParallel: tp,
    pipelineParallel: num(key(root, 'pipeline-parallel-size')),
    maxModelLen: num(key(root, 'max-model-len')),
    gpuMemoryUtilization: num(key(root, 'gpu-memory-utilization')),
    maxNumSeqs: num(key(root, 'max-num-seqs')),
    maxNumBatchedTokens: num(key(root, 'max-num-batched-tokens')),
    kvCacheDtype: str(key(root, 'kv-cache-dtype')),
    quantization: str(key(root, 'quantization')),
    dataParallel: num(key(root, 'data-parallel-size')),
    dataParallelLocal: num(key(root, 'data-parallel-size-local')),
    expertParallel:
      str(key(root, 'enable-expert-parallel'))?.value === 'true'
        ? { value: 1, span: spanOf(key(root, 'enable-expert-parallel')) }
        : undefined,
    nnodes: num(key(root, 'nnodes')),
    distributedBackend: str(key(root, 'distributed-executor-backend')),
    loadFormat: str(key(root, 'load-format')),
    modelSource: 'literal',
  };
  return [
    { name: { value: 'vllm config', span: model.span }, source: 'vllm-config', engine, sharedMemory: 'not-applicable' },
  ];
}
