/**
 * What the section specs (Deployments, Fine-tuning, Evaluations) share: a
 * section rendered with its selection held as the app holds it, the props
 * every section takes (the user's answers and the app's callbacks as mocks),
 * moving fake timers and pending promises on, and what a detail shows when
 * its item failed. The connection and cluster tables take the props every section takes too.
 */
import * as React from 'react';
import { act, render, screen, within } from '@testing-library/react';

import { trans } from './trans';
import type { IResourceSectionProps } from '../ui/ResourceSection';
import { FakeClient } from './fixtures';
import { renderWithProps } from './render';

/** A section's props but its selection, which the harness holds; `initial` is the one it starts with. */
export type SectionHarnessProps<P extends IResourceSectionProps> = Omit<P, 'selectedId' | 'onSelect'> & {
  initial?: string | null;
};

/** The props the harness fills in for every section: an active section, confirmations answered yes. */
type Common = 'client' | 'trans' | 'active' | 'confirm' | 'notify' | 'copyToClipboard' | 'onBrowseModels';

/** What the app gives every section (these and the table ones): an active section, confirmations answered yes. */
export function sectionProps(client: FakeClient) {
  return { client, trans, active: true, confirm: jest.fn(async () => true), notify: jest.fn() };
}

/**
 * Render the connection or cluster table with what the app gives every
 * section (`sectionProps`) and its own `props` (which may override those);
 * hands back the fake client, the props and the queries.
 */
export function renderTable<P extends object>(
  Table: React.ComponentType<P>,
  props: Omit<P, keyof ReturnType<typeof sectionProps>> & Partial<P>,
  client = new FakeClient()
) {
  return { client, ...renderWithProps(Table, { ...sectionProps(client), ...props } as P) };
}

/**
 * Render `Section` under a harness that holds its selection; `props` are the
 * section's own (and overrides of the common ones).
 */
export function renderSection<P extends IResourceSectionProps>(
  Section: React.ComponentType<P>,
  props: Omit<SectionHarnessProps<P>, Common> & Partial<Pick<IResourceSectionProps, Common>>,
  client = new FakeClient()
) {
  function Harness(harnessProps: SectionHarnessProps<P>): JSX.Element {
    const [selected, setSelected] = React.useState<string | null>(harnessProps.initial ?? null);
    const sectionProps = { ...harnessProps, selectedId: selected, onSelect: setSelected } as unknown as P;
    return <Section {...sectionProps} />;
  }
  const all = {
    ...sectionProps(client),
    copyToClipboard: jest.fn(),
    onBrowseModels: jest.fn(),
    ...props
  } as unknown as SectionHarnessProps<P>;
  const utils = render(<Harness {...all} />);
  return { props: all, client, Harness, ...utils };
}

/**
 * The row of the connection or cluster table whose name is `name`: found by
 * the name's own element, since the name cell holds more under it (a
 * connection's endpoint, which may repeat the name).
 */
export async function rowNamed(name: string): Promise<HTMLElement> {
  const label = await screen.findByText(name, { selector: '.jp-AquaExt-ConnectionTable-name' });
  return label.closest('tr') as HTMLElement;
}

/** Move fake timers on by `ms`, letting React handle what they trigger. */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    jest.advanceTimersByTime(ms);
  });
}

/** While an item runs, the section asks for the list every 2 s: `calls` asks so far, one more 2 s later. */
export async function expectBusyPolling(list: (...args: never[]) => unknown, calls: number): Promise<void> {
  expect(list).toHaveBeenCalledTimes(calls);
  await advance(2000);
  expect(list).toHaveBeenCalledTimes(calls + 1);
}

/** Once nothing runs, the next ask is 10 s away: still `calls` asks 9 s on, one more at 10 s. */
export async function expectIdlePolling(list: (...args: never[]) => unknown, calls: number): Promise<void> {
  await advance(9000);
  expect(list).toHaveBeenCalledTimes(calls);
  await advance(1000);
  expect(list).toHaveBeenCalledTimes(calls + 1);
}

/** Let pending promises (answers, the chart's lazy import) settle under fake timers. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await act(async () => {
      await Promise.resolve();
    });
  }
}

/** Wait for the detail's failure notice, and check its title, the server's message and the log's last lines. */
export async function expectFailureNotice(title: string, message: string, lastLogLine: string): Promise<HTMLElement> {
  const failure = await screen.findByRole('alert');
  expect(failure).toHaveTextContent(title);
  expect(failure).toHaveTextContent(message);
  expect(within(failure).getByLabelText('Last log lines')).toHaveTextContent(lastLogLine);
  return failure;
}
