import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { nullTranslator } from '@jupyterlab/translation';

import { AquaApiError } from '../../api/errors';
import { ErrorState } from '../ErrorState';
import { FormErrors } from '../FormErrors';
import { SetupLinkContext } from '../SetupLink';

const trans = nullTranslator.load('aqua_ext');

function refused(): AquaApiError {
  return new AquaApiError({
    status: 502,
    message: 'OCI Data Science refused this request (NotAuthorizedOrNotFound)',
    reason: 'Bad Gateway',
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
        <ErrorState error={new AquaApiError({ status: 502, message: 'failed', reason: 'Bad Gateway' })} trans={trans} />
      </SetupLinkContext.Provider>
    );
    expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
    rerender(<ErrorState error={refused()} trans={trans} />);
    expect(screen.queryByRole('button', { name: 'Open OCI setup' })).not.toBeInTheDocument();
  });
});
