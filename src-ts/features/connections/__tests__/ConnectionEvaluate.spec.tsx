import { fireEvent, within } from '@testing-library/react';

import { ConnectionsSection, type IConnectionsSectionProps } from '../ConnectionsSection';
import { FakeClient, makeConnection } from '../../../test-support/fixtures';
import { renderTable, rowNamed } from '../../../test-support/sections';

/** A chat service (Korean name) that may be evaluated, and an embedding one (Japanese name) that may not. */
function client(): FakeClient {
  const fake = new FakeClient();
  fake.connections = [
    makeConnection({ id: 'conn-1', name: '사내 GPT 서비스' }),
    makeConnection({
      id: 'conn-2',
      name: '埋め込みサービス',
      capabilities: ['embedding'],
      actions: ['edit', 'delete', 'test', 'export']
    })
  ];
  return fake;
}

function setup(overrides: Partial<IConnectionsSectionProps> = {}) {
  return renderTable(ConnectionsSection, { onEvaluate: jest.fn(), ...overrides }, client()).props;
}

describe('ConnectionsSection: Evaluate', () => {
  it('shows Evaluate where the connection’s actions allow it, and opens the form with it', async () => {
    const props = setup();
    const chat = await rowNamed('사내 GPT 서비스');
    const evaluate = within(chat).getByRole('button', { name: 'Evaluate: 사내 GPT 서비스' });
    expect(evaluate).toHaveAttribute('data-action', 'evaluate');
    fireEvent.click(evaluate);
    expect(props.onEvaluate).toHaveBeenCalledWith('conn-1');
    // The server lists no `evaluate` for an embedding service: no button, whatever its capabilities say.
    const embed = await rowNamed('埋め込みサービス');
    expect(within(embed).queryByRole('button', { name: /Evaluate/ })).not.toBeInTheDocument();
    expect(within(embed).getByRole('button', { name: 'Test: 埋め込みサービス' })).toBeInTheDocument();
  });

  it('follows the actions, not the capabilities', async () => {
    const fake = client();
    // A chat service the server does not allow evaluating (say, while it is being edited elsewhere).
    fake.connections = [makeConnection({ id: 'conn-3', name: 'チャット', actions: ['test', 'chat'] })];
    setup({ client: fake });
    const chat = await rowNamed('チャット');
    expect(within(chat).queryByRole('button', { name: /Evaluate/ })).not.toBeInTheDocument();
  });

  it('has no Evaluate button when the app gives no way to evaluate', async () => {
    setup({ onEvaluate: undefined });
    const chat = await rowNamed('사내 GPT 서비스');
    expect(within(chat).queryByRole('button', { name: /Evaluate/ })).not.toBeInTheDocument();
  });
});
