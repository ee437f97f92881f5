import { LabIcon } from '@jupyterlab/ui-components';

import aquaSvgstr from '../../style/icons/aqua.svg';

/**
 * The AI Quick Actions icon: a drop with two sparkles. Its fills use the
 * `jp-icon3` class so it follows the light, dark and high-contrast themes.
 * The name is also the settings icon (`jupyter.lab.setting-icon`).
 */
export const aquaIcon = new LabIcon({
  name: 'aqua-ext:aqua',
  svgstr: aquaSvgstr
});
