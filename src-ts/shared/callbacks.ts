/**
 * The app services a component needs, as plain callbacks so components stay
 * pure React: `index.ts` implements them with JupyterLab (Notification,
 * showDialog, rendermime, Clipboard), tests pass fakes.
 */

export type NotifyType = 'success' | 'error' | 'info' | 'warning';

/** A button on a notification (JupyterLab's notification actions): clicking it runs `callback`. */
export interface INotifyAction {
  label: string;
  /** A longer description (the button's tooltip). */
  caption?: string;
  callback: () => void;
}

export interface INotifyOptions {
  actions?: INotifyAction[];
}

/** Show a transient notification. */
export type Notify = (message: string, type: NotifyType, options?: INotifyOptions) => void;

/** Render Markdown into a host element (rendermime's `text/markdown` in the app). */
export type RenderMarkdown = (host: HTMLElement, markdown: string) => Promise<void>;

export interface IConfirmOptions {
  /** Dialog title. */
  title?: string;
  /** Label of the accepting button. */
  acceptLabel?: string;
  /** Style the accepting button as destructive. */
  danger?: boolean;
}

/** Ask the user to confirm; resolves true when they accept. */
export type Confirm = (message: string, options?: IConfirmOptions) => Promise<boolean>;

/** Put text on the clipboard. */
export type CopyToClipboard = (text: string) => void;

/** The browser's clipboard: the default where the host gives no `CopyToClipboard`. */
export const browserCopy: CopyToClipboard = text => {
  void navigator.clipboard?.writeText(text);
};
