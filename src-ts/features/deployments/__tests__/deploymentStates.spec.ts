import { nextPollDelay, settledChanges } from '../../../shared/deploymentStates';
import { makeDeployment, summaryOf } from '../../../test-support/fixtures';

describe('deployment states', () => {
  it('polls every 2 s while one is transitional, every 10 s otherwise', () => {
    expect(nextPollDelay([])).toBe(10000);
    expect(nextPollDelay([{ state: 'ACTIVE' }, { state: 'INACTIVE' }])).toBe(10000);
    expect(nextPollDelay([{ state: 'ACTIVE' }, { state: 'CREATING' }])).toBe(2000);
    expect(nextPollDelay([{ state: 'DELETING' }])).toBe(2000);
  });

  it('reports deployments that settled between two polls', () => {
    const before = [
      summaryOf(makeDeployment({ id: 'a', state: 'CREATING' })),
      summaryOf(makeDeployment({ id: 'b', state: 'UPDATING' })),
      summaryOf(makeDeployment({ id: 'c', state: 'ACTIVE' }))
    ];
    const after = [
      summaryOf(makeDeployment({ id: 'a', state: 'ACTIVE' })),
      summaryOf(makeDeployment({ id: 'b', state: 'UPDATING' })),
      summaryOf(makeDeployment({ id: 'c', state: 'FAILED' })),
      summaryOf(makeDeployment({ id: 'd', state: 'ACTIVE' }))
    ];
    expect(settledChanges(before, after).map(c => [c.deployment.id, c.from, c.to])).toEqual([
      ['a', 'CREATING', 'ACTIVE']
    ]);
  });
});
