/** The colour of a badge (ui/Badge), named by what it says. */

export type BadgeVariant = 'default' | 'accent' | 'warn' | 'error' | 'success' | 'muted';
