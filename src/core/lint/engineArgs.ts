/** vLLM and TGI command lines -> the settings the rules read, with the span of every value. */
import type { EngineCommand, Located, Span } from './types.ts';
import type { Word } from './text.ts';

type Key =
  | 'model'
  | 'tensorParallel'
  | 'pipelineParallel'
  | 'maxModelLen'
  | 'gpuMemoryUtilization'
  | 'maxNumSeqs'
  | 'maxNumBatchedTokens'
  | 'kvCacheDtype'
  | 'quantization';
const NUMERIC = new Set<Key>([
  'tensorParallel',
  'pipelineParallel',
  'maxModelLen',
  'gpuMemoryUtilization',
  'maxNumSeqs',
  'maxNumBatchedTokens',
]);

const VLLM_FLAGS: Record<string, Key> = {
  '--model': 'model',
  '--tensor-parallel-size': 'tensorParallel',
  '-tp': 'tensorParallel',
  '--pipeline-parallel-size': 'pipelineParallel',
  '-pp': 'pipelineParallel',
  '--max-model-len': 'maxModelLen',
  '--gpu-memory-utilization': 'gpuMemoryUtilization',
  '--max-num-seqs': 'maxNumSeqs',
  '--max-num-batched-tokens': 'maxNumBatchedTokens',
  '--kv-cache-dtype': 'kvCacheDtype',
  '--quantization': 'quantization',
  '-q': 'quantization',
};
const TGI_FLAGS: Record<string, Key> = {
  '--model-id': 'model',
  '--num-shard': 'tensorParallel',
  '--max-total-tokens': 'maxModelLen',
  '--max-concurrent-requests': 'maxNumSeqs',
  '--max-batch-prefill-tokens': 'maxNumBatchedTokens',
  '--quantize': 'quantization',
  '--cuda-memory-fraction': 'gpuMemoryUtilization',
};
/** TGI reads its flags from upper-case environment variables too (MODEL_ID, NUM_SHARD, ...). */
export const TGI_ENV: Record<string, Key> = Object.fromEntries(
  Object.entries(TGI_FLAGS).map(([flag, key]) => [flag.slice(2).replace(/-/g, '_').toUpperCase(), key]),
);

/** Where the engine's own arguments start: after `vllm serve`, the api_server module, or the TGI launcher. */
function engineStart(words: Word[]): { engine: 'vllm' | 'tgi'; index: number; positionalModel: boolean } | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]?.text ?? '';
    const base = w.split('/').pop() ?? w;
    if (base === 'vllm' && words[i + 1]?.text === 'serve')
      return { engine: 'vllm', index: i + 2, positionalModel: true };
    if (w === 'vllm.entrypoints.openai.api_server' && words[i - 1]?.text === '-m')
      return { engine: 'vllm', index: i + 1, positionalModel: false };
    if (base === 'text-generation-launcher') return { engine: 'tgi', index: i + 1, positionalModel: false };
  }
  return undefined;
}

/** Finds a serving command in a word list; `whole` gives the span of the whole command. */
export function parseEngineCommand(words: Word[], whole: Span): EngineCommand | undefined {
  const start = engineStart(words);
  if (!start) return undefined;
  const flags = start.engine === 'vllm' ? VLLM_FLAGS : TGI_FLAGS;
  const command: EngineCommand = { engine: start.engine, span: whole, end: words.at(-1)?.span.end ?? whole.end };
  const set = (key: Key, raw: string, span: Span) => {
    if (NUMERIC.has(key)) {
      const n = raw.trim() === '' ? NaN : Number(raw); // Number('') is 0, not a value
      if (Number.isFinite(n)) (command as unknown as Record<Key, Located<number>>)[key] = { value: n, span };
    } else {
      (command as unknown as Record<Key, Located<string>>)[key] = { value: raw, span };
    }
  };
  for (let i = start.index; i < words.length; i++) {
    const word = words[i];
    if (!word) continue;
    const eq = word.text.indexOf('=');
    const flag = eq > 0 ? word.text.slice(0, eq) : word.text;
    const key = flags[flag];
    if (key) {
      if (eq > 0) {
        const valueStart = word.span.end - (word.text.length - eq - 1);
        set(key, word.text.slice(eq + 1), { start: valueStart, end: word.span.end });
      } else if (words[i + 1]) {
        set(key, words[i + 1]!.text, words[i + 1]!.span);
        i++;
      }
      continue;
    }
    if (start.positionalModel && i === start.index && !word.text.startsWith('-') && !command.model)
      set('model', word.text, word.span);
  }
  return command;
}
