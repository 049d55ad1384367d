// Builds the extension (Node, CommonJS, `vscode` external), the GLPK worker, and the webview
// (browser, ESM). `--production` minifies and drops source maps; `--watch` rebuilds on change.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const { version } = JSON.parse(await readFile('package.json', 'utf8'));
const watch = process.argv.includes('--watch');

// glpk.js's Node build finds glpk.wasm through import.meta.url, which is empty in CommonJS:
// define it from __filename so the wasm loads from dist/ inside the installed extension.
const importMetaUrlBanner = "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;";

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
};

/** @type {[string, import('esbuild').BuildOptions][]} name -> options; the name labels its metafile. */
const targets = [
  [
    'node',
    {
      ...common,
      entryPoints: {
        extension: 'src/extension.ts',
        'solver-worker': 'src/node/solverWorker.ts',
        'sysinfo-worker': 'src/node/sysinfoWorker.ts',
        cli: 'src/cli.ts',
      },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      banner: { js: importMetaUrlBanner },
      define: { 'import.meta.url': '__import_meta_url', __GPU_WORKBENCH_VERSION__: JSON.stringify(version) },
    },
  ],
  [
    'webview',
    {
      ...common,
      entryPoints: { webview: 'webview/main.ts' },
      outdir: 'dist',
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
    },
  ],
];

async function writeMeta(name, result) {
  if (result.metafile) await writeFile(`dist/meta-${name}.json`, JSON.stringify(result.metafile));
}

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await copyFile('node_modules/glpk.js/dist/glpk.wasm', 'dist/glpk.wasm');

if (watch) {
  for (const [name, options] of targets) {
    const plugins = [{ name: 'metafile', setup: (build) => build.onEnd((result) => writeMeta(name, result)) }];
    await (await esbuild.context({ ...options, plugins })).watch();
  }
  console.log('esbuild: watching src/ and webview/');
} else {
  await Promise.all(targets.map(async ([name, options]) => writeMeta(name, await esbuild.build(options))));
}
