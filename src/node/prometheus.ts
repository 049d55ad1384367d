/** DCGM-exporter metrics through Prometheus's HTTP query API. */
import { DCGM_QUERY, parseDcgmQueryResponse } from '../core/gpu/dcgm.ts';
import type { Host } from '../core/gpu/inventory.ts';
import { redactSecrets, redactUrl } from '../core/text/safeText.ts';
import { fetchFailure, readResponseCapped, tokenProblem } from './readLimited.ts';
import { timerMs } from './runFile.ts';

export interface PrometheusOptions {
  timeoutMs: number;
  /** Bearer token from SecretStorage; sent only to the configured URL. */
  token?: string;
  maxBytes?: number;
}

function failedHost(input: string, reason: string): Host {
  // Never echo a URL's user name or password (the URL is refused for having them, and still shown).
  const url = redactUrl(input);
  return {
    id: `prometheus:${url}`,
    label: `Prometheus ${url}`,
    source: 'prometheus',
    status: { kind: 'unreachable', reason },
    gpus: [],
  };
}

export function checkPrometheusUrl(input: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, reason: `"${redactUrl(input).slice(0, 200)}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: 'the Prometheus URL must start with http:// or https://' };
  if (url.username || url.password)
    return { ok: false, reason: 'put credentials in the token (GPU Workbench: Set Prometheus Token), not in the URL' };
  return { ok: true, url };
}

/** One host per DCGM `Hostname`, or one unreachable entry that says why. */
export async function queryPrometheusDcgm(baseUrl: string, options: PrometheusOptions): Promise<Host[]> {
  const checked = checkPrometheusUrl(baseUrl);
  if (!checked.ok) return [failedHost(baseUrl, checked.reason)];
  const badToken = tokenProblem(options.token, 'Prometheus');
  if (badToken) return [failedHost(baseUrl, badToken)];
  const endpoint = new URL(
    'api/v1/query',
    checked.url.href.endsWith('/') ? checked.url : new URL(`${checked.url.href}/`),
  );
  endpoint.searchParams.set('query', DCGM_QUERY);
  try {
    const response = await fetch(endpoint, {
      headers: { Accept: 'application/json', ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
      signal: AbortSignal.timeout(timerMs(options.timeoutMs)),
      redirect: 'error',
    });
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    const text = await readResponseCapped(
      response,
      maxBytes,
      `the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`,
    );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [failedHost(baseUrl, `HTTP ${response.status}: the answer is not JSON (is this a Prometheus URL?)`)];
    }
    const parsed = parseDcgmQueryResponse(body);
    if (!parsed.ok) return [failedHost(baseUrl, `HTTP ${response.status}: ${parsed.message}`)];
    return parsed.value;
  } catch (error) {
    return [failedHost(baseUrl, redactSecrets(fetchFailure(error, options.timeoutMs), [options.token]))];
  }
}
