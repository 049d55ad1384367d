/**
 * Finds a model's architecture: the built-in catalog, a config.json path (file or folder), the
 * local Hugging Face cache, or the Hub itself (HF_ENDPOINT, a token if given).
 */
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { architectureFromHfConfig, type ModelArchitecture } from '../core/catalog/architecture.ts';
import { findModel } from '../core/catalog/models.ts';
import { errorMessage } from '../core/errors.ts';
import { clip, redactCredentials, redactSecrets, redactUrl, safeLine } from '../core/text/safeText.ts';
import { fetchFailure, readRegularFile, readResponseCapped, tokenProblem } from './readLimited.ts';
import { timerMs } from './runFile.ts';

export type ModelSourceKind = 'catalog' | 'file' | 'hf-cache' | 'hub';

export type ResolvedModel =
  | { ok: true; architecture: ModelArchitecture; source: ModelSourceKind; where: string }
  | { ok: false; message: string; /** The file given is not a config.json (exit 2 in the CLI). */ badInput?: boolean };

export interface ModelSourceOptions {
  /** Base for relative paths (a workspace folder, or the CLI's cwd). */
  cwd: string;
  /** HF_HUB_CACHE; default $HF_HOME/hub or ~/.cache/huggingface/hub. */
  hubCache?: string;
  /** Hub base URL (HF_ENDPOINT); undefined: do not contact the Hub. */
  hubEndpoint?: string;
  token?: string;
  timeoutMs?: number;
}

const HF_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_CONFIG_BYTES = 1024 * 1024;

export function defaultHubCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_HUB_CACHE ?? (env.HF_HOME ? join(env.HF_HOME, 'hub') : join(homedir(), '.cache', 'huggingface', 'hub'));
}

/** Sizes a config.json gives as counts: whole numbers, and these positive, before any arithmetic. */
const POSITIVE_SIZES = [
  'hidden_size',
  'n_embd',
  'd_model',
  'num_hidden_layers',
  'n_layer',
  'num_layers',
  'num_attention_heads',
  'n_head',
  'vocab_size',
  'num_key_value_heads',
  'num_kv_heads',
  'head_dim',
  'intermediate_size',
  'n_inner',
  'max_position_embeddings',
  'n_positions',
];
const COUNTS = [
  'num_local_experts',
  'num_experts',
  'n_routed_experts',
  'num_experts_per_tok',
  'num_experts_per_token',
  'experts_per_token',
  'moe_intermediate_size',
  'n_shared_experts',
  'first_k_dense_replace',
  'kv_lora_rank',
  'q_lora_rank',
  'qk_nope_head_dim',
  'qk_rope_head_dim',
  'v_head_dim',
];
/** Larger than any real size (vocabularies are ~10^5-10^6, contexts ~10^7). */
const MAX_SIZE = 2 ** 31 - 1;

/** Why a config.json's sizes are nonsense (negative, fractional, huge), or undefined. */
export function checkConfigSizes(raw: unknown): string | undefined {
  const layers = [raw, (raw as { text_config?: unknown } | null)?.text_config];
  for (const layer of layers) {
    if (typeof layer !== 'object' || layer === null) continue;
    const config = layer as Record<string, unknown>;
    for (const key of [...POSITIVE_SIZES, ...COUNTS]) {
      if (!Object.hasOwn(config, key)) continue;
      const value = config[key];
      if (typeof value !== 'number') continue;
      const least = POSITIVE_SIZES.includes(key) ? 1 : 0;
      if (!Number.isInteger(value) || value < least || value > MAX_SIZE)
        return `"${key}" is ${String(value).slice(0, 30)}, not a whole number from ${least} to ${MAX_SIZE}`;
    }
  }
  return undefined;
}

/** A config.json (or a folder holding one): a regular file of at most 1 MiB, read no further. */
async function readConfigFile(path: string): Promise<unknown> {
  const info = await stat(path);
  const file = info.isDirectory() ? join(path, 'config.json') : path;
  return JSON.parse(await readRegularFile(file, MAX_CONFIG_BYTES)) as unknown;
}

/** The config's architecture, after its sizes are checked. */
function architectureOf(name: string, config: unknown) {
  const bad = checkConfigSizes(config);
  if (bad) return { ok: false as const, message: `${name}: config.json: ${bad}` };
  return architectureFromHfConfig(name, config);
}

