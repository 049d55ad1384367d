/**
 * Model names as people write them -> a catalog id: any letter case, the name without its
 * organization, local paths that end in a known name (`/models/Qwen3-8B/`, Hugging Face cache
 * folders), old Hub ids (`Meta-Llama-3.1-8B-Instruct`), quantized checkpoints (`-AWQ`,
 * `-GPTQ-Int4`, `-FP8-dynamic`: the base geometry plus that format), and, as an approximation
 * marked as such, relatives with the same geometry (date refreshes like `-2507`, base vs instruct,
 * R1 distills of Llama and Qwen).
 */
import type { WeightFormat } from './architecture.ts';

export type NameMatchKind = 'exact' | 'case' | 'name' | 'path' | 'alias' | 'quantized' | 'variant';

export interface NameMatch {
  id: string;
  how: NameMatchKind;
  /** The format a quantized checkpoint's name states. */
  weightFormat?: WeightFormat;
}

/** Published quantized-checkpoint suffixes (RedHatAI/neuralmagic, Qwen, hugging-quants, TheBloke, unsloth). */
const QUANT_SUFFIXES: [RegExp, WeightFormat][] = [
  [/[-_.](gptq[-_.]?int8|w8a8|w8a16|int8|8bit|bnb[-_.]8bit)$/, 'int8'],
  [/[-_.](fp8([-_.](dynamic|static|block))?|fp8[-_.]kv)$/, 'fp8'],
  [/[-_.]nvfp4$/, 'nvfp4'],
  [
    /[-_.](awq([-_.]int4)?|int4([-_.]awq)?|gptq([-_.]?int4)?|w4a16|quantized\.w4a16|bnb[-_.]4bit|4bit|nf4|mxfp4|gguf)$/,
    'int4',
  ],
];

/** Hub ids that were renamed, and models built on another's geometry: name -> catalog name. */
const ALIASES: [RegExp, string][] = [
  [/^meta-llama-3\.1-/, 'llama-3.1-'],
  [/^meta-llama-3\.3-/, 'llama-3.3-'],
  [/^meta-llama-3\.2-/, 'llama-3.2-'],
];

/** Same architecture, different weights or context: sized as the catalog model, flagged as approximate. */
const RELATIVES: [RegExp, string][] = [
  [/^deepseek-r1-distill-llama-70b$/, 'llama-3.3-70b-instruct'],
  [/^deepseek-r1-distill-llama-8b$/, 'llama-3.1-8b-instruct'],
  [/^deepseek-r1-distill-qwen-(32b|14b|7b|1\.5b)$/, 'qwen2.5-$1-instruct'],
  [/^qwen2\.5-coder-/, 'qwen2.5-'],
  [/^qwq-32b/, 'qwen2.5-32b-instruct'],
  [/^qwen3-coder-30b-a3b/, 'qwen3-30b-a3b'],
  // Gemma 1.1 and CodeGemma keep Gemma 1's geometry.
  [/^(code)?gemma-1\.1-/, 'gemma-'],
  [/^codegemma-/, 'gemma-'],
];

function stripQuant(name: string): { name: string; format?: WeightFormat } {
  for (const [pattern, format] of QUANT_SUFFIXES) {
    if (pattern.test(name)) return { name: name.replace(pattern, ''), format };
  }
  return { name };
}

/** The quantization format a checkpoint's name states (`-AWQ` -> int4), if any. */
export function weightFormatFromName(written: string): WeightFormat | undefined {
  return stripQuant(lastSegment(written).toLowerCase()).format;
}

/** Instruct/chat/base markers and date refreshes, which do not change the geometry. */
function core(name: string): string {
  return name
    .replace(/-(\d{4}|v\d+(\.\d+)*)$/, '')
    .replace(/-(instruct|chat|it|hf|base)(-(\d{4}|hf))?$/, '')
    .replace(/-(\d{4})$/, '');
}

function lastSegment(written: string): string {
  const cleaned = written
    .trim()
    .replace(/\/config\.json$/i, '')
    .replace(/[\\/]+$/, '');
  const cache = /models--([^/\\]+)--([^/\\]+)/.exec(cleaned);
  if (cache) return cache[2]!;
  return cleaned.split(/[\\/]/).pop() ?? cleaned;
}

/** Candidate `org/name` and `name` forms of what was written (paths and URIs reduced to their end). */
function candidates(written: string): { full?: string; name: string } {
  let cleaned = written
    .trim()
    .replace(/\/config\.json$/i, '')
    .replace(/[\\/]+$/, '');
  const cache = /models--([^/\\]+)--([^/\\]+)/.exec(cleaned);
  if (cache) return { full: `${cache[1]}/${cache[2]}`.toLowerCase(), name: cache[2]!.toLowerCase() };
  cleaned = cleaned.replace(/^(hf|s3|gs|pvc|oci|https?):\/\/(huggingface\.co\/)?/i, '');
  const parts = cleaned.split(/[\\/]/).filter(Boolean);
  // `org--name` folders (a flattened Hub id, as the Hugging Face cache writes it).
  const flat = /^([^-]+(?:-[^-]+)*?)--(.+)$/.exec(parts.at(-1) ?? '');
  if (flat) return { full: `${flat[1]}/${flat[2]}`.toLowerCase(), name: flat[2]!.toLowerCase() };
  const name = (parts.at(-1) ?? cleaned).toLowerCase();
  return { full: parts.length >= 2 ? parts.slice(-2).join('/').toLowerCase() : undefined, name };
}

/** Finds the catalog id for a name as written; undefined when nothing matches. */
export function resolveModelName(written: string, ids: readonly string[]): NameMatch | undefined {
  const trimmed = written.trim();
  if (!trimmed) return undefined;
  const exact = ids.find((id) => id === trimmed);
  if (exact) return { id: exact, how: 'exact' };
  const lower = trimmed.toLowerCase();
  const byId = ids.find((id) => id.toLowerCase() === lower);
  if (byId) return { id: byId, how: 'case' };
  const nameOf = (id: string) => (id.split('/')[1] ?? id).toLowerCase();
  const byName = ids.find((id) => nameOf(id) === lower);
  if (byName) return { id: byName, how: 'name' };
  const { full, name } = candidates(trimmed);
  const byPath = (full && ids.find((id) => id.toLowerCase() === full)) ?? ids.find((id) => nameOf(id) === name);
  if (byPath) return { id: byPath, how: 'path' };
  const aliased = ALIASES.reduce((n, [pattern, to]) => n.replace(pattern, to), name);
  const byAlias = ids.find((id) => nameOf(id) === aliased);
  if (byAlias) return { id: byAlias, how: 'alias' };
  const quant = stripQuant(aliased);
  const unquantized = ALIASES.reduce((n, [pattern, to]) => n.replace(pattern, to), quant.name);
  if (quant.format) {
    const byQuant = ids.find((id) => nameOf(id) === unquantized);
    if (byQuant) return { id: byQuant, how: 'quantized', weightFormat: quant.format };
  }
  const relative = RELATIVES.reduce((n, [pattern, to]) => n.replace(pattern, to), unquantized);
  const byRelative = ids.find((id) => nameOf(id) === relative) ?? ids.find((id) => core(nameOf(id)) === core(relative));
  if (byRelative) return { id: byRelative, how: 'variant', ...(quant.format ? { weightFormat: quant.format } : {}) };
  return undefined;
}

/** Whether `written` names the catalog model `id` itself (quantized or renamed), not a relative of it. */
export function sameModelName(written: string, id: string): boolean {
  const match = resolveModelName(written, [id]);
  return match !== undefined && match.how !== 'variant';
}
