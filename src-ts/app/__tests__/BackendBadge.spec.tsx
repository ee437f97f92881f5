import * as React from 'react';
import { render, screen, within } from '@testing-library/react';

import { BackendBadge } from '../BackendBadge';
import { LOCAL_TARGET, makeInfo, ociTarget } from '../../test-support/fixtures';
import { trans } from '../../test-support/trans';

describe('BackendBadge', () => {
  it('shows the one enabled target as before', () => {
    render(<BackendBadge info={makeInfo()} error={null} trans={trans} />);
    const badge = screen.getByRole('status');
    expect(badge).toHaveTextContent('Local · 2 CPUs · 23 GB RAM · no GPU');
    expect(badge).toHaveClass('jp-mod-ready');
  });

  it('lists every enabled target, and why one is unavailable', () => {
    const info = makeInfo({
      targets: [LOCAL_TARGET, ociTarget({ ready: false, problem: 'No OCI config at ~/.oci/config.' })]
    });
    render(<BackendBadge info={info} error={null} trans={trans} />);
    const badge = screen.getByRole('status', { name: 'Targets' });
    const items = within(badge).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Local · 2 CPUs · 23 GB RAM · no GPU');
    expect(items[0]).toHaveClass('jp-mod-ready');
    expect(items[1]).toHaveTextContent('OCI · us-ashburn-1 · …ample123');
    expect(items[1]).toHaveTextContent('No OCI config at ~/.oci/config.');
    expect(items[1]).toHaveClass('jp-mod-warn');
    expect(badge).toHaveClass('jp-mod-warn');
  });
});
