/** Prometheus range and instant queries for right-sizing (api/v1/query_range, api/v1/query). */
import type { Result } from '../core/result.ts';
import { clip, safeLine } from '../core/text/safeText.ts';
import { checkPrometheusUrl } from './prometheus.ts';
import { timerMs } from './runFile.ts';
import { fetchFailure, readResponseCapped, tokenProblem } from './readLimited.ts';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const err = <T>(message: string): Result<T> => ({ ok: false, message });

export interface RangeClientOptions {
  timeoutMs: number;
  token?: string;
  /** Per answer; a week at one-minute steps of one series is about 400 KiB. */
  maxBytes?: number;
}

export interface PrometheusClient {
  /** The first series' values (one aggregated series per query), in time order. */
  range(query: string, startS: number, endS: number, stepS: number): Promise<Result<number[]>>;
  /** The first series' points, `[unix seconds, value]`, in time order (for series that must be aligned by time). */
  rangePoints(query: string, startS: number, endS: number, stepS: number): Promise<Result<[number, number][]>>;
  /** The first series' value now, or undefined when the answer is empty. */
  instant(query: string, timeS: number): Promise<Result<number | undefined>>;
  /** A label of the first series of an instant answer (`count by (label) (...)`), or undefined. */
  label(query: string, timeS: number, label: string): Promise<Result<string | undefined>>;
  /** Every series of an instant answer: labels and value (at most 2,000). */
  vector(query: string, timeS: number): Promise<Result<{ labels: Record<string, string>; value: number }[]>>;
  /** The label's values over every series of an instant answer (at most 100). */
  labelValues(query: string, timeS: number, label: string): Promise<Result<string[]>>;
}

interface ApiAnswer {
  status?: string;
  error?: string;
  data?: {
    resultType?: string;
    result?: { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
  };
}

export function prometheusClient(baseUrl: string, options: RangeClientOptions): Result<PrometheusClient> {
  const checked = checkPrometheusUrl(baseUrl);
  if (!checked.ok) return err(checked.reason);
  const badToken = tokenProblem(options.token, 'Prometheus');
  if (badToken) return err(badToken);
  const root = checked.url.href.endsWith('/') ? checked.url : new URL(`${checked.url.href}/`);
  const ask = async (api: string, params: Record<string, string>): Promise<Result<ApiAnswer>> => {
    const endpoint = new URL(api, root);
    // POST keeps long PromQL out of URLs (and of proxies' logs), as Grafana does.
    const body = new URLSearchParams(params);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        body,
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        },
        signal: AbortSignal.timeout(timerMs(options.timeoutMs)),
        redirect: 'error',
      });
      const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
      const tooLarge = `the answer is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`;
      const text = await readResponseCapped(response, maxBytes, tooLarge);
      let answer: ApiAnswer;
      try {
        answer = JSON.parse(text) as ApiAnswer;
      } catch {
        return err(`HTTP ${response.status}: the answer is not JSON (is this a Prometheus URL?)`);
      }
      if (answer.status !== 'success')
        return err(`HTTP ${response.status}: ${safeLine(clip(String(answer.error ?? 'query failed'), 300))}`);
      return ok(answer);
    } catch (error) {
      return err(fetchFailure(error, options.timeoutMs));
    }
  };
  const rangePoints = async (query: string, startS: number, endS: number, stepS: number) => {
    const answer = await ask('api/v1/query_range', {
      query,
      start: String(startS),
      end: String(endS),
      step: String(stepS),
    });
    if (!answer.ok) return answer;
    const values = answer.value.data?.result?.[0]?.values ?? [];
    return ok(
      values.map(([t, v]): [number, number] => [Number(t), Number(v)]).filter(([t, v]) => Number.isFinite(t + v)),
    );
  };
  return ok({
    async range(query, startS, endS, stepS) {
      const points = await rangePoints(query, startS, endS, stepS);
      return points.ok ? ok(points.value.map(([, v]) => v)) : points;
    },
    rangePoints,
    async instant(query, timeS) {
      const answer = await ask('api/v1/query', { query, time: String(timeS) });
      if (!answer.ok) return answer;
      const value = answer.value.data?.result?.[0]?.value?.[1];
      const n = value === undefined ? undefined : Number(value);
      return ok(n !== undefined && Number.isFinite(n) ? n : undefined);
    },
    async label(query, timeS, label) {
      const answer = await ask('api/v1/query', { query, time: String(timeS) });
      if (!answer.ok) return answer;
      const value = answer.value.data?.result?.[0]?.metric?.[label];
      return ok(typeof value === 'string' && value !== '' ? value : undefined);
    },
    async vector(query, timeS) {
      const answer = await ask('api/v1/query', { query, time: String(timeS) });
      if (!answer.ok) return answer;
      return ok(
        (answer.value.data?.result ?? [])
          .slice(0, 2000)
          .map((r) => ({ labels: r.metric ?? {}, value: Number(r.value?.[1]) }))
          .filter((r) => Number.isFinite(r.value)),
      );
    },
    async labelValues(query, timeS, label) {
      const answer = await ask('api/v1/query', { query, time: String(timeS) });
      if (!answer.ok) return answer;
      const values = (answer.value.data?.result ?? [])
        .map((r) => r.metric?.[label])
        .filter((v): v is string => typeof v === 'string' && v !== '');
      return ok([...new Set(values)].slice(0, 100));
    },
  });
}
