import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { RequestDialog } from '../RequestDialog';
import { trans } from '../../../test-support/trans';

function setup(props: Partial<React.ComponentProps<typeof RequestDialog>> = {}) {
  const onClose = jest.fn();
  const onSend = jest.fn();
  render(
    <RequestDialog
      trans={trans}
      title="Export YAML"
      className="jp-AquaExt-ConnectionExportDialog"
      busy={false}
      onClose={onClose}
      send={{ className: 'jp-AquaExt-exportButton', label: 'Download', busyLabel: 'Exporting…', onClick: onSend }}
      {...props}
    >
      <p>本文</p>
    </RequestDialog>
  );
  return { onClose, onSend };
}

describe('RequestDialog', () => {
  it('sends with its button and closes with Cancel', () => {
    const { onClose, onSend } = setup();
    const dialog = screen.getByRole('dialog', { name: 'Export YAML' });
    expect(dialog).toHaveClass('jp-AquaExt-FormDialog', 'jp-AquaExt-ConnectionExportDialog');
    expect(screen.getByText('本文')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    expect(onSend).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    // Escape closes it too while nothing is on its way (the busy case below refuses it).
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('says what it is doing while busy and does not close meanwhile', () => {
    const { onClose } = setup({ busy: true });
    expect(screen.getByRole('button', { name: 'Exporting…' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Close dialog' })).toBeDisabled();
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onClose).not.toHaveBeenCalled();
  });

  it('keeps the send button off while it has nothing to send', () => {
    setup({
      send: {
        className: 'jp-AquaExt-importButton',
        label: 'Import',
        busyLabel: 'Importing…',
        disabled: true,
        onClick: jest.fn()
      }
    });
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });

  it('once done, only closes', () => {
    const { onClose } = setup({ done: true });
    expect(screen.queryByRole('button', { name: 'Download' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
