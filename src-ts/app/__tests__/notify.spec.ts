import { Notification } from '@jupyterlab/apputils';

import { notify } from '../notify';

describe('notify: the panel’s notifications in JupyterLab', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps an error until dismissed, with its actions as the toast’s buttons', () => {
    const emit = jest.spyOn(Notification, 'emit').mockReturnValue('n-1');
    const callback = jest.fn();
    notify('OCI がこの要求を拒否しました', 'error', {
      actions: [{ label: 'Open OCI setup', caption: 'the policy that fixes it', callback }]
    });
    expect(emit).toHaveBeenCalledWith('OCI がこの要求を拒否しました', 'error', {
      autoClose: false,
      actions: [expect.objectContaining({ label: 'Open OCI setup', caption: 'the policy that fixes it' })]
    });
    const [, , options] = emit.mock.calls[0];
    options?.actions?.[0].callback(new MouseEvent('click'));
    expect(callback).toHaveBeenCalled();
  });

  it('closes anything else after a while, without buttons', () => {
    const emit = jest.spyOn(Notification, 'emit').mockReturnValue('n-2');
    notify('배포했습니다', 'success');
    expect(emit).toHaveBeenCalledWith('배포했습니다', 'success', { autoClose: 5000, actions: undefined });
  });
});
