// Loads dist/extension.js and times require + activate() against a minimal stand-in of the
// `vscode` API (the real extension host is not available outside VS Code). Prints JSON.
const Module = require('node:module');
const path = require('node:path');

const disposable = { dispose() {} };
const Disposable = { from: () => disposable };
class EventEmitter {
  constructor() {
    this.event = () => disposable;
  }
  fire() {}
  dispose() {}
}
const vscodeStub = {
  EventEmitter,
  Disposable,
  StatusBarAlignment: { Left: 1, Right: 2 },
  ConfigurationTarget: { Global: 1 },
  TreeItem: class {
    constructor(label, state) {
      this.label = label;
      this.collapsibleState = state;
    }
  },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class {
    constructor(id) {
      this.id = id;
    }
  },
  MarkdownString: class {
    appendText() {
      return this;
    }
  },
  ViewColumn: { Active: -1 },
  Uri: { joinPath: (base, ...parts) => ({ fsPath: path.join(base.fsPath, ...parts) }) },
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
    createTreeView: () => ({ visible: false, onDidChangeVisibility: () => disposable, dispose() {} }),
    registerWebviewPanelSerializer: () => disposable,
    withProgress: (_options, task) => task(),
    createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
    onDidChangeWindowState: () => disposable,
    state: { focused: true },
  },
  commands: { registerCommand: () => disposable },
  workspace: {
    isTrusted: true,
    onDidGrantWorkspaceTrust: () => disposable,
    onDidChangeConfiguration: () => disposable,
    getConfiguration: () => ({ get: () => undefined, inspect: () => undefined }),
  },
};
// Everything else the extension touches at activation (languages, DiagnosticSeverity, ...): a
// stand-in that answers any property or call with itself, so a new API use cannot break the probe.
const anything = new Proxy(function stub() {}, {
  get: (target, key) => (key === Symbol.toPrimitive ? () => 0 : key === 'then' ? undefined : anything),
  apply: () => anything,
  construct: () => anything,
});
const deep = (object) =>
  new Proxy(object, {
    get: (target, key) =>
      key in target
        ? typeof target[key] === 'object' && target[key] !== null && !Array.isArray(target[key])
          ? deep(target[key])
          : target[key]
        : anything,
  });
// esbuild copies the module's own keys, so every name the bundle uses must exist here.
for (const name of [
  'CodeAction',
  'CodeActionKind',
  'Diagnostic',
  'DiagnosticSeverity',
  'Hover',
  'Position',
  'ProgressLocation',
  'Range',
  'ThemeColor',
  'WorkspaceEdit',
  'env',
  'languages',
  'tasks',
  'CodeLens',
  'Task',
  'ProcessExecution',
  'TaskScope',
  'TaskRevealKind',
  'TaskPanelKind',
  'TabInputText',
]) {
  if (!(name in vscodeStub)) vscodeStub[name] = anything;
}
const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  return request === 'vscode' ? deep(vscodeStub) : originalLoad.call(this, request, ...rest);
};

const root = path.resolve(__dirname, '..');
const context = {
  subscriptions: [],
  secrets: { get: async () => undefined, store: async () => {}, delete: async () => {} },
  extensionPath: root,
  extensionUri: { fsPath: root },
  extension: { packageJSON: require(path.join(root, 'package.json')) },
  workspaceState: { get: () => undefined, update: async () => {} },
};
const t0 = process.hrtime.bigint();
const extension = require(path.join(root, 'dist', 'extension.js'));
const t1 = process.hrtime.bigint();
extension.activate(context);
const t2 = process.hrtime.bigint();
console.log(JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6 }));
