/** vLLM, TGI and SGLang command lines -> the settings the rules read, with the span of every value. */
import type { ShellWord, VarRef } from './shellParse.ts';
import type { EngineCommand, EngineName, Located, Span } from './types.ts';

type Key =
  | 'model'
  | 'tensorParallel'
  | 'pipelineParallel'
  | 'dataParallel'
  | 'dataParallelLocal'
  | 'expertParallel'
  | 'nnodes'
  | 'maxModelLen'
  | 'gpuMemoryUtilization'
  | 'maxNumSeqs'
  | 'maxNumBatchedTokens'
  | 'kvCacheDtype'
  | 'quantization'
  | 'distributedBackend'
  | 'loadFormat';
const NUMERIC = new Set<Key>([
  'tensorParallel',
  'pipelineParallel',
  'dataParallel',
  'dataParallelLocal',
  'expertParallel',
  'nnodes',
  'maxModelLen',
  'gpuMemoryUtilization',
  'maxNumSeqs',
  'maxNumBatchedTokens',
]);

/**
 * vLLM's flags (vllm/engine/arg_utils.py, EngineArgs.add_cli_args; its FlexibleArgumentParser
 * also takes `--max_model_len` spellings, normalized below). `--model_id`/`--model_dir` are KServe's
 * Hugging Face server (kserve/python/huggingfaceserver), which hands the rest to vLLM.
 */
const VLLM_FLAGS: Record<string, Key> = {
  '--model': 'model',
  '--model-id': 'model',
  '--model-dir': 'model',
  '--tensor-parallel-size': 'tensorParallel',
  '-tp': 'tensorParallel',
  '--pipeline-parallel-size': 'pipelineParallel',
  '-pp': 'pipelineParallel',
  '--data-parallel-size': 'dataParallel',
  '-dp': 'dataParallel',
  '--data-parallel-size-local': 'dataParallelLocal',
  '-dpl': 'dataParallelLocal',
  '--nnodes': 'nnodes',
  '-n': 'nnodes',
  '--max-model-len': 'maxModelLen',
  '--gpu-memory-utilization': 'gpuMemoryUtilization',
  '--max-num-seqs': 'maxNumSeqs',
  '--max-num-batched-tokens': 'maxNumBatchedTokens',
  '--kv-cache-dtype': 'kvCacheDtype',
  '--quantization': 'quantization',
  '-q': 'quantization',
  '--distributed-executor-backend': 'distributedBackend',
  '--load-format': 'loadFormat',
};
/** TGI's launcher (text-generation-inference launcher/src/main.rs, `struct Args`). */
const TGI_FLAGS: Record<string, Key> = {
  '--model-id': 'model',
  '--num-shard': 'tensorParallel',
  '--max-total-tokens': 'maxModelLen',
  '--max-concurrent-requests': 'maxNumSeqs',
  '--max-batch-prefill-tokens': 'maxNumBatchedTokens',
  '--quantize': 'quantization',
  '--cuda-memory-fraction': 'gpuMemoryUtilization',
  '--kv-cache-dtype': 'kvCacheDtype',
};
/** SGLang's flags and their aliases (sgl-project/sglang python/sglang/srt/server_args.py, add_cli_args). */
const SGLANG_FLAGS: Record<string, Key> = {
  '--model-path': 'model',
  '--model': 'model',
  '--tensor-parallel-size': 'tensorParallel',
  '--tp-size': 'tensorParallel',
  '--tp': 'tensorParallel',
  '--pipeline-parallel-size': 'pipelineParallel',
  '--pp-size': 'pipelineParallel',
  '--data-parallel-size': 'dataParallel',
  '--dp-size': 'dataParallel',
  '--dp': 'dataParallel',
  '--expert-parallel-size': 'expertParallel',
  '--ep-size': 'expertParallel',
  '--ep': 'expertParallel',
  '--nnodes': 'nnodes',
  '--context-length': 'maxModelLen',
  '--mem-fraction-static': 'gpuMemoryUtilization',
  '--max-running-requests': 'maxNumSeqs',
  '--chunked-prefill-size': 'maxNumBatchedTokens',
  '--kv-cache-dtype': 'kvCacheDtype',
  '--quantization': 'quantization',
  '--load-format': 'loadFormat',
};
const FLAGS: Record<EngineName, Record<string, Key>> = { vllm: VLLM_FLAGS, tgi: TGI_FLAGS, sglang: SGLANG_FLAGS };

