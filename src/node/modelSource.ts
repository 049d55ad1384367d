/**
 * Finds a model's architecture: the built-in catalog, a config.json path (file or folder), the
 * local Hugging Face cache, or the Hub itself (HF_ENDPOINT, a token if given).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { architectureFromHfConfig, type ModelArchitecture } from '../core/catalog/architecture.ts';
import { findModel } from '../core/catalog/models.ts';

export type ModelSourceKind = 'catalog' | 'file' | 'hf-cache' | 'hub';

export type ResolvedModel =
  | { ok: true; architecture: ModelArchitecture; source: ModelSourceKind; where: string }
  | { ok: false; message: string };

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

async function readConfigFile(path: string): Promise<unknown> {
  const info = await stat(path);
  const file = info.isDirectory() ? join(path, 'config.json') : path;
  const size = (await stat(file)).size;
  if (size > MAX_CONFIG_BYTES) throw new Error(`${file} is ${size} bytes, larger than a config.json can be`);
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

async function fromHubCache(id: string, cache: string): Promise<{ config: unknown; where: string } | undefined> {
  const dir = join(cache, `models--${id.replace('/', '--')}`);
  let snapshot: string | undefined;
  try {
    snapshot = (await readFile(join(dir, 'refs', 'main'), 'utf8')).trim();
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
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 401 || response.status === 403)
    throw new Error(`${id} is gated or private: the Hub answered ${response.status}; set a Hugging Face token`);
  if (response.status === 404) throw new Error(`${id} was not found on the Hub (${response.status})`);
  if (!response.ok) throw new Error(`the Hub answered ${response.status} for ${id}`);
  const text = await response.text();
  if (text.length > MAX_CONFIG_BYTES)
    throw new Error(`the Hub's config.json for ${id} is larger than a config.json can be`);
  return { config: JSON.parse(text) as unknown, where: url };
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
    const parsed = architectureFromHfConfig(name, asFile.config);
    return parsed.ok ? { ok: true, architecture: parsed.value, source: 'file', where: path } : parsed;
  }
  if (asFile.error) return { ok: false, message: `${path}: ${asFile.error}` };
  if (!HF_ID.test(name))
    return {
      ok: false,
      message: `"${name}" is not a built-in model, a config.json path, or a Hugging Face id (org/name)`,
    };
  const cached = await fromHubCache(name, options.hubCache ?? defaultHubCache());
  if (cached) {
    const parsed = architectureFromHfConfig(name, cached.config);
    return parsed.ok ? { ok: true, architecture: parsed.value, source: 'hf-cache', where: cached.where } : parsed;
  }
  if (!options.hubEndpoint)
    return {
      ok: false,
      message: `${name} is not in the catalog or the local Hugging Face cache, and the Hub is not contacted here`,
    };
  try {
    const hub = await fromHub(name, options.hubEndpoint, options.token, options.timeoutMs ?? 10_000);
    const parsed = architectureFromHfConfig(name, hub.config);
    return parsed.ok ? { ok: true, architecture: parsed.value, source: 'hub', where: hub.where } : parsed;
  } catch (error) {
    const message =
      error instanceof Error
        ? error.name === 'TimeoutError'
          ? 'the Hub did not answer in time'
          : error.message
        : String(error);
    return { ok: false, message };
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
