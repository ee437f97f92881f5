import { fireEvent, screen, within } from '@testing-library/react';

import { EvaluationsSection, type IEvaluationsSectionProps } from '../EvaluationsSection';
import { askedName } from '../format';
import { flush, renderSection, type SectionHarnessProps } from '../../../test-support/sections';
import { FakeUPlot } from '../../../test-support/fakeUplot';
import { FakeClient, makeEvaluation, makeFinishedEvaluation } from '../../../test-support/fixtures';
import { trans } from '../../../test-support/trans';

jest.mock('uplot', () => ({ __esModule: true, default: require('../../../test-support/fakeUplot').FakeUPlot }));

/** An evaluation of a connection as the server answers it: no deployment id, the connection's name. */
const HOSTED = {
  deployment_id: '',
  deployment_name: '日本語チャット',
  connection_id: 'conn-2',
  model_id: 'command-r',
  model_name: 'command-r'
};

/** Two evaluations made by `make`: one of a deployment (Korean name), one of a connection (Japanese). */
function deploymentAndConnection(make: typeof makeEvaluation): FakeClient {
  const client = new FakeClient();
  client.evaluations = [
    make({ id: 'a', name: '튜닝 모델 평가' }),
    make({ id: 'b', name: 'ホスト型の評価', ...HOSTED })
  ];
  return client;
}

function setup(overrides: Partial<SectionHarnessProps<IEvaluationsSectionProps>> = {}, client = new FakeClient()) {
  return renderSection(
    EvaluationsSection,
    { onNewEvaluation: jest.fn(), onOpenDeployment: jest.fn(), ...overrides },
    client
  );
}

describe('Evaluations of a connection', () => {
  beforeEach(() => FakeUPlot.reset());

  it('names what was asked', () => {
    expect(askedName({ deployment_name: '日本語チャット', connection_id: 'conn-2' }, trans)).toBe(
      '日本語チャット (connection)'
    );
    expect(askedName({ deployment_name: '사내 Qwen', connection_id: null }, trans)).toBe('사내 Qwen');
    expect(askedName({ deployment_name: '사내 Qwen', connection_id: null, adapter: 'ko' }, trans)).toBe(
      '사내 Qwen · ko'
    );
  });

  it('lists the connection by name and says it is one, never an empty deployment id', async () => {
    setup({}, deploymentAndConnection(makeEvaluation));
    await flush();
    const table = screen.getByRole('table', { name: 'Evaluations' });
    const [deployed, hosted] = within(table).getAllByRole('row').slice(1);
    expect(deployed).toHaveTextContent('Qwen chat · Qwen2.5 0.5B Instruct');
    expect(hosted).toHaveTextContent('日本語チャット (connection) · command-r');
    expect(hosted.querySelector('[title]')?.getAttribute('title') ?? '').not.toMatch(/Deployment/);
    expect(within(hosted).getByTitle('Connection conn-2, model command-r')).toBeInTheDocument();
  });

  it('shows the connection in the detail, not a deployment link', async () => {
    const client = new FakeClient();
    client.evaluations = [makeFinishedEvaluation({ id: 'evj-h', name: 'ホスト型の評価', ...HOSTED })];
    const { props } = setup({ initial: 'evj-h' }, client);
    await screen.findByRole('table', { name: 'Overall scores' });
    const fact = document.querySelector('[data-fact="connection"]') as HTMLElement;
    expect(fact).toHaveTextContent('日本語チャット conn-2');
    expect(document.querySelector('[data-fact="deployment"]')).toBeNull();
    expect(within(fact).queryByRole('button')).not.toBeInTheDocument();
    expect(props.onOpenDeployment).not.toHaveBeenCalled();
  });

  it('compares a deployment with a connection, each named as what it is', async () => {
    setup({}, deploymentAndConnection(makeFinishedEvaluation));
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Select “튜닝 모델 평가” for comparison' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select “ホスト型の評価” for comparison' }));
    fireEvent.click(screen.getByRole('button', { name: 'Compare (2)' }));
    const table = await screen.findByRole('table', { name: 'Overall scores compared' });
    const header = table.querySelector('th[data-evaluation-id="b"]') as HTMLElement;
    expect(header).toHaveTextContent('日本語チャット (connection) · command-r');
    expect(table.querySelector('th[data-evaluation-id="a"]')).toHaveTextContent('Qwen chat · Qwen2.5 0.5B Instruct');
  });
});
