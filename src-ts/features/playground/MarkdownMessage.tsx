import * as React from 'react';

import type { TranslationBundle } from '@jupyterlab/translation';

import type { CopyToClipboard, RenderMarkdown } from '../../shared/callbacks';

/** While streaming, re-render the markdown at most this often (each render rebuilds the DOM). */
export const STREAM_RENDER_INTERVAL_MS = 150;

export interface IMarkdownMessageProps {
  text: string;
  streaming: boolean;
  renderMarkdown: RenderMarkdown;
  copyToClipboard: CopyToClipboard;
  trans: TranslationBundle;
}

/**
 * An answer rendered as markdown by JupyterLab's rendermime (sanitized: the
 * model's output is untrusted), with a Copy button on each code block.
 * Streaming text is re-rendered on a throttle, one render at a time.
 */
export function MarkdownMessage(props: IMarkdownMessageProps): JSX.Element {
  const host = React.useRef<HTMLDivElement>(null);
  const latest = React.useRef(props);
  latest.current = props;
  const state = React.useRef({ rendering: false, again: false, lastAt: 0, shown: null as string | null });
  const timer = React.useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // `render` and `schedule` call each other; both are created once and only read refs.
  const scheduleRef = React.useRef<() => void>(() => undefined);

  const render = React.useCallback(async (): Promise<void> => {
    const element = host.current;
    const s = state.current;
    if (!element) {
      return;
    }
    if (s.rendering) {
      s.again = true;
      return;
    }
    const { text, renderMarkdown, copyToClipboard, trans } = latest.current;
    if (text === s.shown) {
      return;
    }
    s.rendering = true;
    s.lastAt = Date.now();
    try {
      await renderMarkdown(element, text);
    } catch {
      element.textContent = text;
    }
    addCopyButtons(element, copyToClipboard, trans);
    s.shown = text;
    s.rendering = false;
    if (s.again || latest.current.text !== text) {
      s.again = false;
      scheduleRef.current();
    }
  }, []);

  const schedule = React.useCallback((): void => {
    const s = state.current;
    if (timer.current !== undefined) {
      return;
    }
    const wait = latest.current.streaming ? Math.max(0, s.lastAt + STREAM_RENDER_INTERVAL_MS - Date.now()) : 0;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void render();
    }, wait);
  }, [render]);
  scheduleRef.current = schedule;

  React.useEffect(() => {
    if (!props.streaming && timer.current !== undefined) {
      // The answer is complete: show it now rather than at the next tick.
      clearTimeout(timer.current);
      timer.current = undefined;
    }
    schedule();
  }, [props.text, props.streaming, schedule]);

  React.useEffect(
    () => () => {
      if (timer.current !== undefined) {
        clearTimeout(timer.current);
      }
    },
    []
  );

  return <div ref={host} className="jp-AquaExt-MarkdownMessage" />;
}

/** A "Copy" button above each code block of the rendered markdown. */
export function addCopyButtons(host: HTMLElement, copy: CopyToClipboard, trans: TranslationBundle): void {
  host.querySelectorAll('pre').forEach(pre => {
    if (pre.parentElement?.classList.contains('jp-AquaExt-codeBlock')) {
      return;
    }
    const wrapper = document.createElement('div');
    wrapper.className = 'jp-AquaExt-codeBlock';
    pre.replaceWith(wrapper);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-Button jp-mod-styled jp-AquaExt-codeCopy';
    button.textContent = trans.__('Copy');
    button.setAttribute('aria-label', trans.__('Copy code'));
    button.addEventListener('click', () => {
      copy(pre.textContent ?? '');
      button.textContent = trans.__('Copied');
      setTimeout(() => {
        button.textContent = trans.__('Copy');
      }, 1500);
    });
    wrapper.append(button, pre);
  });
}
