/**
 * A small stand-in for the `vscode` module, enough to unit-test the adapters in src/features
 * (the real API exists only inside an extension host; the e2e suite runs them there). Installed by
 * resolving `require('vscode')` to this file: tsx compiles the sources to CommonJS.
 */
import Module from 'node:module';
import { fileURLToPath } from 'node:url';

const STUB_PATH = fileURLToPath(import.meta.url);

type Listener<T> = (event: T) => void;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(event: T): void {
    for (const listener of this.listeners) listener(event);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  /** Either form of the real one: two positions, or start line, character, end line, character. */
  constructor(start: Position | number, end: Position | number, endLine?: number, endCharacter?: number) {
    this.start = typeof start === 'number' ? new Position(start, end as number) : start;
    this.end = typeof end === 'number' ? new Position(endLine ?? 0, endCharacter ?? 0) : end;
  }
}
export const ViewColumn = { Active: -1, Beside: -2, One: 1 };
export class Diagnostic {
  source?: string;
  code?: unknown;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: number,
  ) {}
}
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: ThemeIcon;
  contextValue?: string;
  constructor(
    public label: string,
    public collapsibleState: number = TreeItemCollapsibleState.None,
  ) {}
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  get fsPath(): string {
    return this.path;
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.scheme, parts.path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...parts].join('/'));
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

/** A text document whose text and version the test changes, as typing would. */
export class FakeDocument {
  isClosed = false;
  version = 1;
  constructor(
    readonly uri: Uri,
    public text: string,
  ) {}
  get lineCount(): number {
    return this.text.split('\n').length;
  }
  lineAt(line: number): { text: string } {
    return { text: this.text.split('\n')[line] ?? '' };
  }
  getText(): string {
    return this.text;
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, offset).split('\n');
    return new Position(before.length - 1, before.at(-1)!.length);
  }
  edit(text: string): void {
    this.text = text;
    this.version++;
  }
}

// The test imports this file as ESM and the sources require it as CommonJS: two module instances.
// Their state is one object on globalThis, so both see the same documents, settings and calls.
interface SharedState {
  diagnosticCalls: { uri: string; messages: string[] }[];
  infoMessages: string[];
  /** Text the sources wrote into documents (workspace.applyEdit), in order. */
  appliedEdits: { uri: string; text: string }[];
  settingValues: Map<string, unknown>;
  manifestDefaults: Map<string, unknown>;
  textDocuments: FakeDocument[];
  events: {
    open: EventEmitter<FakeDocument>;
    change: EventEmitter<{ document: FakeDocument }>;
    close: EventEmitter<FakeDocument>;
    save: EventEmitter<FakeDocument>;
    trust: EventEmitter<void>;
    configuration: EventEmitter<{ affectsConfiguration(key: string): boolean }>;
  };
}
const holder = globalThis as { gpuWorkbenchVscodeStub?: SharedState };
const shared: SharedState = (holder.gpuWorkbenchVscodeStub ??= {
  diagnosticCalls: [],
  infoMessages: [],
  appliedEdits: [],
  settingValues: new Map(),
  manifestDefaults: new Map(),
  textDocuments: [],
  events: {
    open: new EventEmitter(),
    change: new EventEmitter(),
    close: new EventEmitter(),
    save: new EventEmitter(),
    trust: new EventEmitter(),
    configuration: new EventEmitter(),
  },
});

