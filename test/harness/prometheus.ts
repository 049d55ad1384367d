/**
 * A real Prometheus (Debian's package) on 127.0.0.1 scraping a small exporter that serves
 * DCGM-exporter metrics from a fixture, every second.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAptPackages, freePort, startServer, waitForPort, type Started } from './processes.ts';

export interface PrometheusLab {
  url: string;
  exporterUrl: string;
  prometheus: Started;
  /** Resolves once Prometheus answers the query with at least `minSeries` series. */
  waitForSeries(query: string, minSeries: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrometheusLab(metricsFile: string): Promise<PrometheusLab> {
  await ensureAptPackages({ prometheus: '/usr/bin/prometheus' });
  const metrics = readFileSync(metricsFile, 'utf8');
  const exporter: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(metrics);
    } else {
      res.writeHead(404).end();
    }
  });
  const exporterPort = await new Promise<number>((r) =>
    exporter.listen(0, '127.0.0.1', () => r((exporter.address() as { port: number }).port)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: dcgm-exporter',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${exporterPort}']`,
    ].join('\n') + '\n',
  );
  const port = await freePort();
  const prometheus = startServer('/usr/bin/prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  await waitForPort(port, prometheus.child, 30_000, () => prometheus.logs());
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    exporterUrl: `http://127.0.0.1:${exporterPort}/metrics`,
    prometheus,
    async waitForSeries(query, minSeries) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
          const body = (await response.json()) as { data?: { result?: unknown[] } };
          if ((body.data?.result?.length ?? 0) >= minSeries) return;
        } catch {
          // not ready
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`Prometheus had fewer than ${minSeries} series for ${query} after 30 s:\n${prometheus.logs()}`);
    },
    async stop() {
      await prometheus.stop();
      await new Promise<void>((r) => exporter.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
