import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { BoundCheckbox, type IFormBinding } from '../formInputs';

interface IForm {
  allowLinkLocal: boolean;
}

function binding(overrides: Partial<IFormBinding<IForm, 'allow_link_local'>> = {}) {
  return {
    form: { allowLinkLocal: false },
    errors: {},
    busy: false,
    update: jest.fn(),
    id: (name: string) => `id-${name}`,
    fields: { allowLinkLocal: 'allow_link_local' as const },
    ...overrides
  };
}

describe('BoundCheckbox', () => {
  it('shows the form’s value under the request field it feeds, and sends a change back as a patch', () => {
    const bound = binding();
    render(<BoundCheckbox binding={bound} name="allowLinkLocal" label="リンクローカルを許可" />);
    const box = screen.getByRole('checkbox', { name: 'リンクローカルを許可' });
    expect(box).not.toBeChecked();
    expect(box.closest('label')).toHaveAttribute('data-field', 'allow_link_local');
    fireEvent.click(box);
    expect(bound.update).toHaveBeenCalledWith({ allowLinkLocal: true });
  });

  it('is disabled while the form is sent', () => {
    render(
      <BoundCheckbox
        binding={binding({ busy: true, form: { allowLinkLocal: true } })}
        name="allowLinkLocal"
        label="x"
      />
    );
    expect(screen.getByRole('checkbox', { name: 'x' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'x' })).toBeDisabled();
  });
});
