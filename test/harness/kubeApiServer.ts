/**
 * A loopback stand-in for the Kubernetes API server, enough for the real `kubectl get nodes -o json`:
 * discovery (/api, /apis, /api/v1) and the node list from a fixture. It records what it was asked.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveExecutable } from '../../src/node/executables.ts';
import { ensureAptPackages } from './processes.ts';

export interface KubeLab {
  kubeconfig: string;
  requests: string[];
  stop(): Promise<void>;
}

const NODE_RESOURCE = {
  name: 'nodes',
  singularName: 'node',
  namespaced: false,
  kind: 'Node',
  verbs: ['get', 'list', 'watch'],
  shortNames: ['no'],
};

export async function startKubeLab(nodesFixture: string): Promise<KubeLab> {
  if (!resolveExecutable('kubectl', undefined)) await ensureAptPackages({ 'kubernetes-client': '/usr/bin/kubectl' });
  const nodes = readFileSync(nodesFixture, 'utf8');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`.trim());
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (path === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return json(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (path === '/api/v1')
      return json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [NODE_RESOURCE] });
    if (path === '/api/v1/nodes') return json(200, nodes);
    if (path === '/version') return json(200, { major: '1', minor: '30', gitVersion: 'v1.30.0' });
    json(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: `the server could not find ${path}`,
      reason: 'NotFound',
      code: 404,
    });
  });
  const port = await new Promise<number>((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)),
  );
  const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: lab',
      '  cluster:',
      `    server: http://127.0.0.1:${port}`,
      'contexts:',
      '- name: lab',
      '  context: { cluster: lab, user: lab }',
      '- name: other',
      '  context: { cluster: lab, user: lab }',
      'current-context: other',
      'users:',
      '- name: lab',
      '  user: { token: lab-token }',
    ].join('\n') + '\n',
  );
  return {
    kubeconfig,
    requests,
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
