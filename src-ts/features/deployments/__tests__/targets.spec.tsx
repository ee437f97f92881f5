import * as React from 'react';
import { render, screen, within } from '@testing-library/react';

import type { BackendDescription } from '../../../api/types';
import { DeploymentList } from '../DeploymentList';
import { LOCAL_TARGET, makeDeployment, ociTarget, summaryOf } from '../../../test-support/fixtures';
import { TargetsContext } from '../../../ui/Targets';
import { trans } from '../../../test-support/trans';

function renderList(targets: readonly BackendDescription[], problems = [] as { target: string; message: string }[]) {
  const items = [
    summaryOf(makeDeployment({ id: 'dep-1', name: 'Here' })),
    summaryOf(makeDeployment({ id: 'ocid1.datasciencemodeldeployment.oc1..x', name: 'There', target: 'oci' }))
  ];
  return render(
    <TargetsContext.Provider value={targets}>
      <DeploymentList
        items={items}
        problems={problems}
        error={null}
        trans={trans}
        onOpen={jest.fn()}
        onNew={jest.fn()}
        onRefresh={jest.fn()}
        onBrowseModels={jest.fn()}
      />
    </TargetsContext.Provider>
  );
}

describe('targets in a list', () => {
  it('names the owner target of each row when several targets are enabled', () => {
    renderList([LOCAL_TARGET, ociTarget()]);
    const table = screen.getByRole('table', { name: 'Deployments' });
    const there = within(table).getByRole('button', { name: 'There' }).closest('tr') as HTMLElement;
    expect(there.querySelector('.jp-AquaExt-TargetBadge')).toHaveTextContent('oci');
    expect(there.querySelector('.jp-AquaExt-TargetBadge')).toHaveAttribute('title', 'OCI Data Science');
    const here = within(table).getByRole('button', { name: 'Here' }).closest('tr') as HTMLElement;
    expect(here.querySelector('.jp-AquaExt-TargetBadge')).toHaveTextContent('local');
  });

  it('shows no target badge when only one target is enabled', () => {
    const { container } = renderList([LOCAL_TARGET]);
    expect(container.querySelector('.jp-AquaExt-TargetBadge')).toBeNull();
  });

  it('says which target a list misses and why, and still shows the other rows', () => {
    renderList([LOCAL_TARGET, ociTarget()], [{ target: 'oci', message: 'OCI did not answer: timed out.' }]);
    const notice = screen.getByRole('status', { name: 'Targets that did not answer' });
    expect(notice).toHaveTextContent('OCI Data Science is missing from this list: OCI did not answer: timed out.');
    expect(screen.getByRole('button', { name: 'Here' })).toBeInTheDocument();
  });
});
