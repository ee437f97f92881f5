/** Setup the create dialogs' specs share (deploy, fine-tune, evaluate, register). */
import type * as React from 'react';
import { act } from '@testing-library/react';

import type { OpenSetupCheck } from '../ui/setupLinks';
import { trans } from './trans';
import type { FakeClient } from './fixtures';
import { renderWithProps } from './render';

/** What the app gives every create dialog (`ICreateDialogProps`): a local backend and mocked callbacks. */
export function createDialogProps(client: FakeClient) {
  return {
    client,
    trans,
    backendKind: 'local' as const,
    notify: jest.fn(),
    onClose: jest.fn(),
    onCreated: jest.fn()
  };
}

type DialogCommon = ReturnType<typeof createDialogProps>;

/**
 * Render a create dialog with what the app gives every one (`createDialogProps`) and its own
 * `props` (which may override those); hands back the fake client, the props and the queries.
 */
export function renderDialog<P extends object>(
  Dialog: React.ComponentType<P>,
  client: FakeClient,
  props: Omit<P, keyof DialogCommon> & Partial<P>,
  openSetup: OpenSetupCheck | null = null
) {
  return { client, ...renderWithProps(Dialog, { ...createDialogProps(client), ...props } as P, openSetup) };
}

/** The element that holds an input's error message (the one its aria-describedby names `…-error`). */
export function errorOf(input: HTMLElement): HTMLElement | null {
  const id = (input.getAttribute('aria-describedby') ?? '').split(' ').find(part => part.endsWith('-error'));
  return id ? document.getElementById(id) : null;
}

/** Let the debounced requests (0 ms in the specs) and their answers land. */
export async function settle(): Promise<void> {
  await act(async () => {
    await new Promise(resolve => setTimeout(resolve, 5));
  });
}