/** Flags that take no value, so the word after them is not theirs (a positional model may follow). */
const BOOLEAN_FLAGS = new Set([
  '--trust-remote-code',
  '--enforce-eager',
  '--enable-prefix-caching',
  '--no-enable-prefix-caching',
  '--disable-log-requests',
  '--disable-log-stats',
  '--enable-chunked-prefill',
  '--enable-auto-tool-choice',
  '--enable-expert-parallel',
  '-ep',
  '--enable-dp-attention',
  '--headless',
  '--sharded',
  '--disable-custom-all-reduce',
  '--enable-lora',
  '--enable-reasoning',
]);

/** The engine's own name for a setting, for messages. */
const WORDS: Record<EngineName, Partial<Record<Key, string>>> = {
  vllm: {
    tensorParallel: '--tensor-parallel-size',
    pipelineParallel: '--pipeline-parallel-size',
    dataParallel: '--data-parallel-size',
    maxModelLen: '--max-model-len',
    gpuMemoryUtilization: '--gpu-memory-utilization',
  },
  tgi: {
    tensorParallel: '--num-shard',
    maxModelLen: '--max-total-tokens',
    gpuMemoryUtilization: '--cuda-memory-fraction',
  },
  sglang: {
    tensorParallel: '--tp-size',
    pipelineParallel: '--pp-size',
    dataParallel: '--dp-size',
    maxModelLen: '--context-length',
    gpuMemoryUtilization: '--mem-fraction-static',
  },
};

export function flagName(engine: EngineName, key: Key): string {
  return WORDS[engine][key] ?? key;
}

export const ENGINE_LABEL: Record<EngineName, string> = { vllm: 'vLLM', tgi: 'TGI', sglang: 'SGLang' };

/** TGI reads its flags from upper-case environment variables too (MODEL_ID, NUM_SHARD, ...). */
export const TGI_ENV: Record<string, Key> = Object.fromEntries(
  Object.entries(TGI_FLAGS).map(([flag, key]) => [flag.slice(2).replace(/-/g, '_').toUpperCase(), key]),
);

export type EngineWord = Pick<ShellWord, 'text' | 'span'> & Partial<Pick<ShellWord, 'written' | 'refs'>>;

/** Where the engine's own arguments start: after `vllm serve`, a server module, or a launcher. */
function engineStart(words: EngineWord[]): { engine: EngineName; index: number; positionalModel: boolean } | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]?.text ?? '';
    const base = w.split('/').pop() ?? w;
    const next = words[i + 1]?.text;
    if (base === 'vllm' && next === 'serve') return { engine: 'vllm', index: i + 2, positionalModel: true };
    if (base === 'sglang' && next === 'serve') return { engine: 'sglang', index: i + 2, positionalModel: false };
    if (words[i - 1]?.text === '-m' && /^vllm\.entrypoints\.(openai\.)?api_server$/.test(w))
      return { engine: 'vllm', index: i + 1, positionalModel: false };
    if (words[i - 1]?.text === '-m' && /^sglang\.launch_server$/.test(w))
      return { engine: 'sglang', index: i + 1, positionalModel: false };
    if (base === 'text-generation-launcher') return { engine: 'tgi', index: i + 1, positionalModel: false };
  }
  return undefined;
}

/** Names that are placeholders in documentation, never a model. */
const PLACEHOLDER = /^(\.\.\.?|\{\{.*\}\}|[A-Z][A-Z0-9_]*|your[-_].*|model|sh|bash)$/;

/** `<model>`, `/data/<PATH>`: an angle-bracket slot anywhere (found without backtracking). */
function hasSlot(raw: string): boolean {
  const open = raw.indexOf('<');
  return open >= 0 && raw.indexOf('>', open) > open;
}

