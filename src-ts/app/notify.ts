import { Notification } from '@jupyterlab/apputils';

import type { Notify } from '../shared/callbacks';

/**
 * The panel's notifications, with JupyterLab's Notification: an error stays
 * until dismissed (the user may have moved on), anything else goes after 5 s;
 * its actions (an OCI refusal's "Open OCI setup") are the toast's buttons.
 */
export const notify: Notify = (message, type, options = {}) => {
  Notification.emit(message, type, { autoClose: type === 'error' ? false : 5000, actions: options.actions });
};
