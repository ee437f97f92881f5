import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { Loaded } from '../Loading';
import { trans } from '../../test-support/trans';

function view(value: string | null, error: unknown, onRetry = jest.fn()) {
  return (
    <Loaded
      trans={trans}
      value={value}
      error={error}
      loading="Loading rows…"
      errorTitle="The rows could not be loaded."
      onRetry={onRetry}
    >
      {rows => <p>{rows}</p>}
    </Loaded>
  );
}

describe('Loaded', () => {
  it('shows the spinner until a first value arrives, then the value', () => {
    const { rerender } = render(view(null, null));
    expect(screen.getByRole('status').textContent).toBe('Loading rows…');
    rerender(view('row 1', null));
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByText('row 1')).toBeTruthy();
  });

  it('shows why the first load failed, with its Retry, and no spinner', () => {
    const onRetry = jest.fn();
    render(view(null, new Error('unreachable'), onRetry));
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('The rows could not be loaded.');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('keeps what an earlier load brought under a later failure', () => {
    render(view('row 1', new Error('unreachable')));
    expect(screen.getByRole('alert').textContent).toContain('The rows could not be loaded.');
    expect(screen.getByText('row 1')).toBeTruthy();
  });
});
