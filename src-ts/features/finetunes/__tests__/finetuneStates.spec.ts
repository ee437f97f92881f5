import { isFinal, stateLabel, stateMessageText, stateVariant } from '../../../shared/jobStates';
import { FAST_POLL_MS, finishedChanges, nextPollDelay, SLOW_POLL_MS, withLiveFields } from '../states';
import { fineTuneSummaryOf, makeFineTune } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

describe('fine-tuning job states', () => {
  it('knows which states are final, and their labels', () => {
    expect(['SUCCEEDED', 'FAILED', 'CANCELED'].every(s => isFinal(s as never))).toBe(true);
    expect(['ACCEPTED', 'IN_PROGRESS', 'CANCELING'].some(s => isFinal(s as never))).toBe(false);
    expect(stateLabel('IN_PROGRESS', trans)).toBe('In progress');
    expect(stateVariant('SUCCEEDED')).toBe('success');
    expect(stateVariant('FAILED')).toBe('error');
    // The message shows when it says more than the badge.
    expect(stateMessageText({ state: 'SUCCEEDED', state_message: 'Succeeded' }, trans)).toBeNull();
    expect(stateMessageText({ state: 'IN_PROGRESS', state_message: 'Training' }, trans)).toBe('Training');
    expect(stateMessageText({ state: 'FAILED', state_message: '' }, trans)).toBeNull();
  });

  it('polls fast only while a job runs', () => {
    expect(nextPollDelay([{ state: 'SUCCEEDED' }, { state: 'IN_PROGRESS' }])).toBe(FAST_POLL_MS);
    expect(nextPollDelay([{ state: 'SUCCEEDED' }, { state: 'CANCELED' }])).toBe(SLOW_POLL_MS);
    expect(nextPollDelay([])).toBe(SLOW_POLL_MS);
  });

  it('tells which jobs just finished', () => {
    const before = [
      makeFineTune({ id: 'a' }),
      makeFineTune({ id: 'b', state: 'SUCCEEDED' }),
      makeFineTune({ id: 'c' })
    ].map(fineTuneSummaryOf);
    const after = [
      makeFineTune({ id: 'a', state: 'SUCCEEDED' }),
      makeFineTune({ id: 'b', state: 'SUCCEEDED' }),
      makeFineTune({ id: 'c', state: 'IN_PROGRESS' }),
      makeFineTune({ id: 'd', state: 'FAILED' })
    ].map(fineTuneSummaryOf);
    expect(finishedChanges(before, after).map(c => [c.job.id, c.from, c.to])).toEqual([
      ['a', 'IN_PROGRESS', 'SUCCEEDED']
    ]);
  });

  it('lays the list’s newer progress over the detail', () => {
    const detail = makeFineTune({ step: 30, updated_at: '2026-11-21T10:01:00Z' });
    const newer = fineTuneSummaryOf(
      makeFineTune({ step: 40, progress: 0.33, eta_seconds: 90, updated_at: '2026-11-21T10:01:10Z' })
    );
    const merged = withLiveFields(detail, newer);
    expect(merged.step).toBe(40);
    expect(merged.eta_seconds).toBe(90);
    expect(merged.params).toBe(detail.params);
    const older = fineTuneSummaryOf(makeFineTune({ step: 20, updated_at: '2026-11-21T10:00:30Z' }));
    expect(withLiveFields(detail, older)).toBe(detail);
    expect(withLiveFields(detail, null)).toBe(detail);
  });
});
