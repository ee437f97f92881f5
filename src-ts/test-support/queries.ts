/** Queries the specs share beside Testing Library's own. */
import { within } from '@testing-library/react';

/** What a select offers, as its options read, in order. */
export function optionTexts(select: HTMLElement): (string | null)[] {
  return within(select)
    .getAllByRole('option')
    .map(option => option.textContent);
}