/** Every setting written, with its ConfigurationTarget, in order. */
export const settingWrites: { key: string; value: unknown; target?: number }[] = ((
  globalThis as { gpuWorkbenchVscodeWrites?: { key: string; value: unknown; target?: number }[] }
).gpuWorkbenchVscodeWrites ??= []);
/** What a diagnostic collection was asked to show, per URI, in order. */
export const diagnosticCalls = shared.diagnosticCalls;
export const infoMessages = shared.infoMessages;
export const appliedEdits = shared.appliedEdits;
/** Raw setting values by key (relative to the `gpuWorkbench` section); absent: the manifest default. */
export const settingValues = shared.settingValues;
const manifestDefaults = shared.manifestDefaults;
export const events = shared.events;
/** A tree view whose visibility a test sets: assign `visible`, then fire `visibility`. Counts what the view is told. */
export class FakeTreeView {
  visible = false;
  readonly visibility = new EventEmitter<{ visible: boolean }>();
  readonly onDidChangeVisibility = this.visibility.event;
  /** Every value assigned to `message` (the services view sets it on each refresh). */
  readonly messages: (string | undefined)[] = [];
  set message(value: string | undefined) {
    this.messages.push(value);
  }
  get message(): string | undefined {
    return this.messages.at(-1);
  }
  dispose(): void {
    this.visibility.dispose();
  }
}
/** The tree views created, in order. */
export const treeViews: FakeTreeView[] = [];
const windowApi = {
  activeTextEditor: undefined as unknown,
  createTreeView: () => {
    const view = new FakeTreeView();
    treeViews.push(view);
    return view;
  },
  showInformationMessage: async (message: string) => void infoMessages.push(message),
  showTextDocument: async () => undefined,
};
/** One window object for both module instances, so a test can set the active editor the sources see. */
const windowHolder = globalThis as { gpuWorkbenchVscodeWindow?: typeof windowApi };
export const window = (windowHolder.gpuWorkbenchVscodeWindow ??= windowApi);

export const workspace = {
  textDocuments: shared.textDocuments,
  isTrusted: true,
  onDidOpenTextDocument: events.open.event,
  onDidChangeTextDocument: events.change.event,
  onDidCloseTextDocument: events.close.event,
  onDidSaveTextDocument: events.save.event,
  onDidGrantWorkspaceTrust: events.trust.event,
  onDidChangeConfiguration: events.configuration.event,
  getConfiguration: () => ({
    get: (key: string) => (settingValues.has(key) ? settingValues.get(key) : manifestDefaults.get(key)),
    inspect: (key: string) => ({ defaultValue: manifestDefaults.get(key), globalValue: settingValues.get(key) }),
    // As VS Code does, a write is heard by every onDidChangeConfiguration listener.
    update: async (key: string, value: unknown, target?: number) => {
      settingValues.set(key, value);
      settingWrites.push({ key, value, target });
      events.configuration.fire({ affectsConfiguration: (section: string) => section === `gpuWorkbench.${key}` });
    },
  }),
  fs: {
    readFile: async (_uri: Uri): Promise<Uint8Array> => {
      throw new Error('no file system in unit tests');
    },
  },
  openTextDocument: async () => ({ lineCount: 0 }),
  applyEdit: async (edit: WorkspaceEdit) => {
    appliedEdits.push(...edit.replacements);
    return true;
  },
};

export const languages = {
  createDiagnosticCollection: () => ({
    set: (uri: Uri, diagnostics: Diagnostic[]) =>
      diagnosticCalls.push({ uri: uri.toString(), messages: diagnostics.map((d) => d.message) }),
    delete: (uri: Uri) => diagnosticCalls.push({ uri: uri.toString(), messages: [] }),
    dispose: () => undefined,
  }),
  registerCodeLensProvider: () => ({ dispose: () => undefined }),
};

/** Tasks: nothing runs in unit tests; the services' Run… registers for task ends. */
export const tasks = {
  onDidEndTask: () => ({ dispose: () => undefined }),
};

/** Makes `import * as vscode from 'vscode'` in the sources load this module, with the manifest's defaults. */
export function installVscodeStub(manifest: {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
}): void {
  for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties))
    manifestDefaults.set(key.replace(/^gpuWorkbench\./, ''), schema.default);
  const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? STUB_PATH : resolve.call(this, request, ...rest);
  };
}

export class MarkdownString {
  value = '';
  appendText(text: string): this {
    this.value += text;
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}
export class Hover {
  constructor(readonly contents: MarkdownString) {}
}

export class CodeActionKind {
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Source = new CodeActionKind('source');
  static readonly SourceFixAll = new CodeActionKind('source.fixAll');
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === other.value || other.value.startsWith(`${this.value}.`);
  }
}