function modelFrom(command: EngineCommand, word: EngineWord, raw: string, span: Span): void {
  const refs: VarRef[] = word.refs ?? [];
  const missing = refs.find((r) => r.status === 'unset' || r.status === 'external');
  if (missing || raw.includes('$') || hasSlot(raw) || PLACEHOLDER.test(raw.trim()) || raw.trim() === '') {
    const name = missing ? missing.name : raw;
    command.unresolvedModel = {
      value: name,
      span,
      ...(missing?.status === 'external' ? { external: true, from: missing.from } : {}),
    };
    command.modelSource = 'unresolved';
    command.modelWritten = word.written ?? raw;
    return;
  }
  command.model = { value: raw, span };
  command.modelSource = refs.some((r) => r.status === 'default') ? 'default' : refs.length > 0 ? 'env' : 'literal';
  if (refs.length > 0) command.modelWritten = word.written;
}

/** Finds a serving command in a word list; `whole` gives the span of the whole command. */
export function parseEngineCommand(words: EngineWord[], whole: Span): EngineCommand | undefined {
  const start = engineStart(words);
  if (!start) return undefined;
  return parseEngineArgs(start.engine, words.slice(start.index), whole, start.positionalModel);
}

/** The flags of an engine whose start is known (a container image's entrypoint, say). */
export function parseEngineArgs(
  engine: EngineName,
  words: EngineWord[],
  whole: Span,
  positionalModel = engine === 'vllm',
): EngineCommand {
  const flags = FLAGS[engine];
  const command: EngineCommand = { engine, span: whole, end: words.at(-1)?.span.end ?? whole.end };
  const record = command as unknown as Record<Key, Located<number | string> | undefined>;
  const set = (key: Key, word: EngineWord, raw: string, span: Span) => {
    if (key === 'model') return modelFrom(command, word, raw, span);
    if (NUMERIC.has(key)) {
      const n = raw.trim() === '' ? NaN : Number(raw); // Number('') is 0, not a value
      if (Number.isFinite(n)) record[key] = { value: n, span };
    } else record[key] = { value: raw, span };
  };
  let positional = positionalModel;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = word.text.startsWith('-') ? word.text.indexOf('=') : -1;
    const written = eq > 0 ? word.text.slice(0, eq) : word.text;
    // vLLM's and SGLang's parsers take `--max_model_len` for `--max-model-len`.
    const flag = written.startsWith('--') ? `--${written.slice(2).replace(/_/g, '-')}` : written;
    if (flag === '--enable-expert-parallel' || (engine === 'vllm' && flag === '-ep'))
      command.expertParallel = { value: 1, span: word.span };
    if (flag === '--enable-dp-attention') command.dpAttention = true;
    const key = flags[flag];
    if (key) {
      if (eq > 0) {
        const valueStart = Math.max(word.span.start, word.span.end - (word.text.length - eq - 1));
        set(key, word, word.text.slice(eq + 1), { start: valueStart, end: word.span.end });
      } else if (words[i + 1]) {
        set(key, words[i + 1]!, words[i + 1]!.text, words[i + 1]!.span);
        i++;
      }
      positional = false;
      continue;
    }
    if (word.text.startsWith('-')) {
      // An unknown flag's value is the next word unless the flag is a switch.
      if (eq < 0 && !BOOLEAN_FLAGS.has(flag) && words[i + 1] && !words[i + 1]!.text.startsWith('-')) i++;
      positional = positional && BOOLEAN_FLAGS.has(flag);
      continue;
    }
    if (positional && !command.model && !command.unresolvedModel) set('model', word, word.text, word.span);
    positional = false;
  }
  return command;
}

/** `ray start` in a word list: a Ray head or worker node, whose GPUs an engine elsewhere uses. */
export function rayStart(words: EngineWord[]): 'head' | 'worker' | undefined {
  for (let i = 0; i + 1 < words.length; i++) {
    if ((words[i]!.text.split('/').pop() ?? '') === 'ray' && words[i + 1]!.text === 'start')
      return words.slice(i + 2).some((w) => w.text === '--head') ? 'head' : 'worker';
  }
  return undefined;
}

/** The engine a container image runs as its entrypoint, when its args alone are the flags. */
export function imageEngine(image: string): EngineName | undefined {
  if (/text-generation-inference|(^|[/-])tgi([-:@]|$)/i.test(image)) return 'tgi';
  if (/sglang/i.test(image)) return 'sglang';
  if (/vllm/i.test(image)) return 'vllm';
  return undefined;
}
