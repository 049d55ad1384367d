/** The packaged VSIX: what it holds is what an installed extension needs, and nothing else. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import yauzl from 'yauzl';

const repo = resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const vsix = join(repo, `gpu-workbench-${manifest.version}.vsix`);

function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolvePromise(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe(`the VSIX (${`gpu-workbench-${manifest.version}.vsix`})`, async () => {
  const files = await readZip(vsix);
  const names = [...files.keys()].sort();

  test('holds exactly the manifest, docs, licenses, bundles, wasm and media', () => {
    assert.deepEqual(
      names,
      [
        '[Content_Types].xml',
        'extension.vsixmanifest',
        'extension/LICENSE.txt',
        'extension/THIRD-PARTY-NOTICES',
        'extension/changelog.md',
        ...readdirSync(join(repo, 'docs', 'rules')).map((page) => `extension/docs/rules/${page}`),
        'extension/dist/extension.js',
        'extension/dist/glpk.wasm',
        'extension/dist/lazy.js',
        'extension/dist/solver-worker.js',
        'extension/dist/sysinfo-worker.js',
        'extension/dist/webview.js',
        'extension/media/gpu.svg',
        'extension/media/example-plan.json',
        'extension/media/example-provisioning.json',
        'extension/media/icon.png',
        'extension/media/workbench.css',
        'extension/package.json',
        'extension/readme.md',
      ].sort(),
    );
  });

  test('ships every file a shipped bundle requires by a relative path (the lazily loaded bundle too)', () => {
    const required = new Set<string>();
    for (const name of names.filter((n) => /^extension\/dist\/.*\.js$/.test(n)))
      for (const m of (files.get(name)?.toString() ?? '').matchAll(/require\("\.\/([\w.-]+)"\)/g))
        required.add(`extension/dist/${m[1]}`);
    assert.ok(required.has('extension/dist/lazy.js'), 'the extension loads the linter from dist/lazy.js');
    assert.deepEqual(
      [...required].filter((path) => !files.has(path)),
      [],
    );
  });

  test('holds no sources, tests, source maps or node_modules', () => {
    const stray = names.filter((name) => /\.(ts|map)$|(^|\/)(src|test|node_modules|webview)\//.test(name));
    assert.deepEqual(stray, []);
  });

  test("ships glpk.js's own wasm, byte for byte, so GLPK loads without the network", () => {
    const shipped = files.get('extension/dist/glpk.wasm');
    assert.ok(shipped?.equals(readFileSync(join(repo, 'node_modules', 'glpk.js', 'dist', 'glpk.wasm'))));
  });

  test('is GPL-3.0-or-later with the GPL text as its license', () => {
    assert.equal(JSON.parse(files.get('extension/package.json')?.toString() ?? '{}').license, 'GPL-3.0-or-later');
    assert.match(
      files.get('extension/LICENSE.txt')?.toString() ?? '',
      /GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/,
    );
  });
});

describe('THIRD-PARTY-NOTICES', () => {
  test('lists every package the build bundles, with the version and license of the copy in node_modules', () => {
    const notices = readFileSync(join(repo, 'THIRD-PARTY-NOTICES'), 'utf8');
    const bundled = new Set<string>();
    for (const meta of ['meta-node.json', 'meta-webview.json']) {
      const inputs = Object.keys(JSON.parse(readFileSync(join(repo, 'dist', meta), 'utf8')).inputs);
      for (const input of inputs) {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (match?.[1]) bundled.add(match[1]);
      }
    }
    assert.ok(
      bundled.has('glpk.js') && bundled.has('@vscode/webview-ui-toolkit'),
      `unexpected bundle contents: ${[...bundled].join(', ')}`,
    );
    for (const name of bundled) {
      const pkg = JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8'));
      const entry = new RegExp(
        `Package: ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${pkg.version.replace(/\./g, '\\.')}\\nLicense: ${pkg.license}\\n`,
      );
      assert.match(notices, entry, `${name} ${pkg.version} (${pkg.license}) is bundled but not listed`);
    }
  });
});
