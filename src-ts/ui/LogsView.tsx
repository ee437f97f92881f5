import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { LogPage, LogsQuery } from '../api/types';
import { applyLogAnswer, EMPTY_LOG_VIEW, nextLogQuery, type ILogView } from '../shared/logFollow';
import { ErrorState } from './ErrorState';
import { RefreshButton } from './RefreshButton';

export interface ILogsViewProps {
  trans: TranslationBundle;
  /**
   * One page of the log (`{tail}` or `{after: cursor}`): a deployment's or a
   * job's. Keep it stable (useCallback): a new function starts the view over.
   */
  fetchLogs: (query: LogsQuery) => Promise<LogPage>;
  /** The heading, also the region's accessible name. */
  title: string;
  /** Follow from the start (while the resource is changing). */
  initialFollow?: boolean;
  /** The resource stopped changing: fetch what is left once and stop following. */
  ended?: boolean;
  /** Pause following while the panel is hidden. */
  active: boolean;
  /** Delay between two follow polls. */
  followIntervalMs?: number;
  /** An extra class for the region (`jp-AquaExt-FineTuneLogs`). */
  className?: string;
}

/**
 * A log's tail, with a Follow toggle that polls for the lines after the
 * server's cursor. The one log view of the panel: deployments and jobs alike.
 */
export function LogsView(props: ILogsViewProps): JSX.Element {
  const { trans, fetchLogs } = props;
  const [view, setView] = React.useState<ILogView>(EMPTY_LOG_VIEW);
  const [follow, setFollow] = React.useState(props.initialFollow ?? false);
  const [error, setError] = React.useState<unknown>(null);
  const [loading, setLoading] = React.useState(true);
  const [reloadCount, setReloadCount] = React.useState(0);
  const viewRef = React.useRef(view);
  const preRef = React.useRef<HTMLPreElement>(null);
  const stickToBottom = React.useRef(true);
  const followId = React.useId().replace(/:/g, '');
  const intervalMs = props.followIntervalMs ?? 2000;

  const fetchOnce = React.useCallback(
    async (useCursor: boolean): Promise<boolean> => {
      const query = nextLogQuery(viewRef.current, useCursor);
      try {
        const answer = await fetchLogs(query);
        viewRef.current = applyLogAnswer(viewRef.current, answer, query);
        setView(viewRef.current);
        setError(null);
        return true;
      } catch (reason) {
        setError(reason);
        return false;
      } finally {
        setLoading(false);
      }
    },
    [fetchLogs]
  );

  // The tail on open and on Refresh.
  React.useEffect(() => {
    setLoading(true);
    viewRef.current = EMPTY_LOG_VIEW;
    void fetchOnce(false);
  }, [fetchOnce, reloadCount]);

  // Follow: only what came after the cursor, every couple of seconds while shown.
  React.useEffect(() => {
    if (!follow || !props.active) {
      return;
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      await fetchOnce(true);
      if (!cancelled) {
        timer = setTimeout(() => void tick(), intervalMs);
      }
    };
    timer = setTimeout(() => void tick(), intervalMs);
    return () => {
      cancelled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    };
  }, [follow, props.active, fetchOnce, intervalMs]);

  // The resource stopped changing: the last lines once, then no more polling.
  const ended = props.ended ?? false;
  const followRef = React.useRef(follow);
  followRef.current = follow;
  React.useEffect(() => {
    if (ended && followRef.current) {
      setFollow(false);
      void fetchOnce(true);
    }
  }, [ended, fetchOnce]);

  // Keep the newest line in view while following, unless the user scrolled up to read.
  React.useLayoutEffect(() => {
    const pre = preRef.current;
    if (pre && follow && stickToBottom.current) {
      pre.scrollTop = pre.scrollHeight;
    }
  }, [view, follow]);

  return (
    <section className={['jp-AquaExt-LogsView', props.className ?? ''].join(' ').trim()} aria-label={props.title}>
      <div className="jp-AquaExt-LogsView-header">
        <h3 className="jp-AquaExt-sectionTitle">{props.title}</h3>
        {view.source && (
          <code className="jp-AquaExt-LogsView-source" title={view.source}>
            {view.source}
          </code>
        )}
        <span className="jp-AquaExt-toolbarSpacer" />
        <label className="jp-AquaExt-checkbox" htmlFor={followId}>
          <input
            id={followId}
            type="checkbox"
            checked={follow}
            onChange={event => {
              stickToBottom.current = true;
              setFollow(event.target.checked);
            }}
          />
          {trans.__('Follow')}
        </label>
        <RefreshButton
          trans={trans}
          title={trans.__('Reload the last lines')}
          onClick={() => setReloadCount(n => n + 1)}
        />
      </div>
      {error !== null && <ErrorState error={error} trans={trans} className="jp-AquaExt-ErrorState-inline" />}
      <pre
        ref={preRef}
        className="jp-AquaExt-LogsView-lines"
        tabIndex={0}
        aria-live={follow ? 'polite' : undefined}
        aria-busy={loading}
        onScroll={event => {
          const pre = event.currentTarget;
          stickToBottom.current = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
        }}
      >
        {view.dropped > 0 && (
          <span className="jp-AquaExt-muted">
            {trans._n('… %1 earlier line not shown', '… %1 earlier lines not shown', view.dropped)}
            {'\n'}
          </span>
        )}
        {view.lines.length > 0
          ? view.lines.join('\n')
          : loading
            ? trans.__('Loading the log…')
            : trans.__('The log is empty.')}
      </pre>
    </section>
  );
}
