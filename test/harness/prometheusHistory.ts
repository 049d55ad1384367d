/**
 * A real Prometheus (Debian's package) holding days of history: the test writes OpenMetrics with
 * timestamps, `promtool tsdb create-blocks-from openmetrics` turns it into TSDB blocks (the
 * documented backfilling path), and Prometheus starts on 127.0.0.1 over those blocks, scraping nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureAptPackages, freePort, startServer, waitForPort, type Started } from './processes.ts';

export interface PrometheusHistory {
  url: string;
  prometheus: Started;
  stop(): Promise<void>;
}

/** One series: name, labels, and a value per timestamp (Unix seconds). */
export interface HistorySeries {
  name: string;
  labels: Record<string, string>;
  points: [number, number][];
}

/** A metric family: its type and help as the exporter declares them, and its series. */
export interface HistoryFamily {
  /** The family name (a counter's family has no `_total`). */
  name: string;
  /** A histogram's series are its `_bucket` (with `le`), `_sum` and `_count` samples. */
  type: 'gauge' | 'counter' | 'histogram';
  help: string;
  series: HistorySeries[];
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** OpenMetrics text (families contiguous, samples in time order, `# EOF`), as promtool reads it. */
export function openMetrics(families: HistoryFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.series) for (const [t, v] of s.points) lines.push(`${s.name}${labelText(s.labels)} ${v} ${t}`);
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

export async function startPrometheusWithHistory(openMetricsText: string): Promise<PrometheusHistory> {
  return startPrometheusFromOpenMetrics((input) => writeFileSync(input, openMetricsText));
}

/**
 * The same, for a history too large for one string (the bench's 500 deployments): `write` puts the
 * OpenMetrics text in the file it is given, and may stream it there.
 */
export async function startPrometheusFromOpenMetrics(
  write: (path: string) => void | Promise<void>,
): Promise<PrometheusHistory> {
  await ensureAptPackages({ prometheus: '/usr/bin/prometheus' });
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-prometheus-history-'));
  const input = join(dir, 'history.om.txt');
  const data = join(dir, 'data');
  try {
    await write(input);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // Quiet unless it fails: it prints a line per two-hour block.
  try {
    await promisify(execFile)('/usr/bin/promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 600_000,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  rmSync(input, { force: true });
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const prometheus = startServer('/usr/bin/prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=30d',
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  try {
    await waitForPort(port, prometheus.child, 60_000, () => prometheus.logs());
  } catch (error) {
    await prometheus.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    prometheus,
    async stop() {
      await prometheus.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
