/**
 * What the app's specs share: the AquaApp's props with mocks, a fake
 * JupyterLab application to activate the plugin in, and a server whose every
 * list is empty.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { ServerConnection } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { trans } from './trans';
import type { IAquaAppProps } from '../app/AquaApp';
import { Navigator } from '../app/navigator';
import { DEFAULT_SETTINGS } from '../shared/settings';
import type { FakeClient } from './fixtures';

/** The app's props: default settings, no debounce, confirmations answered yes. */
export function appProps(client: FakeClient, overrides: Partial<IAquaAppProps> = {}): IAquaAppProps {
  return {
    client,
    trans,
    settings: { ...DEFAULT_SETTINGS },
    renderMarkdown: jest.fn(async () => undefined),
    confirm: jest.fn(async () => true),
    notify: jest.fn(),
    fitDebounceMs: 0,
    navigator: new Navigator(),
    ...overrides
  };
}

/**
 * A JupyterLab application with real commands, a shell that attaches what is
 * added (`added`), a document registry that keeps the file types added, and
 * the server's settings and contents paths.
 */
export function fakeApp() {
  const commands = new CommandRegistry();
  const added: Widget[] = [];
  const shell = {
    add: jest.fn((widget: Widget) => {
      added.push(widget);
      Widget.attach(widget, document.body);
    }),
    activateById: jest.fn()
  };
  const fileTypes: Array<{ name: string }> = [];
  const docRegistry = {
    getFileType: jest.fn((name: string) => fileTypes.find(type => type.name === name)),
    addFileType: jest.fn((type: { name: string }) => fileTypes.push(type))
  };
  const app = {
    commands,
    shell,
    docRegistry,
    serviceManager: {
      serverSettings: ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/' }),
      contents: { localPath: (path: string) => path.replace(/^[A-Za-z]+:/, '') }
    }
  } as unknown as JupyterFrontEnd;
  return { app, commands, shell, added, docRegistry };
}

/**
 * In a describe: each test's requests to the server answer an empty list, and
 * the page is emptied after it. Read the spy through the getter (a new one each test).
 */
export function emptyServer(): { readonly makeRequest: jest.SpyInstance } {
  let makeRequest: jest.SpyInstance | null = null;
  beforeEach(() => {
    makeRequest = jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockImplementation(async () => new Response(JSON.stringify({ items: [], total: 0 }), { status: 200 }));
  });
  afterEach(() => {
    makeRequest?.mockRestore();
    document.body.innerHTML = '';
  });
  return {
    get makeRequest(): jest.SpyInstance {
      if (!makeRequest) {
        throw new Error('emptyServer(): the spy exists only while a test runs');
      }
      return makeRequest;
    }
  };
}
