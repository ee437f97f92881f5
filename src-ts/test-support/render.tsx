/** Rendering a component the way its specs do: with the props they built, under the app's setup link. */
import * as React from 'react';
import { render } from '@testing-library/react';

import { SetupLinkContext, type OpenSetupCheck } from '../ui/setupLinks';

/**
 * Render `Component` with `props`, under a setup link (`openSetup`, none by
 * default, as outside the panel); hands back the props with the render's queries.
 */
export function renderWithProps<P extends object>(
  Component: React.ComponentType<P>,
  props: P,
  openSetup: OpenSetupCheck | null = null
) {
  const utils = render(
    <SetupLinkContext.Provider value={openSetup}>
      <Component {...props} />
    </SetupLinkContext.Provider>
  );
  return { props, ...utils };
}
