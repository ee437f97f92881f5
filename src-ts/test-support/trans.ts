/** The translation bundle the specs render with: the panel's English, as without a language pack. */
import { nullTranslator } from '@jupyterlab/translation';

export const trans = nullTranslator.load('aqua_ext');
