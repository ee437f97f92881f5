/** Setup the create dialogs' specs share (deploy, fine-tune, evaluate, register). */
import { act } from '@testing-library/react';

import { trans } from './trans';
import type { FakeClient } from './fixtures';

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