/** Records its edits; `workspace.applyEdit` hands its replacements to `appliedEdits`. */
export class WorkspaceEdit {
  readonly edits: { uri: Uri; range?: Range; position?: Position; text: string }[] = [];
  readonly replacements: { uri: string; text: string }[] = [];
  replace(uri: Uri, range: Range, text: string): void {
    this.edits.push({ uri, range, text });
    this.replacements.push({ uri: uri.toString(), text });
  }
  insert(uri: Uri, position: Position, text: string): void {
    this.edits.push({ uri, position, text });
  }
}

export class CodeAction {
  edit?: WorkspaceEdit;
  command?: { command: string; title: string; arguments?: unknown[] };
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(
    readonly title: string,
    readonly kind?: CodeActionKind,
  ) {}
}

export const QuickPickItemKind = { Separator: -1, Default: 0 };

/** Commands registered by the sources, and every command they ran (id and arguments), in order. */
interface CommandState {
  registered: Map<string, (...args: unknown[]) => unknown>;
  executed: { command: string; args: unknown[] }[];
}
const commandState: CommandState = ((
  globalThis as { gpuWorkbenchVscodeCommands?: CommandState }
).gpuWorkbenchVscodeCommands ??= { registered: new Map(), executed: [] });
export const executedCommands = commandState.executed;
export const commands = {
  registerCommand: (id: string, run: (...args: unknown[]) => unknown) => {
    commandState.registered.set(id, run);
    return { dispose: () => commandState.registered.delete(id) };
  },
  executeCommand: async (id: string, ...args: unknown[]) => {
    commandState.executed.push({ command: id, args });
    return commandState.registered.get(id)?.(...args);
  },
};

/**
 * The quick pick: each call takes the next answer the test queued (a function of the items shown,
 * returning the item "clicked", or undefined for Escape) and records what was shown.
 */
interface PickState {
  answers: ((items: { label: string; kind?: number }[]) => unknown)[];
  shown: { items: { label: string; description?: string; detail?: string; kind?: number }[]; options: unknown }[];
}
const pickState: PickState = ((globalThis as { gpuWorkbenchVscodePicks?: PickState }).gpuWorkbenchVscodePicks ??= {
  answers: [],
  shown: [],
});
export const quickPickAnswers = pickState.answers;
export const quickPicksShown = pickState.shown;
Object.assign(window, {
  showQuickPick: async (items: { label: string; kind?: number }[] | Promise<{ label: string }[]>, options: unknown) => {
    const list = (await items) as { label: string; kind?: number }[];
    pickState.shown.push({ items: list, options });
    return pickState.answers.shift()?.(list);
  },
});

/** One class for both module instances: the sources test `tab.input instanceof TabInputText`. */
export const TabInputText: new (uri: Uri) => { readonly uri: Uri } = ((
  globalThis as { gpuWorkbenchTabInputText?: new (uri: Uri) => { readonly uri: Uri } }
).gpuWorkbenchTabInputText ??= class {
  constructor(readonly uri: Uri) {}
});

/** Editor tabs and the active-editor event: a test opens a "text editor" and sees which tabs were closed. */
interface TabState {
  tabs: { input: unknown }[];
  closed: { input: unknown }[];
  activeEditor: EventEmitter<{ document: { uri: Uri } } | undefined>;
}
const tabState: TabState = ((globalThis as { gpuWorkbenchVscodeTabs?: TabState }).gpuWorkbenchVscodeTabs ??= {
  tabs: [],
  closed: [],
  activeEditor: new EventEmitter(),
});
export const openTabs = tabState.tabs;
export const closedTabs = tabState.closed;
export const activeEditorChanges = tabState.activeEditor;
Object.assign(window, {
  onDidChangeActiveTextEditor: tabState.activeEditor.event,
  tabGroups: {
    get all() {
      return [{ tabs: tabState.tabs }];
    },
    close: async (tabs: { input: unknown }[]) => {
      for (const tab of tabs) {
        tabState.closed.push(tab);
        tabState.tabs.splice(tabState.tabs.indexOf(tab), 1);
      }
      return true;
    },
  },
});

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}