async function fromHubCache(id: string, cache: string): Promise<{ config: unknown; where: string } | undefined> {
  const dir = join(cache, `models--${id.replace('/', '--')}`);
  let snapshot: string | undefined;
  try {
    snapshot = (await readRegularFile(join(dir, 'refs', 'main'), 4096)).trim();
  } catch {
    const snapshots = await readdir(join(dir, 'snapshots')).catch(() => []);
    snapshot = snapshots.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).at(-1);
  }
  if (!snapshot || !/^[A-Za-z0-9._-]+$/.test(snapshot)) return undefined;
  const where = join(dir, 'snapshots', snapshot, 'config.json');
  try {
    return { config: await readConfigFile(where), where };
  } catch {
    return undefined;
  }
}

async function fromHub(
  id: string,
  endpoint: string,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ config: unknown; where: string }> {
  const url = `${endpoint.replace(/\/+$/, '')}/${id}/resolve/main/config.json`;
  const response = await fetch(url, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(timerMs(timeoutMs)),
  }).catch((error: unknown) => {
    throw new Error(`the Hub: ${fetchFailure(error, timeoutMs)}`);
  });
  if (response.status === 401 || response.status === 403)
    throw new Error(`${id} is gated or private: the Hub answered ${response.status}; set a Hugging Face token`);
  if (response.status === 404) throw new Error(`${id} was not found on the Hub (${response.status})`);
  if (!response.ok) throw new Error(`the Hub answered ${response.status} for ${id}`);
  const text = await readResponseCapped(
    response,
    MAX_CONFIG_BYTES,
    'the answer is larger than a config.json can be',
  ).catch((error: unknown) => {
    throw new Error(`the Hub's config.json for ${id}: ${fetchFailure(error, timeoutMs)}`);
  });
  try {
    return { config: JSON.parse(text) as unknown, where: redactUrl(url) };
  } catch {
    throw new Error(`the Hub's answer for ${id} is not JSON: ${safeLine(clip(text.trim(), 80))}`);
  }
}

export async function resolveModel(ref: string, options: ModelSourceOptions): Promise<ResolvedModel> {
  const name = ref.trim();
  if (name === '') return { ok: false, message: 'no model given' };
  const known = findModel(name);
  if (known) return { ok: true, architecture: known.architecture, source: 'catalog', where: known.id };
  const path = isAbsolute(name) ? name : resolve(options.cwd, name);
  const asFile = await readConfigFile(path).then(
    (config) => ({ config }),
    (error: unknown) => ({
      error: (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (error as Error).message,
    }),
  );
  if ('config' in asFile) {
    const parsed = architectureOf(name, asFile.config);
    return parsed.ok
      ? { ok: true, architecture: parsed.value, source: 'file', where: path }
      : { ...parsed, badInput: true };
  }
  if (asFile.error) return { ok: false, message: `${path}: ${safeLine(clip(asFile.error, 300))}`, badInput: true };
  if (!HF_ID.test(name))
    return {
      ok: false,
      message: `"${name}" is not a built-in model, a config.json path, or a Hugging Face id (org/name)`,
    };
  const cached = await fromHubCache(name, options.hubCache ?? defaultHubCache());
  if (cached) {
    const parsed = architectureOf(name, cached.config);
    return parsed.ok ? { ok: true, architecture: parsed.value, source: 'hf-cache', where: cached.where } : parsed;
  }
  if (!options.hubEndpoint)
    return {
      ok: false,
      message: `${name} is not in the catalog or the local Hugging Face cache, and the Hub is not contacted here`,
    };
  const badToken = tokenProblem(options.token, 'Hugging Face');
  if (badToken) return { ok: false, message: badToken };
  try {
    const hub = await fromHub(name, options.hubEndpoint, options.token, options.timeoutMs ?? 10_000);
    const parsed = architectureOf(name, hub.config);
    return parsed.ok ? { ok: true, architecture: parsed.value, source: 'hub', where: hub.where } : parsed;
  } catch (error) {
    // Never a token or a URL's password in a message, whatever the error quoted.
    return { ok: false, message: redactCredentials(redactSecrets(errorMessage(error), [options.token])) };
  }
}

/**
 * The Hub to fetch a config.json from, as the Hugging Face libraries decide it: none when
 * HF_HUB_OFFLINE=1, else the configured endpoint, else $HF_ENDPOINT, else huggingface.co.
 * The CLI and the editor both ask here.
 */
export function hubEndpoint(env: NodeJS.ProcessEnv, configured?: string): string | undefined {
  if (env.HF_HUB_OFFLINE === '1') return undefined;
  return configured ?? env.HF_ENDPOINT ?? 'https://huggingface.co';
}
