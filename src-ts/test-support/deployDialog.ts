/** Setup the deploy dialog's specs share. */
import type { Info } from '../api/types';
import { DeployDialog, type IDeployDialogProps } from '../features/deployments/DeployDialog';
import type { OpenSetupCheck } from '../ui/setupLinks';
import { renderDialog } from './dialogs';
import { type FakeClient, makeModel } from './fixtures';

/**
 * Render the deploy dialog of `makeModel()` for the server `info`, with a 4096-token default
 * context, no fit debounce and mocked copy and download; `overrides` may change any of those.
 */
export function renderDeployDialog(
  client: FakeClient,
  info: Info,
  overrides: Partial<IDeployDialogProps> = {},
  openSetup: OpenSetupCheck | null = null
) {
  return renderDialog(
    DeployDialog,
    client,
    {
      info,
      model: makeModel(),
      defaultContextLength: 4096,
      fitDebounceMs: 0,
      copyToClipboard: jest.fn(),
      download: jest.fn(),
      ...overrides
    },
    openSetup
  );
}
