/** Security properties that hold by construction, checked so they keep holding. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { workbenchHtml } from '../../src/features/workbench/html.ts';
import { resolveExecutable } from '../../src/node/executables.ts';
import {
  EXTENSION_TO_WEBVIEW_TYPES,
  isExtensionToWebview,
  isWebviewToExtension,
  WEBVIEW_TO_EXTENSION_TYPES,
  type ExtensionToWebview,
  type WebviewToExtension,
} from '../../src/shared/protocol.ts';

const repo = resolve(import.meta.dirname, '..', '..');

function cspOf(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
  return new Map(
    content
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe('the workbench page', () => {
  const resources = {
    cspSource: 'https://abc.vscode-cdn.net',
    scriptUri: 'https://abc.vscode-cdn.net/dist/webview.js',
    styleUri: 'https://abc.vscode-cdn.net/media/workbench.css',
  };

  test('CSP: default-src none, scripts only by a nonce, no eval, no inline script, no remote origin', () => {
    const html = workbenchHtml(resources);
    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const scriptSrc = csp.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1);
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(scriptSrc[0] ?? '')?.[1];
    assert.ok(nonce, scriptSrc.join(' '));
    // 128 bits: 16 bytes, 24 characters of base64.
    assert.equal(Buffer.from(nonce, 'base64').length, 16);
    for (const values of csp.values()) {
      for (const v of values)
        assert.ok(
          !/unsafe-eval|unsafe-inline|^https?:\/\/(?!abc\.vscode-cdn\.net)|^\*$/.test(v),
          `forbidden source ${v}`,
        );
    }
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1] ?? '', new RegExp(`nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`));
    assert.equal(scripts[0]![2], '', 'no inline script');
  });

  test('a fresh nonce on every render', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => cspOf(workbenchHtml(resources)).get('script-src')?.[0]));
    assert.equal(nonces.size, 50);
  });

  test('resource URIs cannot break out of their attributes', () => {
    const html = workbenchHtml({ ...resources, scriptUri: 'x"><script>alert(1)</script>' });
    assert.equal([...html.matchAll(/<script/g)].length, 1);
  });
});

describe('processes', () => {
  /** Calls that run a shell: banned in src (only execFile/spawn with argument arrays). */
  const SHELL_CALLS =
    /\bexecSync\s*\(|(?<![.\w])exec\s*\(|\b(?:child_process|childProcess|cp)\.exec\s*\(|\bshell\s*:\s*true/;

  test('the check sees each banned form', () => {
    for (const line of [
      'execSync("ls")',
      'child_process.exec(cmd)',
      'spawn("x", [], { shell: true })',
      'exec (cmd, cb)',
    ])
      assert.match(line, SHELL_CALLS, line);
    // RegExp.prototype.exec is not a process.
    for (const line of ['execFile(exe, args)', '/^card(\\d+)$/.exec(key)', 'pattern.exec(text)'])
      assert.doesNotMatch(line, SHELL_CALLS, line);
  });

  test('no source file runs a shell', () => {
    const files = (readdirSync(join(repo, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const offenders = files.flatMap((file) =>
      readFileSync(join(repo, 'src', file), 'utf8')
        .split('\n')
        .filter((line) => SHELL_CALLS.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    assert.deepEqual(offenders, []);
  });

  test('executables resolve from absolute PATH entries only, never a relative one like "."', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-workbench-path-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(dir, 'bin'));
      const evil = join(dir, 'bin', 'nvidia-smi');
      writeFileSync(evil, '#!/bin/sh\necho pwned\n');
      chmodSync(evil, 0o755);
      process.chdir(dir);
      assert.equal(
        resolveExecutable('nvidia-smi', undefined, `.:bin:./bin:${relative(dir, join(dir, 'bin'))}`),
        undefined,
      );
      assert.equal(resolveExecutable('nvidia-smi', undefined, `/nonexistent:${join(dir, 'bin')}`), evil);
      assert.equal(resolveExecutable('nvidia-smi', 'bin/nvidia-smi'), undefined);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('webview messages (fuzzed)', () => {
  test('any JSON value: the guards never throw, and accept only a message type of their own direction', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        if (isWebviewToExtension(value))
          assert.ok(WEBVIEW_TO_EXTENSION_TYPES.includes((value as { type: WebviewToExtension['type'] }).type));
        if (isExtensionToWebview(value))
          assert.ok(EXTENSION_TO_WEBVIEW_TYPES.includes((value as { type: ExtensionToWebview['type'] }).type));
      }),
      { numRuns: 5000 },
    );
  });

  test('every message type with a mutated payload: accepted only when every field is right', () => {
    // Field values drawn from right and wrong shapes alike; a message the guard accepts must have
    // exactly the fields its type declares, each with a value of the declared kind (checked here
    // by hand, per field, not by the guard under test).
    const fieldValue = fc.oneof(
      fc.anything(),
      fc.constantFrom('json', 'kubernetes', 'vllm', 'packing', 'provisioning', '{}', 'estimate', 'plan'),
      fc.constant({ state: 'loading' }),
      fc.constant({ state: 'idle' }),
    );
    const allTypes = [...WEBVIEW_TO_EXTENSION_TYPES, ...EXTENSION_TO_WEBVIEW_TYPES];
    const declared: Record<string, string[]> = {
      ready: ['problemText'],
      solvePlan: ['text'],
      planDraft: ['text'],
      solveLp: ['text'],
      cancelSolve: [],
      exportPlan: ['format'],
      loadPlanExample: ['example'],
      planPoolFromInventory: ['text'],
      solverState: ['solver'],
      showTab: ['tab'],
      catalogModels: ['ids'],
      lpResult: ['result'],
      estimate: ['estimate'],
      suggestion: ['suggestion'],
      performanceChart: ['chart'],
      planProblem: ['text', 'restored'],
      planState: ['plan'],
    };
    assert.deepEqual(Object.keys(declared).sort(), [...allTypes].sort(), 'the test knows every message type');
    // The declared fields (each drawn from right and wrong values) and sometimes an undeclared one.
    const message = fc.constantFrom(...allTypes).chain((type) =>
      fc
        .record(
          {
            ...Object.fromEntries(declared[type]!.map((key) => [key, fieldValue])),
            [type === 'planState' ? 'text' : 'plan']: fieldValue,
          },
          { requiredKeys: type === 'ready' ? [] : declared[type]!.filter((k) => k !== 'restored') },
        )
        .map((fields) => ({ ...fields, type })),
    );
    let accepted = 0;
    fc.assert(
      fc.property(message, (m) => {
        const ok = isWebviewToExtension(m) || isExtensionToWebview(m);
        if (!ok) return;
        accepted++;
        const fields = m as Record<string, unknown>;
        const extra = Object.keys(m).filter((k) => k !== 'type' && !declared[m.type]!.includes(k));
        assert.deepEqual(extra, [], `accepted ${m.type} with undeclared fields`);
        if ('text' in fields) assert.equal(typeof fields.text, 'string', `${m.type}.text`);
        // Optional: absent, undefined (structured clone keeps it) or a string.
        if ('problemText' in fields) assert.ok(['string', 'undefined'].includes(typeof fields.problemText));
        if ('restored' in fields) assert.ok([true, undefined].includes(fields.restored as boolean | undefined));
        if ('format' in fields) assert.ok(['json', 'kubernetes', 'vllm'].includes(fields.format as string));
        if ('example' in fields) assert.ok(['packing', 'provisioning'].includes(fields.example as string));
        if ('tab' in fields) assert.ok(['estimate', 'suggest', 'plan', 'simulate'].includes(fields.tab as string));
      }),
      { numRuns: 20000 },
    );
    assert.ok(accepted > 0, 'the fuzzer reached well-formed messages too');
  });
});

describe('a Bearer token that is not one', () => {
  test('the right-sizer and services Prometheus client refuse it before any request, and never repeat it', async () => {
    const { prometheusClient } = await import('../../src/node/prometheusRange.ts');
    // A token pasted with its line break and a second line: fetch would refuse the header and quote it whole.
    const client = prometheusClient('http://127.0.0.1:9', { timeoutMs: 1000, token: 'SECRET-abc\nSECOND-LINE' });
    assert.equal(client.ok, false);
    const message = client.ok ? '' : client.message;
    assert.match(message, /Prometheus token holds spaces, a line break/);
    assert.doesNotMatch(message, /SECRET|SECOND/);
    // A well-formed token is accepted (nothing is sent until a query).
    assert.equal(prometheusClient('http://127.0.0.1:9', { timeoutMs: 1000, token: 'abc.DEF-123_~+/=' }).ok, true);
  });
});
