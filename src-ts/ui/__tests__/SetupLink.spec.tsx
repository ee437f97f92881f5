import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { AquaApiError } from '../../api/errors';
import { apiError } from '../../test-support/errors';
import { ErrorState } from '../ErrorState';
import { FormErrors } from '../FormErrors';
import { makeOperation } from '../../test-support/fixtures';
import { OperationFailure } from '../OperationProgress';
import { notifyError, SetupLinkContext, setupCheckOf } from '../setupLinks';
import { trans } from '../../test-support/trans';

function refused(): AquaApiError {
  return apiError(502, 'OCI Data Science refused this request (NotAuthorizedOrNotFound)', {
    requestId: 'req-1',
    setupCheck: 'deployments'
  });
}

describe('SetupLink: an authorization error links to its OCI setup check', () => {
  it('reads the check from the server answer', () => {
    const body = { status: 502, message: 'refused', reason: 'Bad Gateway', request_id: 'r', setup_check: 'jobs' };
    expect(AquaApiError.fromResponse({ status: 502, statusText: 'Bad Gateway' }, body).setupCheck).toBe('jobs');
    const plain = { status: 404, message: 'gone', reason: 'Not Found', request_id: 'r' };
    expect(AquaApiError.fromResponse({ status: 404, statusText: 'Not Found' }, plain).setupCheck).toBeNull();
  });

  it('is a button in the error box and in a form message, opening the check', () => {
    const open = jest.fn();
    render(
      <SetupLinkContext.Provider value={open}>
        <ErrorState error={refused()} trans={trans} />
        <FormErrors fields={[]} message="refused" failure={refused()} trans={trans} />
      </SetupLinkContext.Provider>
    );
    const links = screen.getAllByRole('button', { name: 'Open OCI setup' });
    expect(links).toHaveLength(2);
    fireEvent.click(links[1]);
    expect(open).toHaveBeenCalledWith('deployments');
  });

  it('is not shown without a check or without a way to open the setup view', () => {
    const open = jest.fn();
    const { rerender } = render(
      <SetupLinkContext.Provider value={open}>
        <ErrorState error={apiError(502, 'failed')} trans={trans} />
      </SetupLinkContext.Provider>
    );
    expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
    rerender(<ErrorState error={refused()} trans={trans} />);
    expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
  });
});

describe('setupLinks: a failure points at its setup check, inline and in a notification', () => {
  it('reads the check of a failed operation, and of nothing else', () => {
    expect(setupCheckOf(makeOperation({ state: 'FAILED', setup_check: 'bucket-objects' }))).toBe('bucket-objects');
    expect(setupCheckOf(makeOperation({ state: 'FAILED' }))).toBeNull();
    expect(setupCheckOf(makeOperation({ state: 'RUNNING', setup_check: 'models' }))).toBeNull();
    expect(setupCheckOf(refused())).toBe('deployments');
    expect(setupCheckOf(new Error('refused'))).toBeNull();
  });

  it('gives a refusal’s notification the action that opens its check, and no other notification one', () => {
    const open = jest.fn();
    const notify = jest.fn();
    notifyError(notify, refused(), trans, open);
    expect(notify).toHaveBeenCalledWith('OCI Data Science refused this request (NotAuthorizedOrNotFound)', 'error', {
      actions: [expect.objectContaining({ label: 'Open OCI setup', caption: expect.stringContaining('policy') })]
    });
    notify.mock.calls[0][2].actions[0].callback();
    expect(open).toHaveBeenCalledWith('deployments');

    notify.mockClear();
    notifyError(notify, apiError(409, '이미 있습니다'), trans, open);
    expect(notify).toHaveBeenCalledWith('이미 있습니다', 'error');
    notify.mockClear();
    notifyError(notify, refused(), trans, null); // no setup view to open (outside the panel)
    expect(notify).toHaveBeenCalledWith('OCI Data Science refused this request (NotAuthorizedOrNotFound)', 'error');
  });

  it('shows a failed operation’s error with its link; only the link where the page tells the failure', () => {
    const open = jest.fn();
    const failed = makeOperation({
      title: 'Deploy 日本語モデル',
      state: 'FAILED',
      error: 'OCI refused it',
      setup_check: 'deployments'
    });
    const { rerender } = render(
      <SetupLinkContext.Provider value={open}>
        <OperationFailure operation={failed} trans={trans} />
      </SetupLinkContext.Provider>
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Deploy 日本語モデル failed: OCI refused it');
    fireEvent.click(screen.getByRole('button', { name: 'Open OCI setup' }));
    expect(open).toHaveBeenCalledWith('deployments');
    rerender(
      <SetupLinkContext.Provider value={open}>
        <OperationFailure operation={failed} trans={trans} linkOnly />
      </SetupLinkContext.Provider>
    );
    expect(screen.queryByText(/OCI refused it/)).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open OCI setup' })).toBeInTheDocument();
    rerender(
      <SetupLinkContext.Provider value={open}>
        <OperationFailure operation={{ ...failed, setup_check: null }} trans={trans} linkOnly />
        <OperationFailure operation={{ ...failed, state: 'RUNNING' }} trans={trans} />
      </SetupLinkContext.Provider>
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
