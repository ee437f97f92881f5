import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { apiError } from '../../../test-support/errors';
import { ClustersSection, type IClustersSectionProps } from '../ClustersSection';
import { FakeClient } from '../../../test-support/fixtures';
import { renderTable, rowNamed } from '../../../test-support/sections';

function setup(overrides: Partial<IClustersSectionProps> = {}, client = new FakeClient()) {
  return renderTable(ClustersSection, { onOpen: jest.fn(), ...overrides }, client);
}

describe('ClustersSection', () => {
  it('lists each cluster with its state, type, unit shape, AI units, cost per hour and cost so far', async () => {
    setup();
    const hosting = await rowNamed('호스팅 클러스터');
    expect(within(hosting).getByText('Active')).toBeInTheDocument();
    expect(within(hosting).getByText(/Hosting · 1 of 50 endpoints/)).toBeInTheDocument();
    expect(within(hosting).getByText('A10_X2 × 1', { exact: false })).toBeInTheDocument();
    expect(within(hosting).getByText('dedicated-unit-a10-count')).toBeInTheDocument();
    expect(hosting.querySelector('[data-column="ai-units"]')).toHaveTextContent('3.54');
    expect(hosting.querySelector('[data-column="cost"]')).toHaveTextContent('$8.85/h');
    expect(hosting.querySelector('[data-column="cost-so-far"]')).toHaveTextContent('$17.70 so far');

    const tuning = await rowNamed('ファインチューニング用クラスタ');
    expect(within(tuning).getByText('Creating')).toBeInTheDocument();
    expect(within(tuning).getByText('Work request 40% complete')).toBeInTheDocument();
    // No price configured: the cost is in AI units; not running yet: no cost so far.
    expect(tuning.querySelector('[data-column="cost"]')).toHaveTextContent('12.96 AI units/h');
    expect(tuning.querySelector('[data-column="cost-so-far"]')).toBeNull();
  });

  it("shows only the buttons of each cluster's server actions, and opens the forms with the cluster", async () => {
    const { props } = setup();
    const hosting = await rowNamed('호스팅 클러스터');
    expect(
      within(hosting)
        .getAllByRole('button')
        .map(button => button.getAttribute('data-action'))
    ).toEqual(['create_endpoint', 'delete']);
    expect(within(await rowNamed('ファインチューニング用クラスタ')).queryAllByRole('button')).toHaveLength(0);
    fireEvent.click(within(hosting).getByRole('button', { name: 'New endpoint: 호스팅 클러스터' }));
    expect(props.onOpen).toHaveBeenCalledWith({
      kind: 'endpoint',
      clusterId: 'ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.host1'
    });
  });

  it('opens each form from the toolbar', async () => {
    const { props } = setup();
    await rowNamed('호스팅 클러스터');
    for (const [label, kind] of [
      ['Import model', 'import'],
      ['New endpoint', 'endpoint'],
      ['New fine-tune', 'finetune'],
      ['New cluster', 'cluster']
    ]) {
      fireEvent.click(screen.getByRole('button', { name: label }));
      expect(props.onOpen).toHaveBeenLastCalledWith({ kind });
    }
  });

  it('deletes a cluster after confirming, and tells a refusal', async () => {
    const client = new FakeClient();
    const { props } = setup({}, client);
    const hosting = await rowNamed('호스팅 클러스터');
    fireEvent.click(within(hosting).getByRole('button', { name: 'Delete: 호스팅 클러스터' }));
    await waitFor(() => expect(client.deleteGenAiCluster).toHaveBeenCalledWith(client.clusters[0].id));
    expect(props.confirm).toHaveBeenCalledWith(expect.stringContaining('호스팅 클러스터'), expect.anything());

    client.deleteGenAiCluster.mockRejectedValueOnce(
      apiError(409, 'The cluster still hosts 1 endpoint: delete it first.')
    );
    fireEvent.click(within(hosting).getByRole('button', { name: 'Delete: 호스팅 클러스터' }));
    await waitFor(() => expect(jest.mocked(props.notify).mock.lastCall?.[0]).toContain('still hosts 1 endpoint'));
    expect(jest.mocked(props.notify).mock.lastCall?.[1]).toBe('error');
  });

  it('says what to do when there is no cluster yet', async () => {
    const client = new FakeClient();
    client.clusters = [];
    setup({}, client);
    expect(await screen.findByText('No dedicated AI clusters yet')).toBeInTheDocument();
  });
});
