/** What the playground specs share: the panel rendered with a fake client and mocked callbacks, and its message box. */
import { screen } from '@testing-library/react';

import { trans } from './trans';
import { Playground, type IPlaygroundProps } from '../features/playground/Playground';
import { FakeClient } from './fixtures';
import { renderWithProps } from './render';

/** Render the playground of deployment `dep-1`; answers are rendered as plain text unless `renderMarkdown` says. */
export function renderPlayground(overrides: Partial<IPlaygroundProps> = {}, client = new FakeClient()) {
  const props: IPlaygroundProps = {
    client,
    trans,
    deploymentId: 'dep-1',
    renderMarkdown: jest.fn(async (host: HTMLElement, markdown: string) => {
      host.textContent = markdown;
    }),
    copyToClipboard: jest.fn(),
    storage: window.localStorage,
    onTitle: jest.fn(),
    saveDelayMs: 0,
    ...overrides
  };
  return { client, ...renderWithProps(Playground, props) };
}

/** The box the user types a message in. */
export function message(): HTMLElement {
  return screen.getByRole('textbox', { name: 'Message' });
}
