import { act, renderHook } from '@testing-library/react';

import { trans } from '../../test-support/trans';
import { useBusyAction } from '../hooks/useBusyAction';

const OPTIONS = { title: 'Delete thing', acceptLabel: 'Delete', danger: true };

describe('useBusyAction.runConfirmed', () => {
  it('runs the action under the busy flag once the question is accepted, then calls onDone', async () => {
    const notify = jest.fn();
    const onDone = jest.fn();
    const confirm = jest.fn(() => Promise.resolve(true));
    let finish: () => void = () => undefined;
    const action = jest.fn(() => new Promise<void>(resolve => (finish = resolve)));
    const { result } = renderHook(() => useBusyAction<'delete'>(notify, trans, onDone));
    let done: Promise<void> = Promise.resolve();
    await act(async () => {
      done = result.current.runConfirmed('delete', confirm, { message: 'Delete it?', options: OPTIONS, action });
    });
    expect(confirm).toHaveBeenCalledWith('Delete it?', OPTIONS);
    expect(action).toHaveBeenCalledTimes(1);
    expect(result.current.busy).toBe('delete');
    expect(onDone).not.toHaveBeenCalled();
    await act(async () => {
      finish();
      await done;
    });
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(result.current.busy).toBeNull();
    expect(notify).not.toHaveBeenCalled();
  });

  it('runs nothing when the question is declined: no busy flag, no onDone, the last error kept', async () => {
    const notify = jest.fn();
    const onDone = jest.fn();
    const { result } = renderHook(() => useBusyAction<'delete'>(notify, trans, onDone));
    await act(() => result.current.run('delete', () => Promise.reject(new Error('refused'))));
    expect(result.current.actionError).toEqual(new Error('refused'));
    const action = jest.fn(() => Promise.resolve());
    const confirm = jest.fn(() => Promise.resolve(false));
    await act(() =>
      result.current.runConfirmed('delete', confirm, { message: 'Delete it?', options: OPTIONS, action })
    );
    expect(confirm).toHaveBeenCalledWith('Delete it?', OPTIONS);
    expect(action).not.toHaveBeenCalled();
    expect(onDone).not.toHaveBeenCalled();
    expect(result.current.busy).toBeNull();
    expect(result.current.actionError).toEqual(new Error('refused'));
  });
});
